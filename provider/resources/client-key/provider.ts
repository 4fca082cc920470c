/**
 * The `ClientKey` resource: one public key registered on a client. Its id is `<clientId>/<kid>`.
 *
 * The API replaces a client's whole key set at once, so every change is a read-modify-write through
 * `modifyJwks`, serialized per client in this process: several keys of one client in one `up` all land. New
 * key material replaces the resource, and Pulumi's default order (create, then delete) registers the new key
 * before the old one goes.
 *
 * A key is either given (`publicKey`) or generated here (`generate`, see `generated.ts`). A generated key can
 * rotate: `diff` answers with a replacement once it is due (`rotation.ts`, on Maskinporten's clock), so the
 * successor is made and registered, and verified with a token when asked (`verify.ts`), before the engine
 * removes the old key; a successor that fails verification is removed again and the old key stays.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Connection } from "../../api/connection";
import { maskinportenTime } from "../../api/server-time";
import type { Jwk } from "../../api/wire";
import { KeyError, type PublicJwk } from "../../keys";
import { warnInEngine } from "../../engine-log";
import { connectionFor, maskinportenNow } from "../../runtime";
import { NEEDS } from "../../api/admin-scopes";
import { canonical, diffFields, type FieldSpecs } from "../shared/diff";
import { previewFailures } from "../shared/preview-checks";
import { apiFor, checkResource, parseChecked } from "../shared/methods";
import { gone } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { containsUnknown, isUnknown, UNKNOWN } from "../shared/unknown";
import { isThisKey, registeredUnder, withKey, withoutKey } from "../../key-lifecycle/key-set";
import { clientKeyAdvice } from "../../key-lifecycle/expiry";
import { warnWhenExpiring } from "../../key-lifecycle/expiry-warning";
import { givenPublicKey, registeredForm } from "./expand";
import { flattenClientKey, priorOfOutputs } from "./flatten";
import { keyForms, newKeyPair } from "../../key-lifecycle/generated";
import { withoutDerivedForms } from "../../key-lifecycle/key-forms";
import { dueRule, rotates, type RotationPolicy } from "../../key-lifecycle/rotation";
import { generateField, secondsFromIso } from "../../key-lifecycle/settings";
import { checkedClientKeySchema, clientKeyId, clientKeySchema, type ClientKeyInputs } from "./schema";
import { noteHeldKids } from "../../key-lifecycle/kid-marker";
import { registerGenerated, verifiedOrRemoved } from "../../key-lifecycle/successor";

type Props = Record<string, unknown>;

/**
 * `publicKey` is compared through `thumbprint`: another form of the same key is no change. A generated key
 * has no kid or thumbprint among its inputs (unless the kid is fixed): its `generate` settings stand for them.
 */
const FIELDS: FieldSpecs<Omit<ClientKeyInputs, "publicKey" | "__ownerMarker">> = {
  clientId: { replaces: true },
  kid: { replaces: true, unmanagedWhenUnset: true },
  thumbprint: { replaces: true, unmanagedWhenUnset: true },
  generate: { replaces: true },
  kidConvention: { replaces: true },
  expiresAt: { unmanagedWhenUnset: true },
  rotateAfterDays: {},
  rotateBeforeExpiryDays: {},
  verify: {},
  profile: {},
};

export const clientKeyProvider: ResourceImplementation = {
  async check(olds, news) {
    const result = await checkedKey(olds, news);
    // A new key: what `up` would refuse (the credential, its key scope, a sixth key), read-only.
    if (result.failures?.length || Object.keys(olds).length > 0) return result;
    const inputs = (result.inputs ?? {}) as Props;
    const failures = await previewFailures({
      profile: inputs["profile"],
      need: NEEDS.writeKeys,
      operation: "register key",
      newKey: {
        clientId: inputs["clientId"],
        kid: inputs["kid"],
        identity: String(inputs["kid"] ?? inputs["__ownerMarker"] ?? canonical(inputs)),
      },
    });
    return failures.length > 0 ? { inputs, failures } : result;
  },

  async diff(_id, olds, news) {
    noteHeldKey(olds, news);
    // A Client keeps its client_id among its inputs, so it stays known while an update of the Client is
    // previewed: unknown here means a new client, whose keys are new too.
    const fields = diffFields(olds, news, FIELDS);
    if (olds[MISSING_AT_MASKINPORTEN] === true) {
      await warnInEngine(missingKeyMessage(olds, "`pulumi up` registers a new key pair (a new kid) that replaces"));
      return { changes: true, replaces: [...new Set([...(fields.replaces ?? []), "kid"])], deleteBeforeReplace: false };
    }
    if (fields.replaces?.length) return fields;
    const now = await maskinportenNow();
    await warnWhenExpiring(olds, now, adviceFor(news));
    const rule = dueRotation(olds, news, now);
    return rule === undefined ? fields : { changes: true, replaces: [rule], deleteBeforeReplace: false };
  },

  async create(props) {
    const inputs = parseChecked(checkedClientKeySchema(), props);
    const connection = connectionFor(inputs.profile);
    if (inputs.generate !== undefined) return createGenerated(connection, inputs, inputs.generate);
    const { jwk } = await givenPublicKey(inputs);
    const key = await registered(connection, inputs, jwk);
    const now = await timeAtMaskinporten(connection);
    const outs = flattenClientKey(inputs.clientId, key, inputs, { createdAt: new Date(now).toISOString() }).outputs;
    await warnWhenExpiring(outs, now, adviceFor(inputs));
    return { id: clientKeyId(inputs.clientId, key.kid!), outs };
  },

  async read(id, props) {
    const { clientId, kid, thumbprint } = addressOf(id, props);
    noteHeldKey(props, props);
    const key = (await apiFor(props).sharedKeysOf(clientId)).find((k) => isThisKey(k, kid, thumbprint));
    if (!key && isGenerated(props)) {
      // Kept in the stack, marked: the stored private key must not vanish silently, and `diff` then plans
      // its replacement by a new key pair, saying so.
      await warnInEngine(missingKeyMessage(props, "the next `pulumi up` registers a new key pair (a new kid) that replaces"));
      return { id, props: { ...props, [MISSING_AT_MASKINPORTEN]: true } };
    }
    if (!key) return gone();
    const { inputs, outputs } = flattenClientKey(clientId, key, priorOfOutputs(props), props);
    return { id, props: outputs, inputs };
  },

  async update(_id, olds, news) {
    const inputs = parseChecked(checkedClientKeySchema(), news);
    const jwk = inputs.generate !== undefined ? registeredForm(olds, inputs) : (await givenPublicKey(inputs)).jwk;
    const connection = connectionFor(inputs.profile);
    const key = await registered(connection, inputs, jwk);
    const outs = flattenClientKey(inputs.clientId, key, inputs, olds).outputs;
    await warnWhenExpiring(outs, await timeAtMaskinporten(connection), adviceFor(inputs));
    return { outs };
  },

  async delete(id, props) {
    const { clientId, kid, thumbprint } = addressOf(id, props);
    await apiFor(props).modifyJwks(clientId, (keys) => withoutKey(keys, kid, thumbprint));
  },

  restate: withoutDerivedForms,
};

/**
 * The generate settings with their defaults. Inputs with a value unknown during preview come back from
 * `checkResource` as given; the settings are normalized anyway, or the preview would show a replacement.
 */
function normalizedGenerate(generate: unknown): unknown {
  const parsed = generateField().safeParse(generate);
  return parsed.success ? parsed.data : generate;
}

function failuresOf(failure: pulumi.dynamic.CheckFailure | undefined): { failures?: pulumi.dynamic.CheckFailure[] } {
  return failure === undefined ? {} : { failures: [failure] };
}

function kidReused(kid: string): pulumi.dynamic.CheckFailure {
  return {
    property: "kid",
    reason:
      `"${kid}" is the kid of the key this one replaces; a new key needs a new kid so that both can be registered ` +
      "while clients move to the new one: choose a new kid (the kid input, or the kid member of a JWK), or leave kid out " +
      "to use the key's thumbprint",
  };
}

function sameClient(olds: Props, inputs: Props): boolean {
  return olds["clientId"] === inputs["clientId"] || isUnknown(inputs["clientId"]);
}

/** New generate settings make a new key: under a fixed kid it would collide with the one it replaces. */
function generatedKidReuse(olds: Props, inputs: Props): pulumi.dynamic.CheckFailure | undefined {
  const kid = inputs["kid"];
  const newKey = canonical(olds["generate"]) !== canonical(inputs["generate"]);
  return typeof kid === "string" && olds["kid"] === kid && sameClient(olds, inputs) && newKey ? kidReused(kid) : undefined;
}

/** The schema's checks and the settled key (kid, thumbprint), before anything is read. */
async function checkedKey(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const result = checkResource(clientKeySchema(), news);
  if (result.failures?.length) return result;
  const inputs = result.inputs as Props;
  if (inputs["generate"] !== undefined) {
    const settled = { ...inputs, generate: normalizedGenerate(inputs["generate"]) };
    return { inputs: settled, ...failuresOf(generatedKidReuse(olds, settled)) };
  }
  if (["publicKey", "kid", "expiresAt"].some((field) => containsUnknown(news[field]))) {
    // Known once the values are; until then the key may be any key.
    return { inputs: { ...inputs, kid: inputs["kid"] ?? UNKNOWN, thumbprint: UNKNOWN } };
  }
  return settleKey(olds, inputs);
}

/**
 * Normalizes the key (refusing private material without echoing it), settles the kid and the thumbprint, and
 * refuses new material under the kid of the key it replaces.
 */
async function settleKey(olds: Props, inputs: Props): Promise<pulumi.dynamic.CheckResult> {
  let jwk: PublicJwk;
  let thumbprint: string;
  try {
    ({ jwk, thumbprint } = await givenPublicKey(inputs));
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    const { publicKey: _withheld, ...rest } = inputs;
    return { inputs: rest, failures: [{ property: err.field, reason: withoutField(err.message, err.field) }] };
  }
  const settled: Props = { ...inputs, kid: jwk.kid, thumbprint };
  const reused =
    sameClient(olds, settled) && olds["kid"] === jwk.kid && typeof olds["thumbprint"] === "string" && olds["thumbprint"] !== thumbprint;
  return { inputs: settled, ...failuresOf(reused ? kidReused(jwk.kid) : undefined) };
}

/** Registers the key on its client (or finds it registered) and returns it as the API holds it now. */
async function registered(connection: Connection, inputs: ClientKeyInputs, jwk: PublicJwk): Promise<Jwk> {
  const keys = await connection.api.modifyJwks(inputs.clientId, (current) => withKey(current, jwk, inputs.clientId));
  return registeredUnder(keys, inputs.clientId, jwk.kid);
}

/**
 * Makes a key pair, registers its public half (under a free kid when the convention's is taken), verifies it
 * when asked, and returns the private forms as outputs. `createdAt` and the kid's date are Maskinporten's.
 */
async function createGenerated(
  connection: Connection,
  inputs: ClientKeyInputs,
  settings: NonNullable<ClientKeyInputs["generate"]>,
): Promise<pulumi.dynamic.CreateResult> {
  const now = await timeAtMaskinporten(connection);
  const { key, registered: registeredJwk } = await registerGenerated(
    connection,
    inputs.clientId,
    await newKeyPair(settings, inputs, new Date(now)),
    {
      fixedKid: inputs.kid !== undefined,
      ...(inputs.expiresAt !== undefined && { exp: secondsFromIso(inputs.expiresAt) }),
      ...(inputs.__ownerMarker !== undefined && { orphans: { marker: inputs.__ownerMarker, keep: [] } }),
      ...(rotates(inputs) && {
        whenFull:
          "A rotating key's successor is registered before the key it replaces is removed, so rotation needs a free place: until there is one, the current key stays.",
      }),
    },
  );
  if (inputs.verify !== undefined)
    await verifiedOrRemoved(connection, inputs.clientId, key, inputs.verify, "the key it was to replace (if any) is kept");
  const outs = flattenClientKey(inputs.clientId, registeredJwk, inputs, {
    createdAt: new Date(now).toISOString(),
    ...keyForms(key),
  }).outputs;
  await warnWhenExpiring(outs, now, adviceFor(inputs));
  return { id: clientKeyId(inputs.clientId, key.kid), outs };
}

/** The stack holds this key (the engine diffs or reads it): a replacement must not take it for an orphan. */
function noteHeldKey(state: Props, news: Props): void {
  for (const marker of new Set([state["__ownerMarker"], news["__ownerMarker"]])) noteHeldKids(marker, [state["kid"]]);
}

/** Maskinporten's time (ms), for rotation and `createdAt`; see `maskinportenTime`. */
function timeAtMaskinporten(connection: Connection): Promise<number> {
  return maskinportenTime(connection.transport, connection.endpoints.issuer);
}

/** The rotation rule that makes a generated key due at `now` (Maskinporten's clock), if any. */
function dueRotation(olds: Props, news: Props, now: number): string | undefined {
  const policy = policyOf(news);
  if (news["generate"] === undefined || policy === undefined || !rotates(policy)) return undefined;
  return dueRule(olds, policy, now);
}

/** How this key is rotated, for the expiry warning. */
function adviceFor(inputs: Props | ClientKeyInputs): string {
  const policy = policyOf(inputs as Props);
  return clientKeyAdvice(inputs.generate !== undefined, policy !== undefined && rotates(policy));
}

/**
 * Marks the state of a generated key that `refresh` found gone from Maskinporten (deleted in the portal). The
 * state keeps the key, so its private forms stay where they were until `up` replaces them.
 */
const MISSING_AT_MASKINPORTEN = "missingAtMaskinporten";

function isGenerated(props: Props): boolean {
  return props["generate"] !== undefined || props["privateKeyJwk"] !== undefined;
}

/** Says plainly that the key is gone and what `up` will do about the private key copied elsewhere. */
function missingKeyMessage(props: Props, what: string): string {
  return (
    `generated key "${String(props["kid"])}" of client ${String(props["clientId"])} is gone from Maskinporten (deleted in the portal?): ` +
    `${what} the private key in this stack's outputs. Copies of the old private key (in a vault, in another system) no longer work: ` +
    "update them from the new outputs after `pulumi up`."
  );
}

/** The rotation settings of checked inputs; undefined while one is unknown (preview). */
function policyOf(news: Props): RotationPolicy | undefined {
  const days = (field: string) => (typeof news[field] === "number" ? (news[field] as number) : undefined);
  if (containsUnknown([news["rotateAfterDays"], news["rotateBeforeExpiryDays"]])) return undefined;
  return { rotateAfterDays: days("rotateAfterDays"), rotateBeforeExpiryDays: days("rotateBeforeExpiryDays") };
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
