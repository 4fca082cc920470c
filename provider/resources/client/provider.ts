/**
 * The `Client` resource: a Maskinporten client of Digdir's self-service API. Its id is the client_id, which
 * Digdir assigns.
 *
 * Delete deactivates (the API keeps the client). `adoptClientId` takes over a client made elsewhere, since
 * `pulumi import` does not work for dynamic resources. A client this package creates carries the resource's
 * ownership marker (`owner-marker.ts`), by which a create whose answer was lost, or whose run was killed, is
 * recognised on the next attempt instead of being made twice.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MaskinportenApi } from "../../api/maskinporten-api";
import { MaskinportenError, ResourceInitError } from "../../api/errors";
import { MASKINPORTEN_INTEGRATION_TYPE, type ApiClient } from "../../api/wire";
import { NEEDS } from "../../api/admin-scopes";
import { previewAdoption, type AdoptionSubject } from "../shared/adoption-preview";
import { previewFailures, worthChecking } from "../shared/preview-checks";
import { canonical, diffFields, type FieldSpecs } from "../shared/diff";
import { apiFor, checkResource, parseChecked } from "../shared/methods";
import { gone, initFailureProperties } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { wasUnconfirmed } from "../shared/unconfirmed";
import { containsUnknown } from "../shared/unknown";
import { adoptedClientMissing, adoptionProblem, explainingScopeRejection } from "./errors";
import { newClientRequest, updatedClientRequest } from "./expand";
import { flattenClient, priorOfOutputs } from "./flatten";
import { markerOf } from "./owner-marker";
import { clientSchema, DERIVED_CLIENT_INPUTS, type ClientInputs } from "./schema";

type Props = Record<string, unknown>;

/** `adoptClientId` and `__ownerMarker` are left out: they only matter when the resource is created. */
const FIELDS: FieldSpecs<Omit<ClientInputs, "adoptClientId" | "__ownerMarker">> = {
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

/**
 * Clients this process took over by their marker. When a resource is replaced without a new marker
 * (`pulumi up --replace`), its replacement takes over the same client, and the engine then deletes the old
 * resource: that delete must not deactivate the client the replacement now holds.
 */
const takenOverHere = new Set<string>();

export const clientProvider: ResourceImplementation = {
  async check(olds, news) {
    const checked = checkResource(clientSchema(), news);
    if (checked.failures?.length) return checked;
    const inputs = checked.inputs as Props;
    const refused = await refusedBeforeUp(olds, inputs);
    if (refused.length > 0) return { inputs, failures: refused };
    const clientId = await knownClientId(olds, inputs);
    const adoption = isFirstAdoption(olds, inputs) ? await previewAdoption(clientAdoption(inputs)) : {};
    return { ...checked, inputs: { ...inputs, ...(clientId !== undefined && { clientId }), ...adoption } };
  },

  async diff(_id, olds, news) {
    return replacingForeignIntegrationType(diffFields(olds, news, FIELDS), olds);
  },

  async create(props) {
    const inputs = parseChecked(clientSchema(), props, DERIVED_CLIENT_INPUTS);
    const api = apiFor(inputs);
    const client =
      inputs.adoptClientId === undefined ? await createOwn(api, inputs, props) : await adopt(api, inputs.adoptClientId, inputs, props);
    return { id: client.client_id, outs: flattenClient(client, inputs).outputs };
  },

  async read(id, props) {
    const client = (await apiFor(props).sharedClients()).find((c) => c.client_id === id);
    if (!client) return gone();
    const { inputs, outputs } = flattenClient(client, priorOfOutputs(props));
    return { id, props: keepingLastUpdatedOfOwnWrites(outputs, props, inputs), inputs };
  },

  async update(id, olds, news) {
    const inputs = parseChecked(clientSchema(), news, DERIVED_CLIENT_INPUTS);
    const api = apiFor(inputs);
    if (wasUnconfirmed(olds) && !(await api.findClient(id))) throw unconfirmedLegacyCreate(id);
    // A new profile alone changes nothing at the API; reading with it proves it can manage the client.
    const client = diffFields(olds, news, FIELDS_BUT_PROFILE).changes
      ? await explainingScopeRejection(() => api.updateClient(id, (current) => updatedClientRequest(current, inputs)))
      : await api.getClient(id);
    return { outs: flattenClient(client, inputs).outputs };
  },

  async delete(id, props) {
    if (takenOverHere.has(id)) return;
    await apiFor(props).deleteClient(id);
  },
};

/**
 * The client_id `check` keeps among the inputs: the old inputs', the adopted one, or, for a resource created
 * since its inputs were last stored (its first check had no id yet), the id of the client carrying its marker.
 * That lookup is one shared list read and only helps previews; when it fails the id is simply not known yet.
 */
async function knownClientId(olds: Props, inputs: Props): Promise<string | undefined> {
  const kept = olds["clientId"];
  if (typeof kept === "string" && kept !== "") return kept;
  if (typeof inputs["adoptClientId"] === "string") return inputs["adoptClientId"];
  // Unchanged, the engine keeps the old outputs (clientId among them): adding it to the inputs now would only make
  // the engine write the whole state once per client in the first no-op up after a create.
  if (!worthChecking(olds, inputs, DERIVED_CLIENT_INPUTS)) return undefined;
  const marker = olds["__ownerMarker"];
  if (typeof marker !== "string" || olds["__ownerMarker"] !== inputs["__ownerMarker"]) return undefined;
  try {
    // Several only after a delete and re-add (the old one deactivated): the active one, else the newest.
    const carrying = (await apiFor(inputs).sharedClients())
      .filter((c) => markerOf(c.description) === marker)
      .sort((a, b) => Number(b.active) - Number(a.active) || (b.created ?? "").localeCompare(a.created ?? ""));
    return carrying[0]?.client_id;
  } catch {
    return undefined;
  }
}

/**
 * What `up` would refuse, found by reading (see preview-checks.ts): for a new client or a changed one, the
 * credential and its admin scope (dcr.write for a create, dcr.write or dcr.modify for the PUT of an update or
 * an adoption), dcr.supplier for another organisation's client, and scopes the organisation may not use.
 */
async function refusedBeforeUp(olds: Props, inputs: Props): Promise<pulumi.dynamic.CheckFailure[]> {
  if (!worthChecking(olds, inputs, DERIVED_CLIENT_INPUTS)) return [];
  const creates = typeof olds["clientId"] !== "string" && inputs["adoptClientId"] === undefined;
  return previewFailures({
    profile: inputs["profile"],
    need: creates ? NEEDS.writeClients : NEEDS.writeKeys,
    operation: creates ? "create client" : "update client",
    clientOrgno: inputs["clientOrgno"],
    clientScopes: inputs["scopes"],
  });
}

/** A resource being created by adopting an existing client (it has no client_id stored yet). */
function isFirstAdoption(olds: Props, inputs: Props): boolean {
  return typeof inputs["adoptClientId"] === "string" && typeof olds["clientId"] !== "string";
}

/** The client `adoptClientId` names, read from the shared list of the credential's clients, against the program. */
function clientAdoption(inputs: Props): AdoptionSubject {
  const clientId = inputs["adoptClientId"] as string;
  return {
    what: `Client adopting client_id ${clientId}`,
    wanted: inputs,
    specs: FIELDS_BUT_PROFILE,
    async read() {
      if (containsUnknown(inputs["profile"])) return { notPreviewable: "its profile is not known during preview" };
      const found = (await apiFor(inputs).sharedClients()).find((c) => c.client_id === clientId);
      if (!found) return { notPreviewable: "the credential's list of clients does not hold it; `up` reads it by its id" };
      return { found: flattenClient(found, inputs).outputs };
    },
  };
}

/**
 * The stored `lastUpdated` when nothing the resource manages changed. Digdir moves a client's `last_updated`
 * with writes that are not the client's own (registering a key moves it), and this package makes those
 * writes itself: reporting each as drift made `refresh` show a change nobody made. So `lastUpdated` is when
 * the client's managed fields were last seen to change, and a refresh that finds them as stored reports nothing.
 */
function keepingLastUpdatedOfOwnWrites(outputs: Props, stored: Props, managed: Props): Props {
  const same = Object.entries(managed).every(([field, value]) => canonical(stored[field]) === canonical(value));
  return same && stored["lastUpdated"] !== undefined ? { ...outputs, lastUpdated: stored["lastUpdated"] } : outputs;
}

/** An integration type other than Maskinporten's can only be left by a new client. */
function replacingForeignIntegrationType(result: pulumi.dynamic.DiffResult, olds: Props): pulumi.dynamic.DiffResult {
  const type = olds["integrationType"];
  if (type === undefined || type === MASKINPORTEN_INTEGRATION_TYPE) return result;
  return { changes: true, replaces: [...(result.replaces ?? []), "integrationType"], deleteBeforeReplace: false };
}

/** Recognises the client a resource created: an active Maskinporten client carrying its marker. */
function carrying(marker: string): (client: ApiClient) => boolean {
  return (client) => client.integration_type === MASKINPORTEN_INTEGRATION_TYPE && markerOf(client.description) === marker;
}

/**
 * Creates the resource's client, unless a client carrying its marker exists already (an earlier attempt whose
 * answer was lost, or whose run was killed): that one is taken over and converged, as an adopted one is.
 */
async function createOwn(api: MaskinportenApi, inputs: ClientInputs, props: Props): Promise<ApiClient> {
  const recognise = inputs.__ownerMarker === undefined ? undefined : carrying(inputs.__ownerMarker);
  const earlier = recognise && (await api.findOwnClient(recognise));
  if (earlier) {
    takenOverHere.add(earlier.client_id);
    return converged(api, earlier, inputs, props);
  }
  const created = await explainingScopeRejection(() => api.createClient(newClientRequest(inputs), recognise));
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
  return converged(api, found, inputs, props);
}

/** An existing client brought in line with the inputs; written only where it differs. */
async function converged(api: MaskinportenApi, found: ApiClient, inputs: ClientInputs, props: Props): Promise<ApiClient> {
  if (!diffFields(flattenClient(found, inputs).outputs, inputs, FIELDS).changes) return found;
  return finishing(found, inputs, props, () =>
    explainingScopeRejection(() => api.updateClient(found.client_id, (current) => updatedClientRequest(current, inputs))),
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

/**
 * State left by an earlier version whose create (under a client_id it chose) had an unknown outcome, and the
 * client is not there: this version never sends a client_id, so it cannot be made under that id.
 */
function unconfirmedLegacyCreate(id: string): MaskinportenError {
  return new MaskinportenError(
    "CREATE_NOT_FOUND",
    `client ${id}, whose creation an earlier version of pulumi-maskinporten could not confirm, does not exist: run \`pulumi refresh\` ` +
      "so the stack forgets it, then `pulumi up` creates the client anew",
  );
}
