import * as pulumi from "@pulumi/pulumi";
import { forwarderText, RESOURCE_TYPES, type ResourceType } from "../../provider/forwarder";

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
    const stackTraceLimit = withoutPromiseStacks();
    try {
      super(`pulumi-nodejs:dynamic/${TYPE_MODULE}:${type}`, name, { ...props, __provider: FORWARDER_TEXTS[type] }, opts);
    } catch (err) {
      // Registration refused synchronously (a bad option, say): give the error the stack it would have had.
      Error.stackTraceLimit = stackTraceLimit;
      if (err instanceof Error) Error.captureStackTrace(err, MaskinportenResource);
      throw err;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/** Each type's `__provider` text, built once: the same string for every resource of the type. */
const FORWARDER_TEXTS = Object.fromEntries(RESOURCE_TYPES.map((type) => [type, forwarderText(type)])) as Record<ResourceType, string>;

/**
 * Turns off stack capture for the synchronous part of a registration, unless the user debugs promise leaks;
 * returns the limit to restore.
 *
 * Pulumi's runtime wraps every output property of a new resource in a "debuggable" promise that records
 * `new Error().stack`, and reads that text only to report leaked promises with `PULUMI_DEBUG_PROMISE_LEAKS`
 * set (`runtime/debuggable.js`). Formatting those stacks was most of the program's time: with ~20 outputs per
 * resource, 1.5 of 1.7 s CPU registering 601 resources against mocks. Source positions of resources are
 * unaffected (Pulumi raises the limit itself to find them). What else runs inside the constructor (the
 * user's resource transformations) also makes errors without frames; one that escapes gets its stack again,
 * from the `new` of the resource in the program.
 */
function withoutPromiseStacks(): number {
  const limit = Error.stackTraceLimit;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
  return limit;
}

/**
 * The props of a resource: the user's inputs plus every output seeded as undefined, which is how a dynamic
 * resource declares the outputs it will have.
 */
export function withOutputs(args: object, outputs: readonly string[]): pulumi.Inputs {
  return { ...Object.fromEntries(outputs.map((name) => [name, undefined])), ...args };
}
