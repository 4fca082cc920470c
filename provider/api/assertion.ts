/** The signed JWT of an RFC 7523 JWT bearer grant, as Maskinporten's token endpoint wants it. */
import { randomUUID } from "node:crypto";
import type * as jose from "jose";
import type { Credential } from "./credentials";
import { ConfigError } from "./errors";
import { jose as lazyJose } from "./lazy-modules";

/** Maskinporten refuses grants whose `exp - iat` exceeds this. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 120;
/** Long enough for a slow network, short enough that a leaked assertion is soon worthless. */
export const DEFAULT_ASSERTION_LIFETIME_SECONDS = 60;

export interface GrantAssertionOptions {
  credential: Credential;
  /** Maskinporten's issuer, trailing slash included: `https://test.maskinporten.no/`. */
  audience: string;
  scopes: readonly string[];
  /** Audience restriction of the access token (the `resource` claim). */
  resource?: string | readonly string[];
  /** Seconds since the epoch; the clock by default. */
  now?: number;
  lifetimeSeconds?: number;
  /** A fresh random UUID by default; Maskinporten refuses a reused jti. */
  jti?: string;
}

/**
 * Header `{ alg, kid }` for a registered key or `{ alg, x5c }` for a business certificate (never both), claims
 * `aud, iss (the client_id), scope, iat, exp, jti` and `resource` when given.
 */
export async function createGrantAssertion(options: GrantAssertionOptions): Promise<string> {
  const { credential } = options;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const lifetime = options.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME_SECONDS;
  requireAssertionInputs(options, now, lifetime);

  const header: jose.JWTHeaderParameters =
    credential.kind === "key" ? { alg: credential.alg, kid: credential.kid } : { alg: credential.alg, x5c: credential.x5c };
  const claims: jose.JWTPayload = { scope: options.scopes.join(" ") };
  if (options.resource !== undefined) claims["resource"] = typeof options.resource === "string" ? options.resource : [...options.resource];

  const { SignJWT } = lazyJose();
  return new SignJWT(claims)
    .setProtectedHeader(header)
    .setIssuer(credential.clientId)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .setJti(options.jti ?? randomUUID())
    .sign(credential.key);
}

function requireAssertionInputs(options: GrantAssertionOptions, now: number, lifetime: number): void {
  if (typeof options.audience !== "string" || options.audience.trim() === "") {
    throw new ConfigError("audience", 'is required: Maskinporten\'s issuer, such as "https://test.maskinporten.no/"');
  }
  if (!Array.isArray(options.scopes) || options.scopes.length === 0) {
    throw new ConfigError("scopes", "must name at least one scope: Maskinporten issues no token without one");
  }
  options.scopes.forEach((scope, i) => {
    if (typeof scope !== "string" || scope === "" || /\s/.test(scope)) {
      throw new ConfigError(`scopes[${i}]`, 'must be a scope name without spaces, such as "altinn:instances.read"');
    }
  });
  const resources = options.resource === undefined ? [] : typeof options.resource === "string" ? [options.resource] : options.resource;
  if (options.resource !== undefined && (resources.length === 0 || resources.some((r) => typeof r !== "string" || r.trim() === ""))) {
    throw new ConfigError(
      "resource",
      "must be a non-empty audience (usually the API's URL or identifier), or a list of them; leave it out for no audience restriction",
    );
  }
  if (!Number.isInteger(now) || now <= 0 || now > 100_000_000_000) {
    throw new ConfigError("now", "must be whole seconds since the epoch");
  }
  if (!Number.isInteger(lifetime) || lifetime <= 0 || lifetime > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw new ConfigError(
      "lifetimeSeconds",
      `must be a whole number of seconds from 1 to ${MAX_ASSERTION_LIFETIME_SECONDS} (Maskinporten refuses longer grants), got ${String(lifetime)}`,
    );
  }
  if (options.jti !== undefined && (typeof options.jti !== "string" || options.jti === "")) {
    throw new ConfigError("jti", "must be a non-empty, never reused string; leave it out for a random UUID");
  }
}
