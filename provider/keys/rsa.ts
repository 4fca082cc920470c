import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { MIN_RSA_MODULUS_BITS } from "../api/validation";
import { KeyError } from "./errors";

export const NEW_KEY_HINT =
  "make a new key with generateKeyPair() or `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`";

/**
 * Maskinporten signs and verifies with plain RSA (`rsaEncryption`) keys of at least 2048 bits. `verb` is
 * "holds" where the field is a container (a certificate, a PKCS#12 file) rather than the key itself.
 */
export function requireRsaKey(key: KeyObject, field: string, verb: "is" | "holds" = "is"): void {
  if (key.asymmetricKeyType !== "rsa") {
    throw new KeyError("UNSUPPORTED_KEY_TYPE", field, `${verb} ${keyTypeName(key)}; Maskinporten accepts RSA keys only: ${NEW_KEY_HINT}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_MODULUS_BITS) {
    throw new KeyError(
      "KEY_TOO_SMALL",
      field,
      `${verb} a ${bits}-bit RSA key; Maskinporten requires at least ${MIN_RSA_MODULUS_BITS} bits: ${NEW_KEY_HINT}`,
    );
  }
}

export function keyTypeName(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "ec":
      return `an EC key${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ""}`;
    case "rsa-pss":
      return "an RSASSA-PSS-only key, which cannot sign RS256";
    case "ed25519":
      return "an Ed25519 key";
    case "ed448":
      return "an Ed448 key";
    case undefined:
      return "a symmetric secret";
    default:
      return `a ${key.asymmetricKeyType} key`;
  }
}

/** The base64url modulus and exponent of an RSA key, private or public, in canonical form. */
export function rsaComponents(key: KeyObject): { n: string; e: string } {
  const { n, e } = publicKeyOf(key).export({ format: "jwk" });
  if (typeof n !== "string" || typeof e !== "string") throw new Error("an RSA key exported a JWK without n and e");
  return { n, e };
}

/**
 * Signs and verifies a probe, so that a private key whose parts do not belong together (a JWK with an edited
 * `n`, a mix of two keys) fails here, by name, instead of as `invalid_client` at the token endpoint.
 */
export function requireWorkingPrivateKey(key: KeyObject, field: string, verb: "is" | "holds" = "is"): void {
  const probe = Buffer.from("pulumi-maskinporten key check");
  let works = false;
  try {
    works = verify("sha256", probe, publicKeyOf(key), sign("sha256", probe, key));
  } catch {
    works = false;
  }
  if (!works) {
    throw new KeyError(
      "INVALID_KEY",
      field,
      `${verb} a private key whose parts do not belong together (it cannot make a signature its own public key accepts); export the whole key again from where it was made`,
    );
  }
}

function publicKeyOf(key: KeyObject): KeyObject {
  return key.type === "public" ? key : createPublicKey(key);
}
