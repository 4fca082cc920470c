/** Pure helpers that shape what goes into Pulumi state. */
import type * as pulumi from "@pulumi/pulumi";

/** Drops undefined members: the engine's protobuf encoding refuses them in outputs. */
export function definedOnly(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The credential profile named in inputs or state; undefined selects the default credential. */
export function profileOf(props: Record<string, unknown>): string | undefined {
  const profile = props["profile"];
  return typeof profile === "string" ? profile : undefined;
}

/** The `profile` input carried from earlier inputs or state into new ones: the API cannot report it. */
export function keptProfile(prior: Record<string, unknown>): { profile?: string } {
  const profile = profileOf(prior);
  return profile === undefined ? {} : { profile };
}

/** What `read` answers for an object that no longer exists: the engine drops it, and `up` creates it again. */
export function gone(): pulumi.dynamic.ReadResult {
  return { id: "", props: {} };
}

/**
 * The properties of a `ResourceInitError`, with the inputs' `__provider`. The dynamic host adds `__provider`
 * to the outputs of a create that succeeds, but not to the properties of one that fails to initialise;
 * without it, a `refresh` or `destroy` of the half-made resource cannot find its provider.
 */
export function initFailureProperties(inputs: Record<string, unknown>, outputs: Record<string, unknown>): Record<string, unknown> {
  const provider = inputs["__provider"];
  return provider === undefined ? outputs : { ...outputs, __provider: provider };
}
