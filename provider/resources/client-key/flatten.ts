/** A key registered on a client → the resource's inputs and outputs. Pure. */
import type { Jwk } from "../../api/wire";
import { definedOnly, keptProfile } from "../shared/outputs";
import { isoFromSeconds } from "./schema";
import { rsaThumbprint } from "./thumbprint";

export interface FlattenedClientKey {
  /** The inputs as the API holds them: what `read` reports so later previews compare with reality. */
  inputs: Record<string, unknown>;
  /** The inputs plus the server's fields: the state `diff` gets as `olds`. */
  outputs: Record<string, unknown>;
}

/**
 * The API returns only the normalized JWK, so `publicKey` (in the form the program gave it) and `profile`
 * come from `prior`. `expiresAt` is always an output (the server sets one when the program does not), and in
 * the inputs when `prior` has it; it is unmanaged while the program leaves it out.
 */
export function flattenClientKey(clientId: string, key: Jwk, prior: Record<string, unknown>): FlattenedClientKey {
  const expiresAt = key.exp === undefined ? undefined : isoFromSeconds(key.exp);
  const inputs = definedOnly({
    clientId,
    publicKey: prior["publicKey"],
    kid: key.kid,
    thumbprint: rsaThumbprint(key),
    ...(prior["expiresAt"] !== undefined && { expiresAt }),
    ...keptProfile(prior),
  });
  return { inputs, outputs: definedOnly({ ...inputs, expiresAt }) };
}
