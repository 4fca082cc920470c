import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { epochSecondsText, publicJwkProblems, type Problem } from "../api/validation";
import type { JwkAlgorithm } from "../api/jwk-constants";
import { KeyError } from "../api/errors";
import { readKeyMaterial, type JwkObject, type KeyMaterial } from "./input";
import { DEFAULT_ALGORITHM, jwkThumbprint, problemsMessage, publicJwkOf, type PublicJwk } from "./jwk";
import { requireRsaKey, rsaComponents } from "./rsa";
import { orderChain, requireCertificateValid, validity, x5cOf } from "./x509";

export { jwkThumbprint, type PublicJwk } from "./jwk";

export interface PublicKeyOptions {
  /** Names the input in messages, e.g. `publicKey` or `keys[1]`. */
  field: string;
  /** Wins over a kid in the input; without either the kid is the key's RFC 7638 thumbprint. */
  kid?: string;
  /** Wins over an alg in the input; the default is RS256. */
  alg?: JwkAlgorithm;
  /** The key's expiry (`exp`): a Date, or seconds since the epoch. Wins over an `exp` in the input. */
  expiresAt?: Date | number;
  /** Seconds since the epoch, for the expiry rules; the clock by default. */
  now?: number;
}

export interface PublicKeyResult {
  jwk: PublicJwk;
  /** RFC 7638 SHA-256 thumbprint of the key, base64url. */
  thumbprint: string;
}

/** What a public input contributed, before options and defaults. */
interface PublicSource {
  key: KeyObject;
  kid?: unknown;
  alg?: unknown;
  exp?: unknown;
  chain?: X509Certificate[];
}

/**
 * The complete, normalized public JWK Maskinporten wants (`kty, kid, use: "sig", alg, n, e`, plus `exp` and
 * `x5c` when known) from any public form a user has: a JWK (object, JSON, base64 JSON, or the one key of a
 * JWKS such as `altinn-jwks export maskinporten` prints), a PEM public key (SPKI or PKCS#1), or an X.509
 * certificate (chain). Private material of any form is refused without being echoed.
 */
export async function toPublicJwk(input: unknown, options: PublicKeyOptions): Promise<PublicKeyResult> {
  const { field } = options;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const source = publicSource(readKeyMaterial(input, field), field, new Date(now * 1000));
  requireRsaKey(source.key, field, source.chain ? "holds" : "is");
  const { n, e } = rsaComponents(source.key);
  const thumbprint = await jwkThumbprint({ kty: "RSA", n, e });
  const exp = options.expiresAt === undefined ? source.exp : expirySeconds(options.expiresAt, field);
  const jwk = publicJwkOf({
    kid: options.kid ?? source.kid ?? thumbprint,
    alg: options.alg ?? source.alg ?? DEFAULT_ALGORITHM,
    n,
    e,
    exp,
    x5c: source.chain && x5cOf(source.chain),
  });
  const problems = publicJwkProblems(jwk, { now, field });
  if (source.chain) problems.push(...expiryAfterCertificate(source.chain[0]!, exp, field));
  if (problems.length > 0) throw new KeyError("INVALID_KEY", field, problemsMessage(problems, field));
  return { jwk: jwk as unknown as PublicJwk, thumbprint };
}

function publicSource(material: KeyMaterial, field: string, now: Date): PublicSource {
  switch (material.kind) {
    case "jwk":
      return fromJwk(material.jwk, material.isPrivate, field, now);
    case "public":
      return { key: material.key };
    case "certificates": {
      const [leaf, ...others] = material.certificates;
      return fromCertificates(leaf!, others, field, now);
    }
    case "private":
    case "unreadable-private":
      throw privateGiven(field, "a private key (PEM or DER)");
  }
}

function fromJwk(jwk: JwkObject, isPrivate: boolean, field: string, now: Date): PublicSource {
  if (isPrivate) throw privateGiven(field, "a private JWK (it has private members such as d)");
  if (jwk["kty"] !== "RSA") {
    const kty = typeof jwk["kty"] === "string" && jwk["kty"].length <= 16 ? `"${jwk["kty"]}"` : "not a string";
    throw new KeyError("UNSUPPORTED_KEY_TYPE", field, `is a JWK with kty ${kty}; Maskinporten accepts RSA keys only (kty "RSA")`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "RSA", n: jwk["n"] as string, e: jwk["e"] as string }, format: "jwk" });
  } catch {
    throw new KeyError(
      "INVALID_KEY",
      field,
      "is an RSA JWK whose n or e is missing or not base64url; copy the complete public key (kty, n, e)",
    );
  }
  const source: PublicSource = { key, kid: jwk["kid"], alg: jwk["alg"], exp: jwk["exp"] };
  const x5c = jwk["x5c"];
  if (x5c !== undefined && !Array.isArray(x5c)) {
    throw new KeyError("INVALID_KEY", `${field}.x5c`, "must be an array of base64 DER certificates, leaf first; or leave it out");
  }
  if (x5c && x5c.length > 0) {
    const certificates = x5c.map((c, i) => certificateFromX5c(c, `${field}.x5c[${i}]`));
    const chain = fromCertificates(certificates[0]!, certificates.slice(1), field, now).chain;
    if (!chain![0]!.publicKey.equals(key)) {
      throw new KeyError(
        "CERTIFICATE_KEY_MISMATCH",
        `${field}.x5c`,
        "holds a certificate for another key than n and e; give the certificate of this key, or leave x5c out",
      );
    }
    source.chain = chain;
  }
  return source;
}

function fromCertificates(leaf: X509Certificate, others: X509Certificate[], field: string, now: Date): PublicSource {
  // A key may be registered before its certificate starts to be valid (rotation), but not after it ended.
  requireCertificateValid(leaf, field, now, { allowNotYetValid: true });
  return { key: leaf.publicKey, chain: orderChain(leaf, others) };
}

function certificateFromX5c(value: unknown, field: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(value as string, "base64"));
  } catch {
    throw new KeyError("INVALID_KEY", field, "is not a base64 DER certificate");
  }
}

function expiryAfterCertificate(leaf: X509Certificate, exp: unknown, field: string): Problem[] {
  const { notAfter } = validity(leaf);
  if (typeof exp !== "number" || exp * 1000 <= notAfter.getTime()) return [];
  return [
    {
      field: `${field}.exp`,
      message: `(${epochSecondsText(exp)}) is after the certificate's end (${notAfter.toISOString()}); choose an expiry on or before it, or use the renewed certificate`,
    },
  ];
}

/** Seconds since the epoch; milliseconds are refused rather than read as a date in the year 50000. */
function expirySeconds(expiresAt: Date | number, field: string): number {
  const seconds = expiresAt instanceof Date ? Math.floor(expiresAt.getTime() / 1000) : expiresAt;
  if (!Number.isFinite(seconds)) throw new KeyError("INVALID_KEY", field, "has an expiresAt that is not a valid date");
  if (seconds > 100_000_000_000) {
    throw new KeyError("INVALID_KEY", field, "has an expiresAt that looks like milliseconds; give a Date or seconds since the epoch");
  }
  return seconds;
}

function privateGiven(field: string, what: string): KeyError {
  return new KeyError(
    "PRIVATE_KEY_GIVEN",
    field,
    `is ${what}; give only the public key (a public JWK with kty, n, e, a PEM PUBLIC KEY, or a certificate) and keep the private key secret, out of your program's inputs and state`,
  );
}
