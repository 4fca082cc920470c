/**
 * Plumbing shared by the provider methods: `check` with the credential profile resolved, typed inputs in
 * `create`/`update`, and the API client of the profile a resource names. Credentials never pass through here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { MaskinportenApi } from "../../api/maskinporten-api";
import { selectProfile } from "../../config";
import { connectionFor, currentSettings } from "../../runtime";
import { checkWith } from "./check";
import { noCredentialConfigured } from "./preview-checks";
import { profileOf } from "./outputs";
import { containsUnknown } from "./unknown";

/**
 * Inputs computed from the other inputs and stored with them, such as a scope's name. During a preview of an
 * update, the engine gives a dynamic resource its new inputs as its outputs (the Node host cannot preview an
 * update), so an output that is also a derived input stays known there and resources that use it see no
 * change, where an output alone would be unknown and make them show a replacement.
 */
export type Derive<T> = (inputs: T) => Record<string, unknown>;

/**
 * `check` of a resource with a `profile` input: normalized inputs (plus `derive`'s, when all is valid) or
 * property-named failures, and then the profile must exist, else the `ConfigError` of `selectProfile` (naming
 * the config key to set) is thrown, before any request. A profile unknown during preview, or already
 * reported as malformed, is skipped.
 */
export function checkResource<S extends z.ZodType>(
  schema: S,
  news: Record<string, unknown>,
  derive?: Derive<z.output<S>>,
): pulumi.dynamic.CheckResult {
  const { value, result } = checkWith(schema, news);
  const profile = news["profile"];
  const malformed = (result.failures ?? []).some((f) => f.property === "profile");
  // With no credential at all the preview works offline (see preview-checks.ts); `up` fails at the first request.
  if (!malformed && !containsUnknown(profile)) {
    const settings = currentSettings();
    if (!noCredentialConfigured(settings)) selectProfile(settings, profileOf(news));
  }
  if (value === undefined || derive === undefined) return result;
  return { ...result, inputs: { ...result.inputs, ...derive(value) } };
}

/**
 * Inputs as `create`/`update` receive them: what `check` returned, so they parse; parsing again types them.
 * `derived` names the inputs `check` added, which the schema does not take. A failure here means the engine
 * skipped `check`, which is a bug worth a loud message.
 */
export function parseChecked<S extends z.ZodType>(
  schema: S,
  inputs: Record<string, unknown>,
  derived: readonly string[] = [],
): z.output<S> {
  const rest = Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "__provider" && !derived.includes(key)));
  const parsed = schema.safeParse(rest);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(resource)"}: ${i.message}`).join("; ");
  throw new Error(`inputs that did not pass check reached the provider (${problems}); please report this`);
}

/** The API client of the profile named in inputs or state. */
export function apiFor(props: Record<string, unknown>): MaskinportenApi {
  return connectionFor(profileOf(props)).api;
}
