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
import { profileOf } from "./outputs";
import { containsUnknown } from "./unknown";

/**
 * `check` of a resource with a `profile` input: normalized inputs or property-named failures, and then the
 * profile must exist, else the `ConfigError` of `selectProfile` (naming the config key to set) is thrown,
 * before any request. A profile unknown during preview, or already reported as malformed, is skipped.
 */
export function checkResource<S extends z.ZodType>(schema: S, news: Record<string, unknown>): pulumi.dynamic.CheckResult {
  const { result } = checkWith(schema, news);
  const profile = news["profile"];
  const malformed = (result.failures ?? []).some((f) => f.property === "profile");
  if (!malformed && !containsUnknown(profile)) selectProfile(currentSettings(), profileOf(news));
  return result;
}

/**
 * Inputs as `create`/`update` receive them: what `check` returned, so they parse; parsing again types them.
 * A failure here means the engine skipped `check`, which is a bug worth a loud message.
 */
export function parseChecked<S extends z.ZodType>(schema: S, inputs: Record<string, unknown>): z.output<S> {
  const { __provider: _provider, ...rest } = inputs;
  const parsed = schema.safeParse(rest);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(resource)"}: ${i.message}`).join("; ");
  throw new Error(`inputs that did not pass check reached the provider (${problems}); please report this`);
}

/** The API client of the profile named in inputs or state. */
export function apiFor(props: Record<string, unknown>): MaskinportenApi {
  return connectionFor(profileOf(props)).api;
}
