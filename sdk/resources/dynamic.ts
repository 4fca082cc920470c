import type * as pulumi from "@pulumi/pulumi";

/** The module of every type token: `pulumi-nodejs:dynamic/maskinporten:<Name>`. */
export const TYPE_MODULE = "maskinporten";

/**
 * The props passed to `dynamic.Resource`: the user's inputs plus every output seeded as undefined, which is
 * how a dynamic resource declares the outputs it will have.
 */
export function withOutputs(args: object, outputs: readonly string[]): pulumi.Inputs {
  return { ...Object.fromEntries(outputs.map((name) => [name, undefined])), ...args };
}
