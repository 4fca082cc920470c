/**
 * The `ScopeGrant` resource: an API owner lets a consumer organisation use one of its scopes. Its id is
 * `<scope>/<consumer orgno>`.
 *
 * Granting is an idempotent PUT; revoking leaves the grant listed as DENIED, which `read` reports as gone
 * (like a missing grant) so that `up` grants it again.
 */
import { ApiError } from "../../api/errors";
import type { MaskinportenApi } from "../../api/maskinporten-api";
import type { ScopeAccess } from "../../api/wire";
import { NEEDS } from "../../api/admin-scopes";
import { diffFields, type FieldSpecs } from "../shared/diff";
import { notePendingGrant, previewFailures, worthChecking } from "../shared/preview-checks";
import { apiFor, checkResource, parseChecked } from "../shared/methods";
import { definedOnly, gone } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { grantId, parseGrantId, type GrantAddress } from "./expand";
import { flattenGrant } from "./flatten";
import { scopeGrantSchema, type ScopeGrantInputs } from "./schema";

const DIFF_SPECS: FieldSpecs<ScopeGrantInputs> = {
  scope: { replaces: true },
  consumerOrgno: { replaces: true },
  profile: {},
};

export const scopeGrantProvider: ResourceImplementation = {
  async check(olds, news) {
    const checked = checkResource(scopeGrantSchema(), news);
    const inputs = checked.inputs as Record<string, unknown> | undefined;
    if (checked.failures?.length || !inputs) return checked;
    // A Client of this program using the scope must not be refused for a grant this program makes first.
    notePendingGrant(inputs["scope"], inputs["consumerOrgno"]);
    // A new profile alone sends nothing (everything else replaces the grant).
    if (!worthChecking(olds, inputs, ["profile"])) return checked;
    const failures = await previewFailures({
      profile: inputs["profile"],
      need: NEEDS.writeScopes,
      operation: "grant access to scope",
      ownPrefix: { property: "scope", value: inputs["scope"], isScopeName: true },
    });
    return failures.length > 0 ? { inputs, failures } : checked;
  },

  async diff(_id, olds, news) {
    return diffFields(olds, news, DIFF_SPECS);
  },

  async create(news) {
    const desired = parseChecked(scopeGrantSchema(), news);
    const access = await apiFor(desired).grantAccess(desired.scope, desired.consumerOrgno);
    return { id: grantId(desired), outs: flattenGrant(access, desired).outputs };
  },

  async read(id, props) {
    const access = await approvedGrant(apiFor(props), addressOf(id, props));
    if (!access) return gone();
    const { inputs, outputs } = flattenGrant(access, props);
    return { id, props: outputs, inputs };
  },

  /** Everything but `profile` replaces, so there is nothing to send: the grant is the same one. */
  async update(_id, olds, news) {
    const desired = parseChecked(scopeGrantSchema(), news);
    const { __provider: _provider, profile: _oldProfile, ...kept } = olds;
    return { outs: definedOnly({ ...kept, ...desired }) };
  },

  async delete(id, props) {
    const { scope, consumerOrgno } = addressOf(id, props);
    await apiFor(props).revokeAccess(scope, consumerOrgno);
  },
};

/** The id is the truth (it is what the engine keys the resource by); state from any version has it. */
function addressOf(id: string, props: Record<string, unknown>): GrantAddress {
  const address = parseGrantId(id);
  if (address) return address;
  const { scope, consumerOrgno } = props;
  if (typeof scope === "string" && typeof consumerOrgno === "string") return { scope, consumerOrgno };
  throw new Error(`"${id}" is not a ScopeGrant id ("<scope>/<consumer orgno>") and the state names no scope and consumer`);
}

/**
 * The grant, when it is in force. The list of the scope's grants is shared within the process, so a refresh
 * of many grants on one scope reads it once. A scope the API does not know has no grants.
 */
async function approvedGrant(api: MaskinportenApi, address: GrantAddress): Promise<ScopeAccess | undefined> {
  let grants: ScopeAccess[];
  try {
    grants = await api.sharedAccess(address.scope);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
  return grants.find((g) => g.consumer_orgno === address.consumerOrgno && g.state === "APPROVED");
}
