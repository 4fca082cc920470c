/**
 * A key's inputs → what is registered: the public JWK, from the given public key in any form, or from the state
 * of a generated key. The key-set changes themselves are shared with RotatingClientKey (`key-lifecycle/key-set.ts`).
 */
import { MaskinportenError } from "../../api/errors";
import { toPublicJwk, type PublicJwk } from "../../keys";
import { secondsFromIso } from "../../key-lifecycle/settings";
import type { ClientKeyInputs } from "./schema";

type Props = Record<string, unknown>;

/** The given public key, normalized, with the kid and expiry the inputs set. */
export function givenPublicKey(inputs: Props): ReturnType<typeof toPublicJwk> {
  const expiresAt = inputs["expiresAt"];
  return toPublicJwk(inputs["publicKey"], {
    field: "publicKey",
    ...(typeof inputs["kid"] === "string" && { kid: inputs["kid"] }),
    ...(typeof expiresAt === "string" && { expiresAt: secondsFromIso(expiresAt) }),
  });
}

/** A generated key's public JWK from the state, with the expiry the inputs set (if any). */
export function registeredForm(olds: Props, inputs: ClientKeyInputs): PublicJwk {
  const publicKeyJwk = olds["publicKeyJwk"];
  if (publicKeyJwk === null || typeof publicKeyJwk !== "object" || typeof olds["kid"] !== "string") {
    throw new MaskinportenError("STATE_INCOMPLETE", "the state of this generated key lacks its public key; please report this");
  }
  const { exp: _exp, ...jwk } = publicKeyJwk as PublicJwk;
  return { ...jwk, kid: olds["kid"], ...(inputs.expiresAt !== undefined && { exp: secondsFromIso(inputs.expiresAt) }) };
}
