/**
 * The `ClientKey` resource: one public key registered on a client. Its id is `<clientId>/<kid>`.
 *
 * The API replaces a client's whole key set at once, so every change is a read-modify-write through
 * `modifyJwks`, serialized per client in this process: several keys of one client in one `up` all land. New
 * key material replaces the resource, and Pulumi's default order (create, then delete) registers the new key
 * before the old one goes.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Jwk } from "../../api/wire";
import { MaskinportenError } from "../../api/errors";
import { KeyError, toPublicJwk, type PublicJwk } from "../../keys";
import { diffFields, type FieldSpecs } from "../shared/diff";
import { apiFor, checkResource, parseChecked } from "../shared/methods";
import { gone } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { containsUnknown, isUnknown, UNKNOWN } from "../shared/unknown";
import { isThisKey, withKey, withoutKey } from "./expand";
import { flattenClientKey } from "./flatten";
import { checkedClientKeySchema, clientKeyId, clientKeySchema, secondsFromIso, type ClientKeyInputs } from "./schema";

type Props = Record<string, unknown>;

/** `publicKey` is compared through `thumbprint`: another form of the same key is no change. */
const FIELDS: FieldSpecs<Omit<ClientKeyInputs, "publicKey">> = {
  clientId: { replaces: true },
  kid: { replaces: true },
  thumbprint: { replaces: true },
  expiresAt: { unmanagedWhenUnset: true },
  profile: {},
};

export const clientKeyProvider: ResourceImplementation = {
  async check(olds, news) {
    const result = checkResource(clientKeySchema(), news);
    if (result.failures?.length) return result;
    const inputs = result.inputs as Props;
    if (["publicKey", "kid", "expiresAt"].some((field) => containsUnknown(news[field]))) {
      // Known once the values are; until then the key may be any key.
      return { inputs: { ...inputs, kid: inputs["kid"] ?? UNKNOWN, thumbprint: UNKNOWN } };
    }
    return settleKey(olds, inputs);
  },

  async diff(_id, olds, news) {
    // A Client keeps its client_id among its inputs, so it stays known while an update of the Client is
    // previewed: unknown here means a new client, whose keys are new too.
    return diffFields(olds, news, FIELDS);
  },

  async create(props) {
    const inputs = parseChecked(checkedClientKeySchema(), props);
    const key = await registered(inputs);
    return { id: clientKeyId(inputs.clientId, inputs.kid), outs: flattenClientKey(inputs.clientId, key, inputs).outputs };
  },

  async read(id, props) {
    const { clientId, kid, thumbprint } = addressOf(id, props);
    const client = (await apiFor(props).sharedClients()).find((c) => c.client_id === clientId);
    // A key of a deactivated client signs nothing: the resource is gone until the client is active again.
    const key = client?.active ? (client.jwks?.keys ?? []).find((k) => isThisKey(k, kid, thumbprint)) : undefined;
    if (!key) return gone();
    const { inputs, outputs } = flattenClientKey(clientId, key, props);
    return { id, props: outputs, inputs };
  },

  async update(_id, _olds, news) {
    const inputs = parseChecked(checkedClientKeySchema(), news);
    const key = await registered(inputs);
    return { outs: flattenClientKey(inputs.clientId, key, inputs).outputs };
  },

  async delete(id, props) {
    const { clientId, kid, thumbprint } = addressOf(id, props);
    await apiFor(props).modifyJwks(clientId, (keys) => withoutKey(keys, kid, thumbprint));
  },
};

/**
 * Normalizes the key (refusing private material without echoing it), settles the kid and the thumbprint, and
 * refuses new material under the kid of the key it replaces.
 */
async function settleKey(olds: Props, inputs: Props): Promise<pulumi.dynamic.CheckResult> {
  let jwk: PublicJwk;
  let thumbprint: string;
  try {
    ({ jwk, thumbprint } = await normalized(inputs));
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    const { publicKey: _withheld, ...rest } = inputs;
    return { inputs: rest, failures: [{ property: err.field, reason: withoutField(err.message, err.field) }] };
  }
  const settled: Props = { ...inputs, kid: jwk.kid, thumbprint };
  const sameClient = olds["clientId"] === settled["clientId"] || isUnknown(settled["clientId"]);
  const reused = sameClient && olds["kid"] === jwk.kid && typeof olds["thumbprint"] === "string" && olds["thumbprint"] !== thumbprint;
  if (reused) {
    return {
      inputs: settled,
      failures: [
        {
          property: "kid",
          reason:
            `"${jwk.kid}" is the kid of the key this one replaces; a new key needs a new kid so that both can be registered ` +
            "while clients move to the new one: choose a new kid (the kid input, or the kid member of a JWK), or leave kid out " +
            "to use the key's thumbprint",
        },
      ],
    };
  }
  return { inputs: settled };
}

function normalized(inputs: Props): ReturnType<typeof toPublicJwk> {
  const expiresAt = inputs["expiresAt"];
  return toPublicJwk(inputs["publicKey"], {
    field: "publicKey",
    ...(typeof inputs["kid"] === "string" && { kid: inputs["kid"] }),
    ...(typeof expiresAt === "string" && { expiresAt: secondsFromIso(expiresAt) }),
  });
}

/** Registers the key on its client (or finds it registered) and returns it as the API holds it now. */
async function registered(inputs: ClientKeyInputs): Promise<Jwk> {
  const { jwk } = await normalized(inputs);
  const keys = await apiFor(inputs).modifyJwks(inputs.clientId, (current) => withKey(current, jwk, inputs.clientId));
  const key = keys.find((k) => k.kid === inputs.kid);
  if (!key) {
    throw new MaskinportenError("JWKS_NOT_AS_WRITTEN", `key ${inputs.kid} is not among the keys of client ${inputs.clientId} just after registering it; run again to converge`);
  }
  return key;
}

/** Which key of which client the state is about; the id (`<clientId>/<kid>`) for state that lacks them. */
function addressOf(id: string, props: Props): { clientId: string; kid: string; thumbprint: string | undefined } {
  const slash = id.lastIndexOf("/");
  const text = (field: string) => (typeof props[field] === "string" ? (props[field] as string) : undefined);
  return { clientId: text("clientId") ?? id.slice(0, slash), kid: text("kid") ?? id.slice(slash + 1), thumbprint: text("thumbprint") };
}

/** A `ConfigError`'s message starts with its field, which the failure names already. */
function withoutField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}
