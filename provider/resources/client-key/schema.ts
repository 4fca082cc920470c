/** The inputs of a `ClientKey`: what `check` validates offline and normalizes, the single truth of their shape. */
import { z } from "zod";
import { kidProblem, MAX_KEY_LIFETIME_SECONDS } from "../../api/validation";
import {
  daysField,
  generateField,
  isoFromSeconds,
  kidConventionField,
  MAX_ROTATION_DAYS,
  secondsFromIso,
  verifyField,
} from "../../key-lifecycle/settings";
import { clientIdField, profileField } from "../shared/rules";
import { ruled } from "../shared/ruled";
import { ownerMarkerField } from "../shared/resource-marker";
import { builtOnce } from "../shared/built-once";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** An ISO 8601 time in the future and at most a year ahead of `now()` (ms, read when the time is checked), normalized to `isoFromSeconds`. */
function expiry(now: () => number) {
  return z
    .string({ error: 'must be an ISO 8601 time such as "2026-06-30T00:00:00Z" (or a Date in the program)' })
    .refine(
      (s) => ISO_8601.test(s) && !Number.isNaN(Date.parse(s)),
      'must be an ISO 8601 time such as "2026-06-30T00:00:00Z" (or a Date in the program)',
    )
    .transform((s) => isoFromSeconds(secondsFromIso(s)))
    .refine(
      (iso) => secondsFromIso(iso) > Math.floor(now() / 1000),
      "lies in the past; choose an expiry in the future, or leave it out to get Maskinporten's (one year)",
    )
    .refine((iso) => secondsFromIso(iso) <= Math.floor(now() / 1000) + MAX_KEY_LIFETIME_SECONDS, {
      error: (issue) =>
        `(${String(issue.input)}) is more than one year ahead; Maskinporten keys live at most one year: choose an earlier time, or leave it out`,
    });
}

const KEY_LIFETIME = "Maskinporten keys live at most one year";

function inputShape(now: () => number) {
  return {
    clientId: clientIdField("the client_id of the client (e.g. client.clientId)"),
    publicKey: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())], {
        error: "must be a public key: a JWK (object, JSON or base64 JSON), a PEM public key or an X.509 certificate PEM",
      })
      .optional(),
    generate: generateField().optional(),
    kid: ruled<string>(kidProblem).optional(),
    kidConvention: kidConventionField().optional(),
    expiresAt: expiry(now).optional(),
    rotateAfterDays: daysField(1, MAX_ROTATION_DAYS, KEY_LIFETIME).optional(),
    rotateBeforeExpiryDays: daysField(1, MAX_ROTATION_DAYS, KEY_LIFETIME).optional(),
    verify: verifyField().optional(),
    profile: profileField(),
    __ownerMarker: ownerMarkerField("ClientKey"),
  };
}

type Shape = { [K in keyof ReturnType<typeof inputShape>]?: unknown };

/** The inputs that only make sense for a key pair the provider makes, and why. */
const GENERATED_ONLY = {
  kidConvention: "names a key pair the provider generates",
  rotateAfterDays: "rotates a key pair the provider generates (a successor has to be made)",
  rotateBeforeExpiryDays: "rotates a key pair the provider generates (a successor has to be made)",
  verify: "mints a token with the private key, which the provider has only for a key pair it generates",
} as const;

/** Rules across inputs: which key (exactly one of publicKey, generate) and what goes with it. */
function modeRules(inputs: Shape, ctx: z.RefinementCtx): void {
  const problem = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
  if (inputs.publicKey === undefined && inputs.generate === undefined) {
    problem(
      "publicKey",
      "is required unless generate is given: give the public key you have, or generate: {} to let the provider make the key pair",
    );
    return;
  }
  if (inputs.publicKey !== undefined && inputs.generate !== undefined) {
    problem(
      "generate",
      "cannot be used with publicKey: either register the public key you have (publicKey), or let the provider make a key pair (generate)",
    );
    return;
  }
  if (inputs.publicKey !== undefined) {
    for (const [field, what] of Object.entries(GENERATED_ONLY)) {
      if (inputs[field as keyof Shape] !== undefined) {
        problem(
          field,
          `${what}; with publicKey, the program supplies the key: give a new publicKey (and kid) to rotate, or use generate instead of publicKey`,
        );
      }
    }
    return;
  }
  const rotates = inputs.rotateAfterDays !== undefined || inputs.rotateBeforeExpiryDays !== undefined;
  if (inputs.kid !== undefined && inputs.kidConvention !== undefined) {
    problem("kidConvention", "cannot be used with kid: give one of them");
  }
  if (inputs.kid !== undefined && rotates) {
    problem(
      "kid",
      "cannot be fixed on a key that rotates: each successor needs its own kid while both are registered; leave kid out (the key's thumbprint) or use kidConvention",
    );
  }
  if (inputs.expiresAt !== undefined && rotates) {
    problem(
      "expiresAt",
      "cannot be fixed on a key that rotates: each successor gets Maskinporten's expiry (one year after it is made); leave expiresAt out",
    );
  }
}

const unknownKey = {
  error: (issue: { code: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" ? `${(issue.keys ?? []).join(", ")}: not an input of ClientKey; check the spelling` : undefined,
};

/** The inputs as the program gives them. `now` (ms) is the clock the expiry rules use; without it, the time of the parse. */
export function clientKeySchema(now?: number) {
  return now === undefined ? clientKeySchemaNow() : buildClientKeySchema(() => now);
}

function buildClientKeySchema(now: () => number) {
  return z.strictObject(inputShape(now), unknownKey).superRefine(modeRules);
}

const clientKeySchemaNow = builtOnce(() => buildClientKeySchema(() => Date.now()));

/**
 * The inputs as `check` returns them. A given public key has its kid settled (given, or the key's thumbprint)
 * and its thumbprint; a generated key has neither until it is made (unless the kid is given).
 */
export function checkedClientKeySchema(now?: number) {
  return now === undefined ? checkedClientKeySchemaNow() : buildCheckedClientKeySchema(() => now);
}

function buildCheckedClientKeySchema(now: () => number) {
  return z.strictObject({ ...inputShape(now), thumbprint: z.string().optional() }, unknownKey).superRefine((inputs, ctx) => {
    if (inputs.publicKey === undefined) return;
    for (const field of ["kid", "thumbprint"] as const) {
      if (inputs[field] === undefined)
        ctx.addIssue({ code: "custom", path: [field], message: "is settled by check for a given publicKey" });
    }
  });
}

const checkedClientKeySchemaNow = builtOnce(() => buildCheckedClientKeySchema(() => Date.now()));

export type ClientKeyInputs = z.output<ReturnType<typeof checkedClientKeySchema>>;

/** The resource's id: a kid is unique within its client. */
export function clientKeyId(clientId: string, kid: string): string {
  return `${clientId}/${kid}`;
}
