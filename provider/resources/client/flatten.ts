/** A client from the self-service API → the resource's inputs and outputs. Pure. */
import type { ApiClient } from "../../api/wire";
import { definedOnly, keptProfile } from "../shared/outputs";
import { withoutMarker } from "./owner-marker";
import { OPTIONAL_CLIENT_FIELDS, type OptionalClientField } from "./schema";

export interface FlattenedClient {
  /** The inputs as the API holds them: what `read` reports so later previews compare with reality. */
  inputs: Record<string, unknown>;
  /** The inputs plus the server's fields: the state `diff` gets as `olds`. */
  outputs: Record<string, unknown>;
}

/**
 * An output set only when the program sets `clientOrgno`. The `clientOrgno` output is always there (whose
 * organisation the client is), so without it `read`, which gets only the outputs, could not tell a managed
 * `clientOrgno` from an unmanaged one; reporting it as an input when the program leaves it out made every
 * `preview --diff` of an update after a refresh show a spurious `- clientOrgno`.
 */
export const CLIENT_ORGNO_MANAGED = "clientOrgnoManaged";

/**
 * `prior` holds the inputs (or earlier outputs) that decide which optional fields are managed: only those
 * the program set are reported. `clientOrgno` is always an output; it is reported as an input only while the
 * program sets it (see {@link priorOfOutputs}). `profile`, `adoptClientId` and `__ownerMarker` are not the API's
 * to know and come from `prior`. The description is reported without the ownership marker, as the user wrote it.
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
  if (typeof inputs["description"] === "string") inputs["description"] = withoutMarker(inputs["description"]);
  if (prior["clientOrgno"] !== undefined) inputs["clientOrgno"] = client.client_orgno;
  for (const kept of ["adoptClientId", "__ownerMarker"]) if (typeof prior[kept] === "string") inputs[kept] = prior[kept];
  const managed = definedOnly({ ...inputs, ...keptProfile(prior) });
  const outputs = definedOnly({
    ...managed,
    ...(inputs["clientOrgno"] !== undefined && { [CLIENT_ORGNO_MANAGED]: true }),
    clientOrgno: client.client_orgno,
    integrationType: client.integration_type,
    created: client.created,
    lastUpdated: client.last_updated,
  });
  return { inputs: managed, outputs };
}

/**
 * The stored outputs as `prior` for {@link flattenClient} in `read`: `clientOrgno` counts as set by the program
 * only when the outputs carry the {@link CLIENT_ORGNO_MANAGED} mark. (State written before the mark existed
 * reads as unmanaged; the next update writes the mark.)
 */
export function priorOfOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  if (outputs[CLIENT_ORGNO_MANAGED] === true) return outputs;
  const { clientOrgno: _orgno, ...rest } = outputs;
  return rest;
}
