/**
 * Rules of Maskinporten's data that both sides check: the simulator enforces them as the API does, and the
 * provider checks them offline in `check` so bad input fails before any request. Pure functions; each
 * problem names the field and says how to fix it, and never echoes key material.
 */
import { JWK_ALGORITHMS, PRIVATE_JWK_MEMBERS } from "./jwk-constants";
import { keyLimitProblem } from "./key-limit";

export interface Problem {
  /** The field, in the wire's naming where the caller is the API, e.g. `keys[1].kid`. */
  field: string;
  message: string;
}

export const MIN_RSA_MODULUS_BITS = 2048;
/** Keys live at most a year; a leap day must not make a one-year key invalid. */
export const MAX_KEY_LIFETIME_SECONDS = 366 * 24 * 60 * 60;
export const KID_PATTERN = /^[A-Za-z0-9._-]+$/;
export const KID_MAX_LENGTH = 255;
export const PREFIX_PATTERN = /^[a-z0-9]+$/;
/** A subscope may hold ":" (real scopes such as `nav:aap:afpprivat.read`); the prefix ends at the first ":". */
export const SUBSCOPE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9._:/-]*[a-zA-Z0-9])?$/;

const ORGNO_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/** The mod-11 check digit of the first eight digits, or undefined where no digit can make it valid. */
export function orgnoCheckDigit(firstEight: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(firstEight[i]) * ORGNO_WEIGHTS[i]!;
  const remainder = sum % 11;
  if (remainder === 0) return 0;
  if (remainder === 1) return undefined;
  return 11 - remainder;
}

export function isValidOrgno(value: unknown): value is string {
  return orgnoProblem(value, "orgno") === undefined;
}

export function orgnoProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value !== "string" || !/^\d{9}$/.test(value)) {
    return {
      field,
      message: `must be a Norwegian organisation number of exactly nine digits, without spaces (got ${describe(value)})`,
    };
  }
  const expected = orgnoCheckDigit(value.slice(0, 8));
  if (expected === undefined || expected !== Number(value[8])) {
    return {
      field,
      message: `"${value}" is not a valid organisation number: its last digit fails the mod-11 check; copy the number from Brønnøysundregistrene or your test organisation`,
    };
  }
  return undefined;
}

export interface ScopeName {
  prefix: string;
  subscope: string;
}

export function parseScopeName(name: string): ScopeName | undefined {
  const colon = name.indexOf(":");
  if (colon < 0) return undefined;
  const prefix = name.slice(0, colon);
  const subscope = name.slice(colon + 1);
  if (!PREFIX_PATTERN.test(prefix) || !SUBSCOPE_PATTERN.test(subscope)) return undefined;
  return { prefix, subscope };
}

export function scopeNameProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && parseScopeName(value)) return undefined;
  return {
    field,
    message: `must be a scope name "prefix:subscope" such as "altinn:instances.read" (prefix of lowercase letters and digits; subscope of letters, digits, ".", "_", "-", "/", ":"), got ${describe(value)}`,
  };
}

export function prefixProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && PREFIX_PATTERN.test(value)) return undefined;
  return { field, message: `must be a scope prefix of lowercase letters and digits, such as "nav", got ${describe(value)}` };
}

export function subscopeProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "string" && SUBSCOPE_PATTERN.test(value)) return undefined;
  return {
    field,
    message: `must be a subscope of letters, digits, ".", "_", "-", "/" and ":", starting and ending with a letter or digit, such as "instances.read", got ${describe(value)}`,
  };
}

export function kidProblem(value: unknown, field: string): Problem | undefined {
  if (value === "." || value === "..") {
    // Allowed characters, but as a path segment (`/clients/{id}/jwks/{kid}`) they address another path.
    return {
      field,
      message: `must not be "${value}", which a URL path resolves to another path; choose a kid such as "myclient-PROD.2026-01-31"`,
    };
  }
  if (typeof value === "string" && value.length <= KID_MAX_LENGTH && KID_PATTERN.test(value)) return undefined;
  return {
    field,
    message: `must be a key id of letters, digits, ".", "_" and "-" only (at most ${KID_MAX_LENGTH} characters), such as "myclient-PROD.2026-01-31", got ${describe(value)}`,
  };
}

/** A lifetime in seconds: a positive whole number. The API rejects 0; omit the field to get the default. */
export function lifetimeProblem(value: unknown, field: string): Problem | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return undefined;
  return {
    field,
    message: `must be a positive whole number of seconds (got ${describe(value)}); leave it out to use Maskinporten's default`,
  };
}

/** Bit length of an RSA modulus given as base64url, or undefined when it does not decode. */
export function rsaModulusBits(n: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(n)) return undefined;
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return undefined;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

export interface JwkRuleOptions {
  /** Seconds since the epoch; `exp` may be at most a year after it. */
  now: number;
  /** The field path of this key, for messages, e.g. `keys[0]` or `publicKey`. */
  field: string;
  /** The API requires `kid`; a caller that derives it later may skip that check. */
  requireKid?: boolean;
}

/**
 * The rules Maskinporten applies to a key registered on a client. Empty arrays of optional members
 * (`x5c: []`, `key_ops: []`, `oth: []`, as altinn-jwks exports them) are tolerated.
 */
export function publicJwkProblems(jwk: Record<string, unknown>, options: JwkRuleOptions): Problem[] {
  const { field } = options;
  const problems: Problem[] = [];
  const present = PRIVATE_JWK_MEMBERS.filter((m) => jwk[m] !== undefined);
  const oth = jwk["oth"];
  if (Array.isArray(oth) ? oth.length > 0 : oth !== undefined) present.push("oth" as never);
  if (present.length > 0) {
    problems.push({
      field,
      message: `is a private key (it has the private members ${present.join(", ")}); register only the public part: kty, kid, use, alg, n, e`,
    });
  }
  if (jwk["kty"] !== "RSA") {
    problems.push({ field: `${field}.kty`, message: `must be "RSA" (Maskinporten accepts RSA keys only), got ${describe(jwk["kty"])}` });
  } else {
    const n = jwk["n"];
    const bits = typeof n === "string" ? rsaModulusBits(n) : undefined;
    if (bits === undefined) {
      problems.push({
        field: `${field}.n`,
        message: "is missing or not base64url: send the complete public key (kty, kid, use, alg, n, e)",
      });
    } else if (bits < MIN_RSA_MODULUS_BITS) {
      problems.push({
        field: `${field}.n`,
        message: `is a ${bits}-bit RSA modulus; Maskinporten requires at least ${MIN_RSA_MODULUS_BITS} bits: generate a 2048-, 3072- or 4096-bit key`,
      });
    }
    if (typeof jwk["e"] !== "string" || !/^[A-Za-z0-9_-]+$/.test(jwk["e"] as string)) {
      problems.push({
        field: `${field}.e`,
        message: "is missing or not base64url: send the complete public key (kty, kid, use, alg, n, e)",
      });
    }
  }
  if (jwk["use"] !== "sig") {
    problems.push({ field: `${field}.use`, message: `must be "sig", got ${describe(jwk["use"])}` });
  }
  if (!JWK_ALGORITHMS.includes(jwk["alg"] as never)) {
    problems.push({ field: `${field}.alg`, message: `must be one of ${JWK_ALGORITHMS.join(", ")}, got ${describe(jwk["alg"])}` });
  }
  if (jwk["kid"] !== undefined || options.requireKid !== false) {
    const p = kidProblem(jwk["kid"], `${field}.kid`);
    if (p) problems.push(p);
  }
  const exp = jwk["exp"];
  if (exp !== undefined) {
    if (typeof exp !== "number" || !Number.isSafeInteger(exp)) {
      problems.push({ field: `${field}.exp`, message: `must be a whole number of seconds since the epoch, got ${describe(exp)}` });
    } else if (exp <= options.now) {
      problems.push({ field: `${field}.exp`, message: `lies in the past (${epochSecondsText(exp)}); choose an expiry in the future` });
    } else if (exp > options.now + MAX_KEY_LIFETIME_SECONDS) {
      problems.push({
        field: `${field}.exp`,
        message: `is more than one year ahead (${epochSecondsText(exp)}); Maskinporten keys live at most one year`,
      });
    }
  }
  const x5c = jwk["x5c"];
  if (x5c !== undefined && (!Array.isArray(x5c) || x5c.some((c) => typeof c !== "string"))) {
    problems.push({ field: `${field}.x5c`, message: "must be an array of base64 DER certificates" });
  }
  return problems;
}

/** The rules of a whole key set: each key's, at most five, and unique kids. */
export function jwksProblems(keys: readonly Record<string, unknown>[], now: number): Problem[] {
  const problems: Problem[] = [];
  const overLimit = keyLimitProblem(keys.length);
  if (overLimit) problems.push({ field: "keys", message: overLimit });
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    problems.push(...publicJwkProblems(key, { now, field: `keys[${i}]` }));
    const kid = key["kid"];
    if (typeof kid === "string") {
      if (seen.has(kid))
        problems.push({ field: `keys[${i}].kid`, message: `"${kid}" is used by another key of this client; kids must be unique` });
      seen.add(kid);
    }
  });
  return problems;
}

/** Seconds since the epoch as an ISO time, or as seconds where no Date can hold them (beyond the year 275760). */
export function epochSecondsText(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} seconds since the epoch` : date.toISOString();
}

/** A short, safe description of a value for messages: never the content of a long or secret-looking string. */
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
