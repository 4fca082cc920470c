/** The inputs of a `Scope`: what `check` validates offline and normalizes, the single truth of their shape. */
import { z } from "zod";
import { prefixProblem, subscopeProblem } from "../../api/validation";
import { SCOPE_INTEGRATION_TYPES, SCOPE_VISIBILITIES, TOKEN_TYPES, type ScopeRequest } from "../../api/wire";
import { ADOPTION_CHANGES } from "../shared/adoption-preview";
import { lifetimeField, profileField, stringSet, unknownInput } from "../shared/rules";
import { ruled } from "../shared/ruled";
import { builtOnce } from "../shared/built-once";

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `must be one of ${values.join(", ")}, got ${JSON.stringify(issue.input)}` });
}

export const scopeSchema = builtOnce(() =>
  z.strictObject(
    {
      prefix: ruled<string>(prefixProblem),
      subscope: ruled<string>(subscopeProblem),
      description: z
        .string({
          error: (issue) =>
            issue.input === undefined ? "is required: say in a sentence what the API gives access to" : "must be a string",
        })
        .refine((s) => s.trim() !== "", "must not be empty: say in a sentence what the API gives access to"),
      longDescription: z.string().optional(),
      visibility: oneOf(SCOPE_VISIBILITIES).optional(),
      allowedIntegrationTypes: stringSet(oneOf(SCOPE_INTEGRATION_TYPES))
        .refine((types) => types.length > 0, 'must not be empty: allow at least "maskinporten", or leave it out')
        .optional(),
      accessibleForAll: z.boolean().optional(),
      tokenType: oneOf(TOKEN_TYPES).optional(),
      atMaxAge: lifetimeField().optional(),
      authorizationMaxLifetime: lifetimeField().optional(),
      delegationSource: z.string().min(1, "must not be empty; leave it out for none").optional(),
      requiresUserConsent: z.boolean().optional(),
      requiresUserAuthentication: z.boolean().optional(),
      requiresPseudonymousTokens: z.boolean().optional(),
      enforcedAudForAccessToken: z.string().min(1, "must not be empty; leave it out for none").optional(),
      adopt: z.boolean().optional(),
      profile: profileField(),
    },
    unknownInput("Scope"),
  ),
);

export type ScopeInputs = z.output<ReturnType<typeof scopeSchema>>;

/**
 * The optional inputs that travel to the API, with their wire names. Each is managed only while the program
 * sets it: left out, the server's value stands and never shows as a change.
 */
export const OPTIONAL_SCOPE_FIELDS = {
  longDescription: "long_description",
  visibility: "visibility",
  allowedIntegrationTypes: "allowed_integration_types",
  accessibleForAll: "accessible_for_all",
  tokenType: "token_type",
  atMaxAge: "at_max_age",
  authorizationMaxLifetime: "authorization_max_lifetime",
  delegationSource: "delegation_source",
  requiresUserConsent: "requires_user_consent",
  requiresUserAuthentication: "requires_user_authentication",
  requiresPseudonymousTokens: "requires_pseudonymous_tokens",
  enforcedAudForAccessToken: "enforced_aud_for_access_token",
} as const satisfies { [K in keyof ScopeInputs]?: keyof ScopeRequest };

export type OptionalScopeField = keyof typeof OPTIONAL_SCOPE_FIELDS;

/** The scope's name, which is also its id. */
export function scopeName(inputs: { prefix: string; subscope: string }): string {
  return `${inputs.prefix}:${inputs.subscope}`;
}

/**
 * `name` is kept with the inputs too, so that `scope.name` stays known in a preview of an update and a
 * ScopeGrant given `scope: scope.name` does not show a replacement (see `Derive`). On the create of an
 * adoption, `check` adds what adopting will change on the existing scope (`adoption-preview.ts`).
 */
export const DERIVED_SCOPE_INPUTS = ["name", ADOPTION_CHANGES] as const;

export function derivedScopeInputs(inputs: { prefix: string; subscope: string }): { name: string } {
  return { name: scopeName(inputs) };
}
