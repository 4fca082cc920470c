/**
 * The provider's entry point, loaded by the forwarder in each resource's state:
 * `require("pulumi-maskinporten/provider")`. Nothing here runs at import time beyond defining functions.
 */
import "./api/node-support"; // first: refuses an unsupported Node.js before undici or jose load
import { clientProvider } from "./resources/client/provider";
import { clientKeyProvider } from "./resources/client-key/provider";
import { rotatingClientKeyProvider } from "./resources/rotating-client-key/provider";
import { scopeProvider } from "./resources/scope/provider";
import { scopeGrantProvider } from "./resources/scope-grant/provider";
import { engineFacing } from "./resources/shared/no-echo";
import type { ResourceImplementation } from "./resources/shared/types";
import { configure as configureRuntime, type StackConfig } from "./runtime";

export const RESOURCE_TYPES = ["Client", "ClientKey", "RotatingClientKey", "Scope", "ScopeGrant"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

const implementations: Record<ResourceType, ResourceImplementation> = {
  Client: clientProvider,
  ClientKey: clientKeyProvider,
  RotatingClientKey: rotatingClientKeyProvider,
  Scope: scopeProvider,
  ScopeGrant: scopeGrantProvider,
};

export function implementation(type: string): ResourceImplementation {
  const found = implementations[type as ResourceType];
  if (!found) {
    throw new Error(
      `pulumi-maskinporten has no resource type "${type}" (known: ${RESOURCE_TYPES.join(", ")}); the stack was written by a newer version of the package: upgrade it`,
    );
  }
  let facing = engineFacingImplementations.get(found);
  if (!facing) engineFacingImplementations.set(found, (facing = engineFacing(found)));
  return facing;
}

const engineFacingImplementations = new Map<ResourceImplementation, ResourceImplementation>();

/** Receives the stack's configuration (secrets decrypted) from the engine, once per provider process. */
export async function configure(config: StackConfig): Promise<void> {
  configureRuntime(config);
}

export { forwarder } from "./forwarder";
