import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { MIN_RSA_MODULUS_BITS } from "../api/validation";
import { KeyError } from "../api/errors";

export const NEW_KEY_HINT = "make a new key with generateKeyPair() or `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`";

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
  const weakness = rsaWeakness(key, bits);
  if (weakness) throw new KeyError("WEAK_KEY", field, `${verb} an unsound RSA key (${weakness}): ${NEW_KEY_HINT}`);
}

/** OpenSSL's own ceiling (OPENSSL_RSA_MAX_MODULUS_BITS): larger moduli are refused by signers and verifiers. */
export const MAX_RSA_MODULUS_BITS = 16384;

/**
 * What makes an RSA public key unusable though it parses: a public exponent below 3 or even (0 and 1 make
 * signatures trivial to forge, an even one cannot belong to a key pair), an even modulus (not a product of two
 * odd primes), or a modulus larger than any signer accepts. Node's key parser takes all of them without a word.
 */
function rsaWeakness(key: KeyObject, bits: number): string | undefined {
  const e = key.asymmetricKeyDetails?.publicExponent;
  if (e === undefined || e < 3n) return `its public exponent e is ${String(e ?? "missing")}: it must be odd and at least 3, usually 65537`;
  if (e % 2n === 0n) return `its public exponent e is ${e}, even: it must be odd, usually 65537`;
  if (bits > MAX_RSA_MODULUS_BITS)
    return `its modulus has ${bits} bits, more than the ${MAX_RSA_MODULUS_BITS} signers accept; 2048 to 4096 are usual`;
  const n = Buffer.from(rsaComponents(key).n, "base64url");
  if (n.length === 0 || (n[n.length - 1]! & 1) === 0) return "its modulus n is even, so it is no product of two primes";
  return undefined;
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
  let works: boolean;
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
