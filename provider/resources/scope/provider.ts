import type { ResourceImplementation } from "../shared/types";

function notYet(): never {
  throw new Error("Scope is not implemented yet");
}

export const scopeProvider: ResourceImplementation = {
  check: async () => notYet(),
  diff: async () => notYet(),
  create: async () => notYet(),
  read: async () => notYet(),
  update: async () => notYet(),
  delete: async () => notYet(),
};
