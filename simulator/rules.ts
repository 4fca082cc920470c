/**
 * Every rule the simulator enforces, in one place. Each names the source it rests on: a section of
 * `reference/maskinporten-api.md` ("ref: …"; "evidence" is its last section, "Evidence from production
 * callers", which wins where sources disagree) or, marked "sim", a choice of the simulator where the
 * sources are silent. Messages name the field and the fix, and never echo key material.
 */
import type { Store } from "./state";

export interface Problem {
  field: string;
  message: string;
}

// ---- organisations -------------------------------------------------------------------------------

/** ref: Organisation numbers — nine digits, mod-11 check digit with weights 3 2 7 6 5 4 3 2. */
const ORGNO_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

export function orgnoProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value !== "string" || !/^\d{9}$/.test(value)) {
    return { field, message: `must be a Norwegian organisation number of exactly nine digits (got ${describe(value)})` };
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * ORGNO_WEIGHTS[i]!;
  const remainder = sum % 11;
  const check = remainder === 0 ? 0 : remainder === 1 ? undefined : 11 - remainder;
  if (check === undefined || check !== Number(value[8])) {
    return { field, message: `"${value}" is not a valid organisation number: its last digit fails the mod-11 check` };
  }
  return undefined;
}

export function isValidOrgno(value: unknown): value is string {
  return orgnoProblem(value, "orgno") === undefined;
}

// ---- scope names ---------------------------------------------------------------------------------

/** ref: Scopes owned by an API provider — `name` is `prefix:subscope`; prefixes are lowercase. */
export const PREFIX_PATTERN = /^[a-z0-9]+$/;
/**
 * evidence: Scope names — a subscope may contain `:` (digdirator's `nav:aap:afpprivat.read`); ref: `/` is
 * common (names travel as a query parameter because of it).
 */
export const SUBSCOPE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9._/:-]*[a-zA-Z0-9])?$/;

/** The prefix is everything before the first `:`; the subscope may hold more. */
export function parseScopeName(name: string): { prefix: string; subscope: string } | undefined {
  const colon = name.indexOf(":");
  if (colon < 0) return undefined;
  const prefix = name.slice(0, colon);
  const subscope = name.slice(colon + 1);
  return PREFIX_PATTERN.test(prefix) && SUBSCOPE_PATTERN.test(subscope) ? { prefix, subscope } : undefined;
}

export function scopeNameProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && parseScopeName(value)) return undefined;
  return { field, message: `must be a scope name "prefix:subscope" such as "altinn:instances.read", got ${describe(value)}` };
}

export function prefixProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && PREFIX_PATTERN.test(value)) return undefined;
  return { field, message: `must be a scope prefix of lowercase letters and digits, got ${describe(value)}` };
}

export function subscopeProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && SUBSCOPE_PATTERN.test(value)) return undefined;
  return {
    field,
    message: `must be a subscope of letters, digits, ".", "_", "-", "/" and ":", starting and ending with a letter or digit, got ${describe(value)}`,
  };
}

/** evidence: scope bodies may carry `"name": ""` on POST and PUT (digdirator always sends it): "" means absent. */
export function suppliedScopeName(name: string | undefined): string | undefined {
  return name === "" ? undefined : name;
}

/** ref: Scopes — fields `token_type` and `visibility` take these values. */
export const TOKEN_TYPES = ["SELF_CONTAINED", "OPAQUE"] as const;
export const SCOPE_VISIBILITIES = ["PUBLIC", "PRIVATE", "INTERNAL"] as const;
/** ref: Scopes — `allowed_integration_types`; sim: ID-porten types are known but not simulated. */
export const SCOPE_INTEGRATION_TYPES = ["maskinporten", "api_klient", "krr", "eformidling", "idporten", "ansattporten"];

// ---- clients -------------------------------------------------------------------------------------

/** sim: only machine-to-machine integration types can be created (ID-porten login is not simulated). */
export const CLIENT_INTEGRATION_TYPES = ["maskinporten", "api_klient", "krr", "eformidling"];
/** ref: Self-service API — `refresh_token_usage`. */
export const REFRESH_TOKEN_USAGES = ["ONETIME", "REUSE"];
/** sim: what a supplied client_id may look like when the `clientIdOnCreate` switch honours it; real ones are UUIDs. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;
/** ref: Self-service API — `access_token_lifetime` default 120 s, `authorization_lifetime` default 7200 s. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME = 120;
export const DEFAULT_AUTHORIZATION_LIFETIME = 7200;
export const CLIENT_LIFETIMES = ["access_token_lifetime", "authorization_lifetime", "refresh_token_lifetime"] as const;

/** ref: Self-service API — "A lifetime of 0 is rejected with 400: omit it instead"; evidence: zero lifetimes may not go back. */
export function lifetimeProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return undefined;
  return { field, message: `must be a positive whole number of seconds (got ${describe(value)}); leave it out to use the default` };
}

/** ref: Deactivation, and Scope access — a client's scopes must exist, be active and be usable by its organisation. */
export function scopeUseProblem(store: Store, name: string, orgno: string, integrationType: string): string | undefined {
  const scope = store.scopes.get(name);
  if (!scope) return `scope ${JSON.stringify(name)} does not exist`;
  if (!scope.active) return `scope ${JSON.stringify(name)} has been deactivated by its owner`;
  if (!scope.allowed_integration_types.includes(integrationType)) {
    return `scope ${JSON.stringify(name)} does not allow integration_type ${JSON.stringify(integrationType)} (it allows ${scope.allowed_integration_types.join(", ") || "none"})`;
  }
  if (isGrantedTo(store, name, orgno)) return undefined;
  const grant = store.grant(name, orgno);
  const owner = store.orgName(scope.owner_orgno);
  return (
    `organisation ${orgno} has no access to scope ${JSON.stringify(name)}: its owner ${scope.owner_orgno}${owner ? ` (${owner})` : ""} must grant it` +
    (grant ? ` (the grant is ${grant.state})` : "")
  );
}

/** ref: Scope access — the owner, `accessible_for_all`, or an APPROVED grant. */
export function isGrantedTo(store: Store, name: string, orgno: string): boolean {
  const scope = store.scopes.get(name);
  if (!scope) return false;
  return scope.owner_orgno === orgno || scope.accessible_for_all || store.grant(name, orgno)?.state === "APPROVED";
}

// ---- keys ----------------------------------------------------------------------------------------

/** ref: JWKS of a client — at most 5 keys. */
export const MAX_KEYS_PER_CLIENT = 5;
/** ref: JWKS — 2048-bit keys are the documented minimum. */
export const MIN_RSA_MODULUS_BITS = 2048;
/** ref: JWKS — `alg` RS256, RS384 or RS512; ref: Getting a token — the same for grants. */
export const JWK_ALGORITHMS = ["RS256", "RS384", "RS512"];
/** Members that make a JWK private; ref: JWKS — "send the complete public key". */
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];
/** ref: JWKS — a key lives at most one year (366 days, so a leap day does not refuse a one-year key). */
export const MAX_KEY_LIFETIME_SECONDS = 366 * 24 * 60 * 60;
/** ref: JWKS — kid characters are letters, digits, `.`, `_`, `-`, unique within the client. */
const KID_PATTERN = /^[A-Za-z0-9._-]{1,255}$/;
/** sim (RFC 8017 §3.1): an RSA public exponent is an odd integer >= 3, and the modulus is odd. */
const MIN_RSA_EXPONENT = 3n;

export function kidProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && KID_PATTERN.test(value)) return undefined;
  return { field, message: `must be a key id of letters, digits, ".", "_" and "-" only (at most 255 characters), got ${describe(value)}` };
}

function base64urlBytes(value: unknown): Buffer | undefined {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const bytes = Buffer.from(value, "base64url");
  return bytes.length > 0 ? bytes : undefined;
}

function bitLength(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

function rsaProblems(jwk: Record<string, unknown>, field: string): Problem[] {
  const problems: Problem[] = [];
  const n = base64urlBytes(jwk["n"]);
  if (!n) {
    problems.push({ field: `${field}.n`, message: "is missing or not base64url: send the complete public key (kty, kid, use, alg, n, e)" });
  } else {
    const bits = bitLength(n);
    if (bits < MIN_RSA_MODULUS_BITS) {
      problems.push({
        field: `${field}.n`,
        message: `is a ${bits}-bit RSA modulus; Maskinporten requires at least ${MIN_RSA_MODULUS_BITS} bits`,
      });
    } else if ((n[n.length - 1]! & 1) === 0) {
      problems.push({ field: `${field}.n`, message: "is an even number, so it is not an RSA modulus: send the key's real public part" });
    }
  }
  const e = base64urlBytes(jwk["e"]);
  if (!e) {
    problems.push({ field: `${field}.e`, message: "is missing or not base64url: send the complete public key (kty, kid, use, alg, n, e)" });
  } else if (BigInt(`0x${e.toString("hex")}`) < MIN_RSA_EXPONENT) {
    problems.push({ field: `${field}.e`, message: "is a public exponent below 3, which is not an RSA key: use the standard 65537 (AQAB)" });
  }
  return problems;
}

/** ref: JWKS of a client — the rules of one registered key. Empty arrays of optional members are tolerated. */
export function jwkProblems(jwk: Record<string, unknown>, field: string, nowSeconds: number): Problem[] {
  const problems: Problem[] = [];
  const present = PRIVATE_JWK_MEMBERS.filter((m) => jwk[m] !== undefined);
  const oth = jwk["oth"];
  if (Array.isArray(oth) ? oth.length > 0 : oth !== undefined) present.push("oth");
  if (present.length > 0) {
    problems.push({
      field,
      message: `is a private key (it has the private members ${present.join(", ")}); register only the public part: kty, kid, use, alg, n, e`,
    });
  }
  if (jwk["kty"] !== "RSA")
    problems.push({ field: `${field}.kty`, message: `must be "RSA" (Maskinporten accepts RSA keys only), got ${describe(jwk["kty"])}` });
  else problems.push(...rsaProblems(jwk, field));
  // ref: JWKS — `use: "sig"` is required since the API version of 2025-05-22; evidence: older keys lack it.
  if (jwk["use"] !== "sig") problems.push({ field: `${field}.use`, message: `must be "sig", got ${describe(jwk["use"])}` });
  if (!JWK_ALGORITHMS.includes(jwk["alg"] as string)) {
    problems.push({ field: `${field}.alg`, message: `must be one of ${JWK_ALGORITHMS.join(", ")}, got ${describe(jwk["alg"])}` });
  }
  const kid = kidProblem(jwk["kid"], `${field}.kid`);
  if (kid) problems.push(kid);
  const exp = jwk["exp"];
  if (exp !== undefined) {
    if (typeof exp !== "number" || !Number.isInteger(exp)) {
      problems.push({ field: `${field}.exp`, message: `must be a whole number of seconds since the epoch, got ${describe(exp)}` });
    } else if (exp <= nowSeconds) {
      problems.push({
        field: `${field}.exp`,
        message: `lies in the past (${new Date(exp * 1000).toISOString()}); choose an expiry in the future`,
      });
    } else if (exp > nowSeconds + MAX_KEY_LIFETIME_SECONDS) {
      problems.push({
        field: `${field}.exp`,
        message: `is more than one year ahead (${new Date(exp * 1000).toISOString()}); Maskinporten keys live at most one year`,
      });
    }
  }
  const x5c = jwk["x5c"];
  if (x5c !== undefined && (!Array.isArray(x5c) || x5c.some((c) => typeof c !== "string"))) {
    problems.push({ field: `${field}.x5c`, message: "must be an array of base64 DER certificates" });
  }
  return problems;
}

/** ref: JWKS of a client — each key's rules, at most five keys, kids unique within the client. */
export function jwksProblems(keys: readonly Record<string, unknown>[], nowSeconds: number): Problem[] {
  const problems: Problem[] = [];
  if (keys.length > MAX_KEYS_PER_CLIENT) {
    problems.push({
      field: "keys",
      message: `holds ${keys.length} keys; a client may have at most ${MAX_KEYS_PER_CLIENT}: remove an old key first`,
    });
  }
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    problems.push(...jwkProblems(key, `keys[${i}]`, nowSeconds));
    const kid = key["kid"];
    if (typeof kid === "string") {
      if (seen.has(kid))
        problems.push({ field: `keys[${i}].kid`, message: `"${kid}" is used by another key of this client; kids must be unique` });
      seen.add(kid);
    }
  });
  return problems;
}

// ---- token endpoint ------------------------------------------------------------------------------

/** ref: Getting a token — `iat` within about 10 s of the server clock; `exp - iat` at most 120 s. */
export const IAT_SKEW_SECONDS = 10;
export const MAX_GRANT_LIFETIME_SECONDS = 120;
/**
 * ref: Getting a token — the documented claims; evidence: a grant may carry `sub` (= client_id). sim: other
 * claims are refused ("Invalid assertion").
 */
export const GRANT_CLAIMS = new Set([
  "aud",
  "iss",
  "sub",
  "iat",
  "exp",
  "nbf",
  "jti",
  "scope",
  "resource",
  "pid",
  "consumer_org",
  "iss_onbehalfof",
  "authorization_details",
]);

// ---- messages ------------------------------------------------------------------------------------

/** A short, safe description of a value: never the content of a long or secret-looking string. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value.length === 0) return "an empty string";
    if (value.length > 64 || /PRIVATE KEY|"d"\s*:/.test(value)) return `a string of ${value.length} characters`;
    return JSON.stringify(value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `an ${typeof value}`;
}
