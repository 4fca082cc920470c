import type { ResourceImplementation } from "../shared/types";

function notYet(): never {
  throw new Error("Client is not implemented yet");
}

export const clientProvider: ResourceImplementation = {
  check: async () => notYet(),
  diff: async () => notYet(),
  create: async () => notYet(),
  read: async () => notYet(),
  update: async () => notYet(),
  delete: async () => notYet(),
};
