/** A client from the self-service API → the resource's inputs and outputs. Pure. */
import type { ApiClient } from "../../api/wire";
import { definedOnly, keptProfile } from "../shared/outputs";
import { OPTIONAL_CLIENT_FIELDS, type OptionalClientField } from "./schema";

export interface FlattenedClient {
  /** The inputs as the API holds them: what `read` reports so later previews compare with reality. */
  inputs: Record<string, unknown>;
  /** The inputs plus the server's fields: the state `diff` gets as `olds`. */
  outputs: Record<string, unknown>;
}

/**
 * `prior` holds the inputs (or earlier outputs) that decide which optional fields are managed: only those
 * the program set are reported. `clientOrgno` is always an output (whose organisation the client is), so in
 * the inputs `read` reports it too; it is unmanaged while the program leaves it out. `profile` and
 * `adoptClientId` are not the API's to know and come from `prior`.
 */
export function flattenClient(client: ApiClient, prior: Record<string, unknown>): FlattenedClient {
  const inputs: Record<string, unknown> = {
    clientId: client.client_id,
    clientName: client.client_name ?? "",
    scopes: [...new Set(client.scopes)].sort(),
    active: client.active,
  };
  for (const field of Object.keys(OPTIONAL_CLIENT_FIELDS) as OptionalClientField[]) {
    if (prior[field] !== undefined) inputs[field] = client[OPTIONAL_CLIENT_FIELDS[field]];
  }
  if (prior["clientOrgno"] !== undefined) inputs["clientOrgno"] = client.client_orgno;
  if (typeof prior["adoptClientId"] === "string") inputs["adoptClientId"] = prior["adoptClientId"];
  const managed = definedOnly({ ...inputs, ...keptProfile(prior) });
  const outputs = definedOnly({
    ...managed,
    clientOrgno: client.client_orgno,
    integrationType: client.integration_type,
    created: client.created,
    lastUpdated: client.last_updated,
  });
  return { inputs: managed, outputs };
}
