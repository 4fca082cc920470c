/** The state of a RotatingClientKey ↔ its outputs: the keys it holds (secret) and their kids and expiry in plain sight. */
import type { Jwk } from "../../api/wire";
import { isThisKey } from "../../key-lifecycle/key-set";
import type { KeyForms } from "../../key-lifecycle/key-forms";
import { isoFromSeconds } from "../../key-lifecycle/settings";
import { definedOnly, keptProfile } from "../shared/outputs";

type Props = Record<string, unknown>;

/** One key of the resource as the state holds it. */
export interface KeyState extends KeyForms {
  kid: string;
  thumbprint: string;
  /** ISO 8601, Maskinporten's clock. */
  createdAt: string;
  expiresAt: string;
}

export interface PreviousKeyState extends KeyState {
  /** When its grace period ends and it is removed (at the first `up` from then on). */
  retiresAt: string;
}

export const INPUTS = [
  "clientId",
  "generate",
  "kidConvention",
  "rotateAfterDays",
  "gracePeriodDays",
  "verify",
  "profile",
  "__ownerMarker",
] as const;

/** The key as registered now (its expiry as Maskinporten holds it), or undefined when it is not registered. */
export function registeredAs<T extends KeyState>(keys: readonly Jwk[], key: T): T | undefined {
  const found = keys.find((k) => isThisKey(k, key.kid, key.thumbprint));
  if (found === undefined) return undefined;
  return found.exp === undefined ? key : { ...key, expiresAt: isoFromSeconds(found.exp) };
}

/** The kids of the keys the state holds. */
export function heldKids(state: Props): string[] {
  return [state["current"], state["previous"]].flatMap((key) =>
    key !== null && typeof key === "object" && typeof (key as KeyState).kid === "string" ? [(key as KeyState).kid] : [],
  );
}

export function inputsOf(props: Props): Props {
  return definedOnly({ ...Object.fromEntries(INPUTS.map((name) => [name, props[name]])), ...keptProfile(props) });
}

/** The state: the inputs, the keys (secret), and their kids and expiry as plain outputs. */
export function outputsOf(inputs: Props, current: KeyState, previous: PreviousKeyState | undefined): Props {
  return definedOnly({
    ...inputsOf(inputs),
    kid: current.kid,
    expiresAt: current.expiresAt,
    previousKid: previous?.kid,
    previousRetiresAt: previous?.retiresAt,
    current,
    previous,
  });
}
