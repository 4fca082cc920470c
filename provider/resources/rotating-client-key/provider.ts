/**
 * The `RotatingClientKey` resource: a key pair the provider generates and rotates in place, keeping the
 * previous key registered for a grace period so that whoever reads the key from the stack can switch first.
 *
 * The state holds the current key and, during a grace period, the previous one (each with its private and public
 * JWK, secret outputs; the SDK derives the other forms). `diff` asks Maskinporten's clock whether a rotation is due (`rotateAfterDays` after the
 * current key was made, or earlier when it expires within the grace period) or a grace period has ended;
 * `update` then makes the successor, registers it (and verifies it, when asked) before anything is removed,
 * and removes the previous key whose grace has ended. The grace counts from the rotation that really
 * happened, whenever `up` ran: a stack left alone for months does not lose the key its consumers use.
 *
 * Its id is `<clientId>/rotating/<random>`: the kids change, the resource stays.
 */
import { randomUUID } from "node:crypto";
import type { Connection } from "../../api/connection";
import { maskinportenTime } from "../../api/server-time";
import { connectionFor } from "../../runtime";
import { withKey } from "../../key-lifecycle/key-set";
import { keyForms, newKeyPair } from "../../key-lifecycle/generated";
import { ROTATING_KEY_SECRET_OUTPUTS, withoutDerivedForms } from "../../key-lifecycle/key-forms";
import { warnWhenExpiring } from "../../key-lifecycle/expiry-warning";
import { dueRule } from "../../key-lifecycle/rotation";
import { DAY_SECONDS, isoFromSeconds } from "../../key-lifecycle/settings";
import { noteHeldKids } from "../../key-lifecycle/kid-marker";
import { registerGenerated, verifiedOrRemoved } from "../../key-lifecycle/successor";
import { canonical, diffFields, type FieldSpecs } from "../shared/diff";
import { checkResource, parseChecked } from "../shared/methods";
import { gone, profileOf } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { containsUnknown } from "../shared/unknown";
import { without } from "./expand";
import { heldKids, inputsOf, outputsOf, registeredAs, type KeyState, type PreviousKeyState } from "./flatten";
import { rotatingClientKeySchema, type RotatingClientKeyInputs } from "./schema";

type Props = Record<string, unknown>;

const ROTATING_ADVICE = "it rotates at the next `pulumi up` (rotateAfterDays, or earlier when it expires within the grace period): run it";

/** New generate settings or kid naming rotate the key (with its grace period) instead of replacing the resource. */
const FIELDS: FieldSpecs<Omit<RotatingClientKeyInputs, "__ownerMarker">> = {
  clientId: { replaces: true },
  generate: {},
  kidConvention: {},
  rotateAfterDays: {},
  gracePeriodDays: {},
  verify: {},
  profile: {},
};

export const rotatingClientKeyProvider: ResourceImplementation = {
  async check(_olds, news) {
    return checkResource(rotatingClientKeySchema(), news);
  },

  async diff(_id, olds, news) {
    noteHeldKeys(olds, news);
    const fields = diffFields(olds, news, FIELDS);
    if (fields.changes || containsUnknown(news)) return fields;
    const now = await timeAtMaskinporten(connectionFor(profileOf(news)));
    const plan = planAt(olds, news, now);
    // The warning and the plan read one clock: a key due for rotation because it expires soon is warned about.
    await warnWhenExpiring({ ...(olds["current"] as KeyState | undefined), clientId: olds["clientId"] }, now, ROTATING_ADVICE);
    return { ...fields, changes: plan.rotate || plan.retire };
  },

  async create(props) {
    const inputs = parseChecked(rotatingClientKeySchema(), props);
    const connection = connectionFor(inputs.profile);
    const now = await timeAtMaskinporten(connection);
    const current = await successor(connection, inputs, now, []);
    return { id: `${inputs.clientId}/rotating/${randomUUID()}`, outs: outputsOf(inputs, current, undefined) };
  },

  async read(id, props) {
    const current = props["current"] as KeyState | undefined;
    const clientId = props["clientId"];
    if (current === undefined || typeof clientId !== "string") return gone();
    noteHeldKeys(props, props);
    const keys = await connectionFor(profileOf(props)).api.sharedKeysOf(clientId);
    const found = registeredAs(keys, current);
    // Without its current key the resource is gone: `up` makes a new one.
    if (found === undefined) return gone();
    const previous = props["previous"] as PreviousKeyState | undefined;
    const inputs = inputsOf(props);
    return { id, props: outputsOf(inputs, found, previous && registeredAs(keys, previous)), inputs };
  },

  async update(_id, olds, news) {
    const inputs = parseChecked(rotatingClientKeySchema(), news);
    const connection = connectionFor(inputs.profile);
    const now = await timeAtMaskinporten(connection);
    const plan = planAt(olds, news, now);
    let current = olds["current"] as KeyState;
    let previous = olds["previous"] as PreviousKeyState | undefined;
    // A previous key past its grace goes first: nobody should use it any more, and it makes room.
    if (plan.retire && previous !== undefined) {
      await connection.api.modifyJwks(inputs.clientId, (keys) => without(keys, previous!));
      previous = undefined;
    }
    if (plan.rotate) {
      const next = await successor(connection, inputs, now, heldKids(olds));
      const cutShort = previous;
      previous =
        inputs.gracePeriodDays > 0
          ? { ...current, retiresAt: new Date(now + inputs.gracePeriodDays * DAY_SECONDS * 1000).toISOString() }
          : undefined;
      const leaving = [cutShort, previous === undefined ? current : undefined].filter((k): k is KeyState => k !== undefined);
      if (leaving.length > 0) await connection.api.modifyJwks(inputs.clientId, (keys) => leaving.reduce(without, keys));
      current = next;
    }
    // The current key is registered again if it went missing (removed in the portal).
    const registered = await connection.api.modifyJwks(inputs.clientId, (keys) => withKey(keys, current.publicKeyJwk, inputs.clientId));
    return { outs: outputsOf(inputs, registeredAs(registered, current) ?? current, previous && registeredAs(registered, previous)) };
  },

  async delete(_id, props) {
    const clientId = props["clientId"];
    if (typeof clientId !== "string") return;
    const mine = [props["current"], props["previous"]].filter((k): k is KeyState => k !== undefined && k !== null);
    await connectionFor(profileOf(props)).api.modifyJwks(clientId, (keys) => mine.reduce(without, keys));
  },

  restate(outputs) {
    const keys = ROTATING_KEY_SECRET_OUTPUTS.filter((name) => isObject(outputs[name])).map((name) => [
      name,
      withoutDerivedForms(outputs[name] as object),
    ]);
    return { ...outputs, ...Object.fromEntries(keys) };
  },
};

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

interface Plan {
  /** The current key is due for its successor. */
  rotate: boolean;
  /** The previous key's grace period has ended. */
  retire: boolean;
}

/**
 * What `up` has to do at `nowMs`: rotate when the current key is `rotateAfterDays` old, or expires within its
 * grace period (and a day), or when the key settings changed; retire the previous key once its grace ends.
 */
function planAt(olds: Props, news: Props, nowMs: number): Plan {
  const current = olds["current"] as KeyState | undefined;
  const previous = olds["previous"] as PreviousKeyState | undefined;
  const policy = { rotateAfterDays: news["rotateAfterDays"] as number, rotateBeforeExpiryDays: (news["gracePeriodDays"] as number) + 1 };
  const newSettings = ["generate", "kidConvention"].some((field) => canonical(olds[field]) !== canonical(news[field]));
  return {
    rotate: current === undefined || newSettings || dueRule(current, policy, nowMs) !== undefined,
    retire: previous !== undefined && nowMs >= Date.parse(previous.retiresAt),
  };
}

/**
 * A new key pair registered on the client (verified when asked; on a failed verification it is removed again).
 * Keys of this resource that the state does not hold (`held`, the kids of its state) are orphans of a killed run.
 */
async function successor(connection: Connection, inputs: RotatingClientKeyInputs, now: number, held: readonly string[]): Promise<KeyState> {
  const { key, registered } = await registerGenerated(
    connection,
    inputs.clientId,
    await newKeyPair(inputs.generate, inputs, new Date(now)),
    {
      fixedKid: false,
      ...(inputs.__ownerMarker !== undefined && { orphans: { marker: inputs.__ownerMarker, keep: held } }),
      whenFull:
        "A RotatingClientKey registers the successor before it removes a key, so it needs a free place: until there is one, the current key stays.",
    },
  );
  if (inputs.verify !== undefined)
    await verifiedOrRemoved(connection, inputs.clientId, key, inputs.verify, "the current key (and the previous one, if any) are kept");
  const expiresAt = isoFromSeconds(registered.exp ?? Math.floor(now / 1000) + 365 * DAY_SECONDS);
  return { kid: key.kid, thumbprint: key.thumbprint, createdAt: new Date(now).toISOString(), expiresAt, ...keyForms(key) };
}

/** The stack holds these keys (the engine diffs or reads the resource): a re-creation must not take them for orphans. */
function noteHeldKeys(state: Props, news: Props): void {
  for (const marker of new Set([state["__ownerMarker"], news["__ownerMarker"]])) noteHeldKids(marker, heldKids(state));
}

function timeAtMaskinporten(connection: Connection): Promise<number> {
  return maskinportenTime(connection.transport, connection.endpoints.issuer);
}
