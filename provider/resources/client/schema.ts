/** The inputs of a `Client`: what `check` validates offline and normalizes, the single truth of their shape. */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { pathSegmentProblem } from "../../api/path-segment";
import { orgnoProblem, scopeNameProblem } from "../../api/validation";
import type { ClientRequest } from "../../api/wire";
import { lifetimeField, profileField, stringSet } from "../shared/rules";
import { ruled } from "../shared/ruled";

/** What the simulator and the API accept as a client_id; real ones are UUIDs. */
const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;

function nonEmptyText(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : "must be a string") })
    .refine((s) => s.trim() !== "", `must not be empty: ${what}`);
}

export function clientSchema() {
  return z.strictObject(
    {
      clientName: nonEmptyText("the name the client has in Digdir's portal, such as \"myapp-prod\""),
      description: nonEmptyText("say in a sentence what the client is for, or leave it out").optional(),
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
        .regex(CLIENT_ID_PATTERN, "must be the client_id of an existing client, as shown in Digdir's portal (letters, digits, '.', '_', ':', '-')")
        .refine((id) => id !== "." && id !== "..", { error: (issue) => `${pathSegmentProblem(String(issue.input))}; give the client_id of an existing client, as shown in Digdir's portal` })
        .optional(),
      profile: profileField(),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? `${issue.keys.join(", ")}: not an input of Client; check the spelling` : undefined) },
  );
}

export type ClientInputs = z.output<ReturnType<typeof clientSchema>>;

/**
 * Inputs `check` adds: the client_id, chosen before the client exists. Kept with the inputs, it stays known
 * while the engine previews an update (a dynamic resource's outputs are then its new inputs), so a ClientKey
 * of the client does not show a change; and a create whose response is lost is found by it.
 */
export const DERIVED_CLIENT_INPUTS = ["clientId"] as const;

/**
 * The client_id of a resource: the one it has (old inputs), the adopted one, or a new random one. On a
 * replacement the engine checks again without old inputs, so the new client gets a new id.
 */
export function chosenClientId(olds: Record<string, unknown>, inputs: ClientInputs): { clientId: string } {
  const kept = olds["clientId"];
  if (typeof kept === "string" && kept !== "") return { clientId: kept };
  return { clientId: inputs.adoptClientId ?? randomUUID() };
}

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
