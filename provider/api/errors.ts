/**
 * Typed errors of the package. Every error has a stable `code` for programs and a message for people that
 * says what went wrong and what to do. Messages never contain tokens, private keys or passwords.
 */
export class MaskinportenError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or input, found before any request was sent. `field` names what to fix. */
export class ConfigError extends MaskinportenError {
  readonly field: string;

  constructor(field: string, message: string, code = "INVALID_CONFIG") {
    super(code, `${field}: ${message}`);
    this.field = field;
  }
}
