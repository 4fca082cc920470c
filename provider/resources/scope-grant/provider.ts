import type { ResourceImplementation } from "../shared/types";

function notYet(): never {
  throw new Error("ScopeGrant is not implemented yet");
}

export const scopeGrantProvider: ResourceImplementation = {
  check: async () => notYet(),
  diff: async () => notYet(),
  create: async () => notYet(),
  read: async () => notYet(),
  update: async () => notYet(),
  delete: async () => notYet(),
};
