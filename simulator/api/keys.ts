/** Turning registered JWKs into stored keys and back. */
import type { StoredKey } from "../state";
import type { Jwk } from "../wire";

/** The `exp` the server sets when the caller sent none: one calendar year ahead. */
export function defaultKeyExp(nowSeconds: number): number {
  const d = new Date(nowSeconds * 1000);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return Math.floor(d.getTime() / 1000);
}

/** Keeps only the public members Maskinporten stores (the key has passed `jwkProblems`). */
export function storedKey(jwk: Record<string, unknown>, nowSeconds: number): StoredKey {
  const key: StoredKey = {
    kty: jwk["kty"] as string,
    kid: jwk["kid"] as string,
    use: jwk["use"] as string,
    alg: jwk["alg"] as string,
    n: jwk["n"] as string,
    e: jwk["e"] as string,
    exp: typeof jwk["exp"] === "number" ? jwk["exp"] : defaultKeyExp(nowSeconds),
  };
  const x5c = jwk["x5c"];
  if (Array.isArray(x5c) && x5c.length > 0) key.x5c = x5c as string[];
  return key;
}

export function keyView(key: StoredKey): Jwk {
  return { ...key };
}
