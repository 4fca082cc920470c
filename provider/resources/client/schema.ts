/** The inputs of a `Client`: what `check` validates offline and normalizes, the single truth of their shape. */
import { z } from "zod";
import { pathSegmentProblem } from "../../api/path-segment";
import { orgnoProblem, scopeNameProblem } from "../../api/validation";
import type { ClientRequest } from "../../api/wire";
import { ADOPTION_CHANGES } from "../shared/adoption-preview";
import { lifetimeField, profileField, stringSet } from "../shared/rules";
import { ruled } from "../shared/ruled";
import { builtOnce } from "../shared/built-once";
import { looksMarked } from "./owner-marker";
import { ownerMarkerField } from "../shared/resource-marker";

/** What the simulator and the API accept as a client_id; real ones are UUIDs. */
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;

function nonEmptyText(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : "must be a string") })
    .refine((s) => s.trim() !== "", `must not be empty: ${what}`);
}

export const clientSchema = builtOnce(() =>
  z.strictObject(
    {
      clientName: nonEmptyText('the name the client has in Digdir\'s portal, such as "myapp-prod"'),
      description: nonEmptyText("say in a sentence what the client is for, or leave it out")
        .refine((s) => !looksMarked(s), 'must not contain "[pulumi-maskinporten:": the package puts its ownership marker there itself')
        .optional(),
      scopes: stringSet(ruled<string>(scopeNameProblem)).refine(
        (scopes) => scopes.length > 0,
        'must hold at least one scope: Maskinporten does not register a client without one (e.g. ["difitest:open"])',
      ),
      accessTokenLifetime: lifetimeField().optional(),
      authorizationLifetime: lifetimeField().optional(),
      clientOrgno: ruled<string>(orgnoProblem).optional(),
      active: z.boolean({ error: "must be true or false" }).default(true),
      adoptClientId: z
        .string()
        .regex(
          CLIENT_ID_PATTERN,
          "must be the client_id of an existing client, as shown in Digdir's portal (letters, digits, '.', '_', ':', '-')",
        )
        .refine((id) => id !== "." && id !== "..", {
          error: (issue) =>
            `${pathSegmentProblem(String(issue.input))}; give the client_id of an existing client, as shown in Digdir's portal`,
        })
        .optional(),
      profile: profileField(),
      __ownerMarker: ownerMarkerField("Client"),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? `${issue.keys.join(", ")}: not an input of Client; check the spelling` : undefined,
    },
  ),
);

export type ClientInputs = z.output<ReturnType<typeof clientSchema>>;

/**
 * Inputs `check` adds: the client_id, once known (kept from the old inputs, the adopted one, or found by the
 * ownership marker for a resource created since the inputs were last stored). Kept with the inputs, it stays
 * known while the engine previews an update (a dynamic resource's outputs are then its new inputs), so a
 * ClientKey of the client does not show a change. A new client has none: Digdir assigns it. And, on the create
 * of an adoption, what adopting will change on the existing client (`adoption-preview.ts`).
 */
export const DERIVED_CLIENT_INPUTS = ["clientId", ADOPTION_CHANGES] as const;

/**
 * The optional inputs that travel to the API, with their wire names. Each is managed only while the program
 * sets it: left out, the server's value stands and never shows as a change.
 */
export const OPTIONAL_CLIENT_FIELDS = {
  description: "description",
  accessTokenLifetime: "access_token_lifetime",
  authorizationLifetime: "authorization_lifetime",
} as const satisfies { [K in keyof ClientInputs]?: keyof ClientRequest };

export type OptionalClientField = keyof typeof OPTIONAL_CLIENT_FIELDS;
