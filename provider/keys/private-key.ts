import { createPrivateKey, type KeyObject } from "node:crypto";
import { kidProblem } from "../api/validation";
import { JWK_ALGORITHMS, type JwkAlgorithm } from "../api/jwk-constants";
import { KeyError } from "../api/errors";
import { readKeyMaterial, type JwkObject, type KeyMaterial } from "./input";
import { DEFAULT_ALGORITHM, jwkThumbprint, publicJwkOf, type PublicJwk } from "./jwk";
import { requireRsaKey, requireWorkingPrivateKey, rsaComponents } from "./rsa";

export interface PrivateKeyOptions {
  /** Names the input in messages, e.g. `maskinporten:privateKey`. */
  field: string;
  /** The kid the public key is registered with. Wins over a kid in a JWK; required for PEM and DER keys. */
  kid?: string;
  /** Names the kid option in messages; `kid` by default. */
  kidField?: string;
}

export interface LoadedPrivateKey {
  key: KeyObject;
  kid: string;
  alg: JwkAlgorithm;
  /** The public half, normalized as it would be registered. */
  publicJwk: PublicJwk;
  thumbprint: string;
}

const PRIVATE_FORMS =
  "give the private key: a private JWK (with d, p, q, dp, dq, qi), its base64 (`altinn-jwks export key --base64`), or a PEM PRIVATE KEY / RSA PRIVATE KEY";
const RSA_PRIVATE_MEMBERS = ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;

/**
 * An RSA private key for signing JWT grants, from a private JWK (object, JSON, or altinn-jwks' base64), or a
 * PEM/DER key (PKCS#8 or PKCS#1), with the kid and alg to sign with.
 */
export async function loadPrivateKey(input: string | object, options: PrivateKeyOptions): Promise<LoadedPrivateKey> {
  const { field } = options;
  const kidField = options.kidField ?? "kid";
  const { key, jwk } = privateKeyFrom(readKeyMaterial(input, field), field);
  const { n, e } = rsaComponents(key);
  const thumbprint = await jwkThumbprint({ kty: "RSA", n, e });

  const kid = options.kid ?? jwk?.["kid"];
  if (kid === undefined) {
    throw new KeyError(
      "INVALID_KEY",
      kidField,
      `is required because ${field} holds no key id (a PEM or DER key never does): give the kid its public key is registered with on the client (a key registered by pulumi-maskinporten without a kid has its thumbprint "${thumbprint}" as kid)`,
    );
  }
  const kidIssue = kidProblem(kid, options.kid !== undefined ? kidField : `${field}.kid`);
  if (kidIssue) throw new KeyError("INVALID_KEY", kidIssue.field, kidIssue.message);

  const alg = jwk?.["alg"] ?? DEFAULT_ALGORITHM;
  if (!JWK_ALGORITHMS.includes(alg as JwkAlgorithm)) {
    const shown = typeof alg === "string" && alg.length <= 16 ? `"${alg}"` : "not a string";
    throw new KeyError(
      "INVALID_KEY",
      `${field}.alg`,
      `is ${shown}; Maskinporten signs with ${JWK_ALGORITHMS.join(", ")}: set alg to one of them or leave it out for RS256`,
    );
  }
  const publicJwk = publicJwkOf({ kid, alg, n, e }) as unknown as PublicJwk;
  return { key, kid: kid as string, alg: alg as JwkAlgorithm, publicJwk, thumbprint };
}

/**
 * The private RSA KeyObject of any private form, checked to be RSA, large enough and whole. Also used by
 * `certificate.ts` for the key of a business certificate given as PEM.
 */
export function privateKeyFrom(material: KeyMaterial, field: string): { key: KeyObject; jwk?: JwkObject } {
  const found = privateKeyOf(material, field);
  requireRsaKey(found.key, field);
  requireWorkingPrivateKey(found.key, field);
  return found;
}

function privateKeyOf(material: KeyMaterial, field: string): { key: KeyObject; jwk?: JwkObject } {
  switch (material.kind) {
    case "private":
      return { key: material.key };
    case "jwk":
      return { key: keyOfPrivateJwk(material.jwk, material.isPrivate, field), jwk: material.jwk };
    case "unreadable-private":
      throw new KeyError("UNREADABLE_KEY", field, material.reason);
    case "public":
      throw new KeyError("PUBLIC_KEY_GIVEN", field, `is a public key, which cannot sign; ${PRIVATE_FORMS}`);
    case "certificates":
      throw new KeyError(
        "PUBLIC_KEY_GIVEN",
        field,
        `is a certificate, which holds only a public key; ${PRIVATE_FORMS}. For a business certificate give the PKCS#12 file (.p12) with its password, or the certificate with its private key`,
      );
  }
}

function keyOfPrivateJwk(jwk: JwkObject, isPrivate: boolean, field: string): KeyObject {
  if (jwk["kty"] === "oct") {
    throw new KeyError("UNSUPPORTED_KEY_TYPE", field, 'is a symmetric secret (kty "oct"); Maskinporten needs an RSA key pair');
  }
  if (!isPrivate)
    throw new KeyError("PUBLIC_KEY_GIVEN", field, `is a public JWK (it has no private member d), which cannot sign; ${PRIVATE_FORMS}`);
  if (jwk["kty"] !== "RSA") {
    const kty = typeof jwk["kty"] === "string" && jwk["kty"].length <= 16 ? `"${jwk["kty"]}"` : "not a string";
    throw new KeyError("UNSUPPORTED_KEY_TYPE", field, `is a JWK with kty ${kty}; Maskinporten accepts RSA keys only (kty "RSA")`);
  }
  const members = Object.fromEntries(RSA_PRIVATE_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]]));
  try {
    return createPrivateKey({ key: members as never, format: "jwk" });
  } catch {
    throw new KeyError(
      "INVALID_KEY",
      field,
      "is an incomplete or damaged private RSA JWK: it needs n, e, d, p, q, dp, dq and qi as base64url; export the whole key again",
    );
  }
}
