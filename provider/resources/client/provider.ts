/**
 * The `Client` resource: a Maskinporten client of Digdir's self-service API. Its id is the client_id.
 *
 * Delete deactivates (the API keeps the client). `adoptClientId` takes over a client made elsewhere, since
 * `pulumi import` does not work for dynamic resources.
 */
import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { CreateOutcomeUnknownError, type MaskinportenApi } from "../../api/maskinporten-api";
import { MASKINPORTEN_INTEGRATION_TYPE, type ApiClient } from "../../api/wire";
import { diffFields, type FieldSpecs } from "../shared/diff";
import { ResourceInitError } from "../shared/init-failure";
import { apiFor, checkResource, parseChecked } from "../shared/methods";
import { gone, initFailureProperties } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { unconfirmedCreate, wasUnconfirmed } from "../shared/unconfirmed";
import { adoptedClientMissing, adoptionProblem, explainingScopeRejection } from "./errors";
import { newClientRequest, updatedClientRequest } from "./expand";
import { flattenClient, priorOfOutputs } from "./flatten";
import { chosenClientId, clientSchema, DERIVED_CLIENT_INPUTS, type ClientInputs } from "./schema";

type Props = Record<string, unknown>;

/** `adoptClientId` is left out: it only matters when the resource is created. */
const FIELDS: FieldSpecs<Omit<ClientInputs, "adoptClientId">> = {
  clientName: {},
  description: { unmanagedWhenUnset: true },
  scopes: {},
  accessTokenLifetime: { unmanagedWhenUnset: true },
  authorizationLifetime: { unmanagedWhenUnset: true },
  // Left out, the client stays in the organisation it is in.
  clientOrgno: { replaces: true, unmanagedWhenUnset: true },
  active: { absent: true },
  profile: {},
};

const { profile: _profile, ...FIELDS_BUT_PROFILE } = FIELDS;

export const clientProvider: ResourceImplementation = {
  async check(olds, news) {
    return checkResource(clientSchema(), news, (inputs) => chosenClientId(olds, inputs));
  },

  async diff(_id, olds, news) {
    return replacingForeignIntegrationType(diffFields(olds, news, FIELDS), olds);
  },

  async create(props) {
    const inputs = parseChecked(clientSchema(), props, DERIVED_CLIENT_INPUTS);
    const api = apiFor(inputs);
    const client =
      inputs.adoptClientId === undefined ? await createNew(api, inputs, props, chosenId(props)) : await adopt(api, inputs.adoptClientId, inputs, props);
    return { id: client.client_id, outs: flattenClient(client, inputs).outputs };
  },

  async read(id, props) {
    const client = (await apiFor(props).sharedClients()).find((c) => c.client_id === id);
    if (!client) return gone();
    const { inputs, outputs } = flattenClient(client, priorOfOutputs(props));
    return { id, props: outputs, inputs };
  },

  async update(id, olds, news) {
    const inputs = parseChecked(clientSchema(), news, DERIVED_CLIENT_INPUTS);
    const api = apiFor(inputs);
    if (wasUnconfirmed(olds) && !(await api.findClient(id))) {
      return { outs: flattenClient(await createNew(api, inputs, news, id), inputs).outputs };
    }
    // A new profile alone changes nothing at the API; reading with it proves it can manage the client.
    const client = diffFields(olds, news, FIELDS_BUT_PROFILE).changes
      ? await explainingScopeRejection(() => api.updateClient(id, (current) => updatedClientRequest(current, inputs)))
      : await api.getClient(id);
    return { outs: flattenClient(client, inputs).outputs };
  },

  async delete(id, props) {
    await apiFor(props).deleteClient(id);
  },
};

/** An integration type other than Maskinporten's can only be left by a new client. */
function replacingForeignIntegrationType(result: pulumi.dynamic.DiffResult, olds: Props): pulumi.dynamic.DiffResult {
  const type = olds["integrationType"];
  if (type === undefined || type === MASKINPORTEN_INTEGRATION_TYPE) return result;
  return { changes: true, replaces: [...(result.replaces ?? []), "integrationType"], deleteBeforeReplace: false };
}

/** The client_id `check` chose; state from versions that did not choose one gets a new one here. */
function chosenId(props: Props): string | undefined {
  const id = props["clientId"];
  return typeof id === "string" && id !== "" ? id : undefined;
}

async function createNew(api: MaskinportenApi, inputs: ClientInputs, props: Props, clientId: string = randomUUID()): Promise<ApiClient> {
  const request = { ...newClientRequest(inputs), client_id: clientId };
  let created: ApiClient;
  try {
    created = await explainingScopeRejection(() => api.createClient(request));
  } catch (err) {
    if (!(err instanceof CreateOutcomeUnknownError)) throw err;
    throw unconfirmedCreate(clientId, props, flattenClient({ ...request, active: true } as ApiClient, inputs).outputs, err);
  }
  if (created.active === inputs.active) return created;
  // The API creates clients active: an inactive one takes a second write.
  return finishing(created, inputs, props, () => api.updateClient(created.client_id, (current) => updatedClientRequest(current, inputs)));
}

/** Takes over an existing client: reads it, refuses one that cannot be this resource, then converges it. */
async function adopt(api: MaskinportenApi, clientId: string, inputs: ClientInputs, props: Props): Promise<ApiClient> {
  const found = await api.findClient(clientId);
  if (!found) throw adoptedClientMissing(clientId);
  const problem = adoptionProblem(found, inputs.clientOrgno);
  if (problem) throw problem;
  if (!diffFields(flattenClient(found, inputs).outputs, inputs, FIELDS).changes) return found;
  return finishing(found, inputs, props, () =>
    explainingScopeRejection(() => api.updateClient(clientId, (current) => updatedClientRequest(current, inputs))),
  );
}

/**
 * A step after the client exists (created or adopted): if it fails, the engine keeps the client in the stack
 * (an initialisation failure) so the next `up` finishes it instead of orphaning it.
 */
async function finishing(client: ApiClient, inputs: ClientInputs, props: Props, step: () => Promise<ApiClient>): Promise<ApiClient> {
  try {
    return await step();
  } catch (err) {
    throw new ResourceInitError(client.client_id, initFailureProperties(props, flattenClient(client, inputs).outputs), err);
  }
}
