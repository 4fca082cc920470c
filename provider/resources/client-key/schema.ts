/** The inputs of a `ClientKey`: what `check` validates offline and normalizes, the single truth of their shape. */
import { z } from "zod";
import { kidProblem, MAX_KEY_LIFETIME_SECONDS } from "../../api/validation";
import { profileField } from "../shared/rules";
import { ruled } from "../shared/ruled";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An expiry as the API counts it (whole seconds), written the one way `check`, `flatten` and `diff` share. */
export function isoFromSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

export function secondsFromIso(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** An ISO 8601 time in the future and at most a year ahead of `now` (ms), normalized to `isoFromSeconds`. */
function expiry(now: number) {
  const limit = Math.floor(now / 1000) + MAX_KEY_LIFETIME_SECONDS;
  return z
    .string({ error: 'must be an ISO 8601 time such as "2026-06-30T00:00:00Z" (or a Date in the program)' })
    .refine((s) => ISO_8601.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time such as "2026-06-30T00:00:00Z" (or a Date in the program)')
    .transform((s) => isoFromSeconds(secondsFromIso(s)))
    .refine((iso) => secondsFromIso(iso) > Math.floor(now / 1000), "lies in the past; choose an expiry in the future, or leave it out to get Maskinporten's (one year)")
    .refine(
      (iso) => secondsFromIso(iso) <= limit,
      { error: (issue) => `(${String(issue.input)}) is more than one year ahead; Maskinporten keys live at most one year: choose an earlier time, or leave it out` },
    );
}

function inputShape(now: number) {
  return {
    clientId: z
      .string({ error: (issue) => (issue.input === undefined ? "is required: the client_id of the client (e.g. client.clientId)" : "must be a string") })
      .min(1, "must not be empty: the client_id of the client (e.g. client.clientId)"),
    publicKey: z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
      error: "must be a public key: a JWK (object, JSON or base64 JSON), a PEM public key or an X.509 certificate PEM",
    }),
    kid: ruled<string>(kidProblem).optional(),
    expiresAt: expiry(now).optional(),
    profile: profileField(),
  };
}

const unknownKey = { error: (issue: { code: string; keys?: string[] }) => (issue.code === "unrecognized_keys" ? `${(issue.keys ?? []).join(", ")}: not an input of ClientKey; check the spelling` : undefined) };

/** The inputs as the program gives them. `now` (ms) is the clock the expiry rules use. */
export function clientKeySchema(now = Date.now()) {
  return z.strictObject(inputShape(now), unknownKey);
}

/** The inputs as `check` returns them: the kid settled (given, or the key's thumbprint) and the key's thumbprint. */
export function checkedClientKeySchema(now = Date.now()) {
  return z.strictObject({ ...inputShape(now), kid: ruled<string>(kidProblem), thumbprint: z.string() }, unknownKey);
}

export type ClientKeyInputs = z.output<ReturnType<typeof checkedClientKeySchema>>;

/** The resource's id: a kid is unique within its client. */
export function clientKeyId(clientId: string, kid: string): string {
  return `${clientId}/${kid}`;
}
