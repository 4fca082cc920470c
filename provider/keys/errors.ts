import { ConfigError } from "../api/errors";

export type KeyErrorCode =
  /** Private key material where only a public key belongs. */
  | "PRIVATE_KEY_GIVEN"
  /** A public key or certificate where the private key is needed. */
  | "PUBLIC_KEY_GIVEN"
  /** Not an RSA key (EC, Ed25519, a symmetric secret, RSASSA-PSS-only). */
  | "UNSUPPORTED_KEY_TYPE"
  | "KEY_TOO_SMALL"
  /** RSA parameters no sound key has: exponent below 3 or even, an even modulus, a modulus beyond OpenSSL's limit. */
  | "WEAK_KEY"
  /** Not a key in any format this package reads. */
  | "UNREADABLE_KEY"
  /** A key set (array, `{keys: [...]}` or PEM bundle) with several keys where one is expected. */
  | "MULTIPLE_KEYS"
  | "BAD_PASSWORD"
  | "CERTIFICATE_KEY_MISMATCH"
  | "CERTIFICATE_EXPIRED"
  | "CERTIFICATE_NOT_YET_VALID"
  | "NO_ORGNO_IN_CERTIFICATE"
  /** Readable, but breaks a rule of Maskinporten's (kid characters, alg, expiry, damaged parts). */
  | "INVALID_KEY";

/**
 * A key, certificate or password that cannot be used. A `ConfigError` (so callers that handle bad input
 * handle these too) with a code of its own. Messages name the field, the problem and the fix, and never hold
 * the input: callers may log them freely.
 */
export class KeyError extends ConfigError {
  declare readonly code: KeyErrorCode;

  constructor(code: KeyErrorCode, field: string, message: string) {
    super(field, message, code);
  }
}
