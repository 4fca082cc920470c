/**
 * The text each resource's state holds as its provider (`__provider`).
 *
 * Pulumi's dynamic provider host evaluates `__provider` as a CommonJS module (require-from-string, resolving
 * modules from the program's directory) and calls its `handler()` once per distinct text and process; what
 * `handler` returns is the provider whose methods it calls. So the text only has to name the resource type
 * and load the installed package by its public name when the host calls it: the state never contains
 * implementation code, credentials or clients, and upgrading the package changes what runs for resources
 * already in state.
 *
 * It is written by hand rather than serialized from a closure (as `dynamic.Resource` would): ~90 bytes in
 * place of ~2.4 kB (stored twice per resource: inputs and outputs), and the program never loads Pulumi's
 * closure serializer. Keep the text stable: a changed `__provider` makes the next `up` rewrite every
 * resource's state (see `dynamic-provider.ts`), which `preview --diff` shows as an update of `__provider`.
 */

/** The resource types, as named in the type tokens `pulumi-nodejs:dynamic/maskinporten:<type>`. */
export const RESOURCE_TYPES = ["Client", "ClientKey", "RotatingClientKey", "Scope", "ScopeGrant"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The package entry point the text loads, by its public name, so the installed version runs. */
export const PROVIDER_ENTRY_POINT = "pulumi-maskinporten/provider";

/** The `__provider` text of a resource type. */
export function forwarderText(type: ResourceType): string {
  return `exports.handler = () => require(${JSON.stringify(PROVIDER_ENTRY_POINT)}).dynamicProvider(${JSON.stringify(type)});\n`;
}
