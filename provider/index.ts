/**
 * The provider's entry point, loaded by the `__provider` text in each resource's state:
 * `require("pulumi-maskinporten/provider").dynamicProvider("<type>")` (see `forwarder.ts`). Nothing here runs at
 * import time beyond defining functions.
 */
import "./api/node-support"; // first: refuses an unsupported Node.js before undici or jose load
import type * as pulumi from "@pulumi/pulumi";
import { dynamicProviderOf } from "./dynamic-provider";
import { RESOURCE_TYPES, type ResourceType } from "./forwarder";
import { clientProvider } from "./resources/client/provider";
import { clientKeyProvider } from "./resources/client-key/provider";
import { rotatingClientKeyProvider } from "./resources/rotating-client-key/provider";
import { scopeProvider } from "./resources/scope/provider";
import { scopeGrantProvider } from "./resources/scope-grant/provider";
import { engineFacing } from "./resources/shared/no-echo";
import type { ResourceImplementation } from "./resources/shared/types";
import { configure as configureRuntime, type StackConfig } from "./runtime";

export { RESOURCE_TYPES, type ResourceType } from "./forwarder";

const implementations: Record<ResourceType, ResourceImplementation> = {
  Client: clientProvider,
  ClientKey: clientKeyProvider,
  RotatingClientKey: rotatingClientKeyProvider,
  Scope: scopeProvider,
  ScopeGrant: scopeGrantProvider,
};

/**
 * The implementation of a resource type. State written by 0.1.0 holds a serialized closure that calls this
 * (and `configure`) from every method: keep both, for `refresh` and `destroy` of such state.
 */
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

const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/** What the `__provider` text's `handler` returns: the provider of one resource type. */
export function dynamicProvider(type: string): pulumi.dynamic.ResourceProvider {
  let found = providers.get(type);
  if (!found) {
    found = dynamicProviderOf(implementation(type));
    providers.set(type, found);
  }
  return found;
}

/** Receives the stack's configuration (secrets decrypted) from the engine, once per provider process. */
export async function configure(config: StackConfig): Promise<void> {
  configureRuntime(config);
}

export { forwarderText } from "./forwarder";
