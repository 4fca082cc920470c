/**
 * The settings both key resources share (how a key pair is generated and named, how a successor is verified, how
 * long a key may live before it rotates) and the one way expiries are written, as seconds and ISO 8601.
 */
import { z } from "zod";
import { JWK_ALGORITHMS } from "../api/jwk-constants";
import { DEFAULT_MODULUS_LENGTH, MODULUS_LENGTHS } from "../keys/generate";
import { DEFAULT_ALGORITHM } from "../keys/jwk";

export const DAY_SECONDS = 24 * 60 * 60;
/** The longest a key can be asked to live before it rotates: Maskinporten keys live a year at most. */
export const MAX_ROTATION_DAYS = 364;
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 180;
export const MAX_VERIFY_TIMEOUT_SECONDS = 900;

/** An expiry as the API counts it (whole seconds), written the one way `check`, `flatten` and `diff` share. */
export function isoFromSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

export function secondsFromIso(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** How a key pair is generated; defaults filled in, so `{}` and the defaults spelt out are the same key. */
export function generateField() {
  return z.strictObject(
    {
      algorithm: z.enum(JWK_ALGORITHMS, { error: `must be one of ${JWK_ALGORITHMS.join(", ")}` }).default(DEFAULT_ALGORITHM),
      modulusLength: z
        .union(
          MODULUS_LENGTHS.map((bits) => z.literal(bits)),
          { error: `must be one of ${MODULUS_LENGTHS.join(", ")} (bits; Maskinporten requires at least 2048)` },
        )
        .default(DEFAULT_MODULUS_LENGTH),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? `${issue.keys.join(", ")}: not a setting of generate (algorithm, modulusLength)` : undefined,
    },
  );
}

/** altinn-jwks' kid naming, `<name>-<ENV>.<yyyy-mm-dd>`; the environment upper case, as altinn-jwks writes it. */
export function kidConventionField() {
  return z.strictObject(
    {
      name: z
        .string({ error: 'must be the client\'s short name, such as "testklient"' })
        .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a short name of letters, digits, ".", "_" and "-", such as "testklient"'),
      environment: z
        .string({ error: 'must be the environment, such as "TEST" or "PROD"' })
        .regex(/^[A-Za-z0-9]{1,20}$/, 'must be letters and digits, such as "TEST" or "PROD"')
        .transform((env) => env.toUpperCase()),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? `${issue.keys.join(", ")}: not a setting of kidConvention (name, environment)` : undefined,
    },
  );
}

/** A token is minted with a new key before the key it replaces goes. */
export function verifyField() {
  return z.strictObject(
    {
      scope: z
        .string({ error: 'must be a scope on the client, such as "difitest:open"' })
        .regex(/^\S+$/, 'must be one scope on the client, without spaces, such as "difitest:open"'),
      timeoutSeconds: z
        .number({ error: "must be a number of seconds" })
        .int("must be a whole number of seconds")
        .min(1, "must be at least 1 second")
        .max(
          MAX_VERIFY_TIMEOUT_SECONDS,
          `must be at most ${MAX_VERIFY_TIMEOUT_SECONDS} seconds; Maskinporten sees a new key within 2 minutes`,
        )
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? `${issue.keys.join(", ")}: not a setting of verify (scope, timeoutSeconds)` : undefined,
    },
  );
}

/** A whole number of days from `min` to `max`. */
export function daysField(min: number, max: number, why: string) {
  return z
    .number({ error: "must be a number of days" })
    .int("must be a whole number of days")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}: ${why}`);
}

export type GenerateSettings = z.output<ReturnType<typeof generateField>>;
export type KidConvention = z.output<ReturnType<typeof kidConventionField>>;
export type VerifySettings = z.output<ReturnType<typeof verifyField>>;
