/** A client's inputs → the self-service API's request bodies. Pure. */
import { JWT_BEARER_GRANT, MASKINPORTEN_INTEGRATION_TYPE, PRIVATE_KEY_JWT, type ApiClient, type ClientRequest } from "../../api/wire";
import { definedOnly } from "../shared/outputs";
import { markerOf, withMarker } from "./owner-marker";
import { OPTIONAL_CLIENT_FIELDS, type ClientInputs, type OptionalClientField } from "./schema";

/** What makes a client a Maskinporten client; fixed at creation. */
export const MASKINPORTEN_CLIENT = {
  integration_type: MASKINPORTEN_INTEGRATION_TYPE,
  application_type: "web",
  token_endpoint_auth_method: PRIVATE_KEY_JWT,
  grant_types: [JWT_BEARER_GRANT],
} as const satisfies ClientRequest;

/** The fields the inputs manage. Optional ones the program leaves out are absent, so the server's value stands. */
export function managedFields(inputs: ClientInputs): ClientRequest {
  const body: Record<string, unknown> = {
    client_name: inputs.clientName,
    scopes: [...inputs.scopes],
    active: inputs.active,
  };
  for (const field of Object.keys(OPTIONAL_CLIENT_FIELDS) as OptionalClientField[]) {
    if (inputs[field] !== undefined) body[OPTIONAL_CLIENT_FIELDS[field]] = inputs[field];
  }
  return definedOnly(body) as ClientRequest;
}

/**
 * The POST body of a new Maskinporten client. Digdir's portal requires a description, so a program without
 * one gets the client's name; the description stays unmanaged. It ends with the ownership marker (see
 * `owner-marker.ts`). No `client_id`: Digdir assigns it.
 */
export function newClientRequest(inputs: ClientInputs): ClientRequest {
  const fields = managedFields(inputs);
  return {
    ...MASKINPORTEN_CLIENT,
    ...fields,
    description: withMarker(inputs.description ?? inputs.clientName, inputs.__ownerMarker),
    ...(inputs.clientOrgno !== undefined && { client_orgno: inputs.clientOrgno }),
  };
}

/**
 * The PUT body: the client as the API holds it now, with the managed fields replaced. Everything else
 * (integration type, grant types, keys, fields this package does not know) is sent back as it was, since PUT
 * replaces the whole client. A managed description keeps the marker the client has; a client without one
 * (adopted, or created by an earlier version) never gets one.
 */
export function updatedClientRequest(current: ApiClient, inputs: ClientInputs): ClientRequest {
  const fields = managedFields(inputs);
  if (fields.description !== undefined) fields.description = withMarker(fields.description, markerOf(current.description));
  return { ...current, ...fields };
}
