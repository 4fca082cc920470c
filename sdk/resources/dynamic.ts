import * as pulumi from "@pulumi/pulumi";
import { forwarderText, type ResourceType } from "../../provider/forwarder";

/** The module of every type token: `pulumi-nodejs:dynamic/maskinporten:<Name>`. */
export const TYPE_MODULE = "maskinporten";

/**
 * A resource of this package: a dynamic resource as `pulumi.dynamic.Resource` registers one (the same type
 * token, served by the same provider host), with a hand-written `__provider` text that loads the installed
 * package (`forwarderText`) in place of a serialized closure. `dynamic.Resource` would serialize a provider
 * object and refuses a given `__provider`; it does nothing else.
 */
export abstract class MaskinportenResource extends pulumi.CustomResource {
  protected constructor(type: ResourceType, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(`pulumi-nodejs:dynamic/${TYPE_MODULE}:${type}`, name, { ...props, __provider: forwarderText(type) }, opts);
  }
}

/**
 * The props of a resource: the user's inputs plus every output seeded as undefined, which is how a dynamic
 * resource declares the outputs it will have.
 */
export function withOutputs(args: object, outputs: readonly string[]): pulumi.Inputs {
  return { ...Object.fromEntries(outputs.map((name) => [name, undefined])), ...args };
}
