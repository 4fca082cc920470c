/** A key registered on a client → the resource's inputs and outputs. Pure. */
import type { Jwk } from "../../api/wire";
import { definedOnly, keptProfile } from "../shared/outputs";
import { keptForms } from "../../key-lifecycle/generated";
import { carriesMarker } from "../../key-lifecycle/kid-marker";
import { isoFromSeconds } from "../../key-lifecycle/settings";
import { rsaThumbprint } from "../../key-lifecycle/thumbprint";

export interface FlattenedClientKey {
  /** The inputs as the API holds them: what `read` reports so later previews compare with reality. */
  inputs: Record<string, unknown>;
  /** The inputs plus the server's fields: the state `diff` gets as `olds`. */
  outputs: Record<string, unknown>;
}

type Props = Record<string, unknown>;

/** Inputs the API cannot report, carried from the program's inputs (or the state) as they are. */
const PROGRAM_ONLY_INPUTS = [
  "publicKey",
  "generate",
  "kidConvention",
  "rotateAfterDays",
  "rotateBeforeExpiryDays",
  "verify",
  "__ownerMarker",
] as const;

/**
 * An output set only while the program sets `expiresAt`. The `expiresAt` output is always there (the server sets
 * an expiry when the program does not), so without it `read`, which gets only the outputs, could not tell a
 * managed expiry from an unmanaged one; reporting it as an input when the program leaves it out made every
 * `preview --diff` of an update after a refresh show a spurious `- expiresAt`.
 */
export const EXPIRES_AT_MANAGED = "expiresAtManaged";

/**
 * The API returns only the normalized JWK, so `publicKey` (in the form the program gave it), the settings of
 * a generated key and `profile` come from `prior` (the inputs, or the state), and `createdAt` and the
 * generated key's forms from `kept` (the state, or what `create` made). `expiresAt` is always an output (the
 * server sets one when the program does not), and in the inputs when `prior` has it; it is unmanaged while
 * the program leaves it out. A generated key's kid and thumbprint are outputs only: its inputs have them not
 * (unless the program fixed the kid).
 */
export function flattenClientKey(clientId: string, key: Jwk, prior: Props, kept: Props = prior): FlattenedClientKey {
  const expiresAt = key.exp === undefined ? undefined : isoFromSeconds(key.exp);
  const thumbprint = rsaThumbprint(key);
  const generated = prior["generate"] !== undefined;
  const inputs = definedOnly({
    clientId,
    ...Object.fromEntries(PROGRAM_ONLY_INPUTS.map((name) => [name, prior[name]])),
    kid: generated ? fixedKid(prior, thumbprint) : key.kid,
    thumbprint: generated ? undefined : thumbprint,
    ...(prior["expiresAt"] !== undefined && { expiresAt }),
    ...keptProfile(prior),
  });
  const marked = inputs["expiresAt"] !== undefined ? { [EXPIRES_AT_MANAGED]: true } : {};
  return {
    inputs,
    outputs: definedOnly({ ...inputs, ...marked, kid: key.kid, thumbprint, expiresAt, createdAt: kept["createdAt"], ...keptForms(kept) }),
  };
}

/**
 * The stored outputs as `prior` for {@link flattenClientKey} in `read`: `expiresAt` counts as set by the program
 * only when the outputs carry the {@link EXPIRES_AT_MANAGED} mark. (State written before the mark existed reads
 * as unmanaged; the next update writes the mark.)
 */
export function priorOfOutputs(outputs: Props): Props {
  if (outputs[EXPIRES_AT_MANAGED] === true) return outputs;
  const { expiresAt: _expiresAt, ...rest } = outputs;
  return rest;
}

/**
 * The kid a program fixed for a generated key: the inputs have a kid only then; the state always has one,
 * fixed when neither the convention, nor the thumbprint, nor the resource's marker made it.
 */
function fixedKid(prior: Props, thumbprint: string | undefined): string | undefined {
  const kid = prior["kid"];
  const made = kid === thumbprint || carriesMarker(kid as string, prior["__ownerMarker"] as string | undefined);
  return typeof kid === "string" && prior["kidConvention"] === undefined && !made ? kid : undefined;
}
