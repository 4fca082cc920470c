/** pulumi-maskinporten: Maskinporten clients, keys, scopes and scope grants as Pulumi resources. */
export { Scope, type ScopeArgs } from "./resources/scope";
export { ScopeGrant, type ScopeGrantArgs } from "./resources/scope-grant";
export { Client, type ClientArgs } from "./resources/client";
export { ClientKey, type ClientKeyArgs } from "./resources/client-key";
