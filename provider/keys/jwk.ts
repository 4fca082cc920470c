import type * as jose from "jose";
import type { Problem } from "../api/validation";
import type { JwkAlgorithm } from "../api/jwk-constants";
import { jose as lazyJose } from "../api/lazy-modules";

/** A public key exactly as Maskinporten wants it registered on a client. */
export interface PublicJwk {
  kty: "RSA";
  kid: string;
  use: "sig";
  alg: JwkAlgorithm;
  n: string;
  e: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
  /** The certificate chain of the key, leaf first, base64 DER. */
  x5c?: string[];
}

export const DEFAULT_ALGORITHM: JwkAlgorithm = "RS256";

/** The RFC 7638 SHA-256 thumbprint (base64url) of a JWK; only its public members count. */
export function jwkThumbprint(jwk: jose.JWK | Record<string, unknown>): Promise<string> {
  const { calculateJwkThumbprint } = lazyJose();
  return calculateJwkThumbprint(jwk as jose.JWK, "sha256");
}

/** Members in the order Maskinporten documents them; optional ones only when present. */
export function publicJwkOf(parts: {
  kid: unknown;
  alg: unknown;
  n: string;
  e: string;
  exp?: unknown;
  x5c?: string[];
}): Record<string, unknown> {
  const jwk: Record<string, unknown> = { kty: "RSA", kid: parts.kid, use: "sig", alg: parts.alg, n: parts.n, e: parts.e };
  if (parts.exp !== undefined) jwk["exp"] = parts.exp;
  if (parts.x5c !== undefined) jwk["x5c"] = parts.x5c;
  return jwk;
}

/** "kid must be ...; exp lies in the past ...": problems of one key, relative to its field. */
export function problemsMessage(problems: readonly Problem[], field: string): string {
  return problems
    .map((p) => {
      const sub = p.field.startsWith(`${field}.`) ? p.field.slice(field.length + 1) : p.field === field ? "" : p.field;
      return sub ? `${sub} ${p.message}` : p.message;
    })
    .join("; ");
}
