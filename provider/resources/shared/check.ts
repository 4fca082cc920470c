import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { privateMaterialFailures } from "./private-material";
import { unknownAlong } from "./unknown";

export interface CheckOutcome<T> {
  /** The parsed inputs when valid and fully known. */
  value?: T;
  result: pulumi.dynamic.CheckResult;
}

/** `scopes[2]`, `generate.modulusLength`: the property path as a user reads it in their program. */
export function propertyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, "");
}

/**
 * Validates inputs with a resource's schema, after refusing private key material in any input but a key's.
 * Problems in values that are unknown during preview are not reported (they are checked again once known).
 * Valid inputs come back in their normalized form, which is what the engine stores and diffs, so equal
 * meaning gives equal inputs.
 */
export function checkWith<S extends z.ZodType>(schema: S, news: Record<string, unknown>): CheckOutcome<z.output<S>> {
  const { __provider, ...inputs } = news;
  const secrets = privateMaterialFailures(inputs);
  if (secrets.length > 0) return { result: { inputs: news, failures: secrets } };
  const parsed = schema.safeParse(inputs);
  if (parsed.success) {
    return { value: parsed.data, result: { inputs: { ...(parsed.data as object), __provider } } };
  }
  const failures = parsed.error.issues
    .filter((issue) => !unknownAlong(inputs, issue.path))
    .map((issue) => ({ property: propertyPath(issue.path) || "(resource)", reason: issue.message }));
  return { result: failures.length > 0 ? { inputs: news, failures } : { inputs: news } };
}
