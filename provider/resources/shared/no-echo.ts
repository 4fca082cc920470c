/**
 * How `check` failures reach the console. The engine prints a failure that names a property as "property
 * <name> value <the input's value> has a problem: <reason>": a private key given as `publicKey` was printed in
 * full. Engine 3.276 prints a secret input's value as "[secret]", but not with `--show-secrets` nor in engines
 * without that redaction, and a key given without `pulumi.secret` is printed by all. So no failure names a property:
 * each is a failure of the resource, its reason starting with the property, which the engine prints as
 * "<Type> resource '<name>' has a problem: publicKey: is a private JWK ...", never with a value.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceImplementation } from "./types";

/** The property of a failure of the whole resource (a misspelt input): the reason already starts with the name. */
const WHOLE_RESOURCE = "(resource)";

export function withoutEcho(failure: pulumi.dynamic.CheckFailure): pulumi.dynamic.CheckFailure {
  const { property, reason } = failure;
  if (property === "") return failure;
  return { property: "", reason: property === WHOLE_RESOURCE || reason.startsWith(`${property}: `) ? reason : `${property}: ${reason}` };
}

/**
 * The implementation as the engine calls it: failures without echo, and the inputs sent back with a failure
 * stripped of the properties that failed (the engine does not need them to report, and they may be a key).
 */
export function engineFacing(implementation: ResourceImplementation): ResourceImplementation {
  return {
    ...implementation,
    async check(olds, news) {
      const result = await implementation.check(olds, news);
      if (!result.failures?.length) return result;
      const failed = new Set(result.failures.map((f) => f.property.split(/[.[]/)[0]));
      const inputs = Object.fromEntries(Object.entries(result.inputs ?? news).filter(([key]) => !failed.has(key)));
      return { inputs, failures: result.failures.map(withoutEcho) };
    },
  };
}
