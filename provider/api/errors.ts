/**
 * Every error of the package, in one place: a closed union of codes (`ErrorCode`, and `ERROR_CODES` at run time),
 * the classes, their union (`MaskinportenErrors`) and the guard `isMaskinportenError`. Every error has a stable
 * `code` for programs and a message for people that says what went wrong and what to do; the words are built in
 * `error-messages.ts`. Messages never contain tokens, private keys or passwords. The README's "Errors" table lists
 * every code (a unit test keeps the two agreeing).
 */
import {
  createOutcomeUnknownMessage,
  describeApiError,
  describeAuthError,
  missingAdminScopeMessage,
  networkErrorMessage,
  type ApiErrorContext,
  type AuthErrorContext,
  type AuthErrorDescription,
  type ErrorResponse,
  type FieldError,
} from "./error-messages";

export { DIGDIR_SERVICEDESK, type ApiErrorContext, type AuthErrorContext, type ErrorResponse, type FieldError } from "./error-messages";

/** Codes of `ConfigError`: bad configuration or input, found before any request was sent. */
export const CONFIG_ERROR_CODES = [
  "INVALID_CONFIG",
  "MISSING_CONFIG",
  "INVALID_URL",
  "INSECURE_URL",
  "KID_TAKEN",
  "CLIENT_NOT_FOUND",
  "NOT_A_MASKINPORTEN_CLIENT",
  "CLIENT_OF_OTHER_ORGANISATION",
] as const;

/** Codes of `KeyError` (a `ConfigError`): a key, certificate or password that cannot be used. */
export const KEY_ERROR_CODES = [
  /** Private key material where only a public key belongs. */
  "PRIVATE_KEY_GIVEN",
  /** A public key or certificate where the private key is needed. */
  "PUBLIC_KEY_GIVEN",
  /** Not an RSA key (EC, Ed25519, a symmetric secret, RSASSA-PSS-only). */
  "UNSUPPORTED_KEY_TYPE",
  "KEY_TOO_SMALL",
  /** RSA parameters no sound key has: exponent below 3 or even, an even modulus, a modulus beyond OpenSSL's limit. */
  "WEAK_KEY",
  /** Not a key in any format this package reads. */
  "UNREADABLE_KEY",
  /** A key set (array, `{keys: [...]}` or PEM bundle) with several keys where one is expected. */
  "MULTIPLE_KEYS",
  "BAD_PASSWORD",
  "CERTIFICATE_KEY_MISMATCH",
  "CERTIFICATE_EXPIRED",
  "CERTIFICATE_NOT_YET_VALID",
  "NO_ORGNO_IN_CERTIFICATE",
  /** Readable, but breaks a rule of Maskinporten's (kid characters, alg, expiry, damaged parts). */
  "INVALID_KEY",
] as const;

/** Codes of `ApiError`: one per HTTP status class of the self-service API, and Altinn's token exchange. */
export const API_ERROR_CODES = [
  "API_BAD_REQUEST",
  "API_UNAUTHORIZED",
  "API_FORBIDDEN",
  "API_NOT_FOUND",
  "API_CONFLICT",
  "API_RATE_LIMITED",
  "API_SERVER_ERROR",
  "API_ERROR",
  "ALTINN_UNAUTHORIZED",
  "ALTINN_FORBIDDEN",
  "ALTINN_EXCHANGE_FAILED",
  "ALTINN_UNEXPECTED_RESPONSE",
] as const;

/** The OAuth `error` values (RFC 6749 5.2, RFC 8707) that get a code of their own: `AUTH_` and the value in capitals. */
const OAUTH_ERRORS = [
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "invalid_target",
] as const;

/** Codes of `AuthError`: the token endpoint refused to issue a token. */
export const AUTH_ERROR_CODES = [
  "AUTH_INVALID_REQUEST",
  "AUTH_INVALID_CLIENT",
  "AUTH_INVALID_GRANT",
  "AUTH_UNAUTHORIZED_CLIENT",
  "AUTH_UNSUPPORTED_GRANT_TYPE",
  "AUTH_INVALID_SCOPE",
  "AUTH_INVALID_TARGET",
  /** Any other answer: no OAuth error, or one without a code of its own (`oauthError` holds it). */
  "AUTH_FAILED",
] as const satisfies readonly (`AUTH_${Uppercase<(typeof OAUTH_ERRORS)[number]>}` | "AUTH_FAILED")[];

/** Codes of `NetworkError`: a request that got no usable HTTP response. */
export const NETWORK_ERROR_CODES = [
  "CONNECTION_REFUSED",
  "CONNECT_TIMEOUT",
  "DNS_FAILURE",
  "TLS_FAILURE",
  "CONNECTION_LOST",
  "HEADERS_TIMEOUT",
  "BODY_TIMEOUT",
  "GATEWAY_ERROR",
  "DEADLINE_EXCEEDED",
  "RESPONSE_TOO_LARGE",
  "ABORTED",
  "CLOSED",
  "NETWORK_ERROR",
] as const;

/** Codes of the rest: `MaskinportenError` itself and its classes with one code each. */
export const OPERATION_ERROR_CODES = [
  "TOO_MANY_KEYS",
  "CREATE_OUTCOME_UNKNOWN",
  "MISSING_ADMIN_SCOPE",
  "KEY_NOT_VERIFIED",
  "KEY_NOT_REGISTERED",
  "NOT_AS_WRITTEN",
  "JWKS_NOT_AS_WRITTEN",
  "CLIENT_NOT_RECOGNISABLE",
  "CREATE_NOT_FOUND",
  "SCOPE_EXISTS",
  "SCOPE_NOT_FOUND",
  "UNEXPECTED_RESPONSE",
  "BAD_METADATA",
  "INVALID_PATH_SEGMENT",
  "STATE_INCOMPLETE",
] as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number] | KeyErrorCode;
export type KeyErrorCode = (typeof KEY_ERROR_CODES)[number];
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];
export type NetworkErrorCode = (typeof NETWORK_ERROR_CODES)[number];

/** Every code an error of this package can have. */
export const ERROR_CODES = [
  ...CONFIG_ERROR_CODES,
  ...KEY_ERROR_CODES,
  ...API_ERROR_CODES,
  ...AUTH_ERROR_CODES,
  ...NETWORK_ERROR_CODES,
  ...OPERATION_ERROR_CODES,
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The base of every error of the package; `code` is one of `ErrorCode`. */
export class MaskinportenError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or input, found before any request was sent. `field` names what to fix. */
export class ConfigError extends MaskinportenError {
  declare readonly code: ConfigErrorCode;
  readonly field: string;

  constructor(field: string, message: string, code: ConfigErrorCode = "INVALID_CONFIG") {
    super(code, `${field}: ${message}`);
    this.field = field;
  }
}

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

/** A request the self-service API answered with a status ≥ 400. `code` is derived from the status. */
export class ApiError extends MaskinportenError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  readonly correlationId: string | undefined;
  readonly fieldErrors: readonly FieldError[];
  readonly operation: string;
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(init: {
    status: number;
    message: string;
    operation: string;
    correlationId?: string;
    fieldErrors?: readonly FieldError[];
    method?: string;
    path?: string;
    code?: ApiErrorCode;
  }) {
    super(init.code ?? apiErrorCode(init.status), init.message);
    this.status = init.status;
    this.correlationId = init.correlationId;
    this.fieldErrors = init.fieldErrors ?? [];
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
  }
}

export function apiErrorCode(status: number): ApiErrorCode {
  switch (status) {
    case 400:
      return "API_BAD_REQUEST";
    case 401:
      return "API_UNAUTHORIZED";
    case 403:
      return "API_FORBIDDEN";
    case 404:
      return "API_NOT_FOUND";
    case 409:
      return "API_CONFLICT";
    case 429:
      return "API_RATE_LIMITED";
    default:
      return status >= 500 ? "API_SERVER_ERROR" : "API_ERROR";
  }
}

/** The code of a token-endpoint refusal with this OAuth `error` (or none). */
export function authErrorCode(oauthError: string | undefined): AuthErrorCode {
  const known = OAUTH_ERRORS.find((e) => e === oauthError);
  return known === undefined ? "AUTH_FAILED" : (`AUTH_${known.toUpperCase()}` as AuthErrorCode);
}

/** The token endpoint refused to issue a token. `oauthError` is the OAuth `error` code when there was one. */
export class AuthError extends MaskinportenError {
  declare readonly code: AuthErrorCode;
  readonly status: number;
  readonly oauthError: string | undefined;
  readonly description: string | undefined;
  readonly correlationId: string | undefined;
  /** Maskinporten's error code from `error_uri`, e.g. `MP-121`. */
  readonly mpCode: string | undefined;
  /** The `trace_id` Maskinporten puts in `error_description`, for Digdir's support. */
  readonly traceId: string | undefined;

  constructor(init: AuthErrorDescription) {
    super(authErrorCode(init.oauthError), init.message);
    this.status = init.status;
    this.oauthError = init.oauthError;
    this.description = init.description;
    this.correlationId = init.correlationId;
    this.mpCode = init.mpCode;
    this.traceId = init.traceId;
  }
}

/**
 * A request that got no usable HTTP response. `outcomeUnknown` is true when a non-idempotent request may
 * have reached the server (it was sent, then the connection broke, a gateway failed or the deadline passed):
 * the caller must find out whether it took effect (look the object up) before sending it again.
 */
export class NetworkError extends MaskinportenError {
  declare readonly code: NetworkErrorCode;
  readonly attempts: number;
  readonly outcomeUnknown: boolean;
  readonly operation: string;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** The HTTP status, for a gateway error. */
  readonly status: number | undefined;

  constructor(init: {
    code: NetworkErrorCode;
    operation: string;
    attempts: number;
    outcomeUnknown: boolean;
    method?: string;
    path?: string;
    status?: number;
    /** Extra explanation (e.g. the low-level error code), not server-provided text. */
    detail?: string;
    cause?: unknown;
  }) {
    super(init.code, networkErrorMessage(init), { cause: init.cause });
    this.attempts = init.attempts;
    this.outcomeUnknown = init.outcomeUnknown;
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
  }
}

/**
 * A key write would leave a client with more keys than Maskinporten allows. Thrown by `throwIfOverKeyLimit` of
 * `key-limit.ts` (the 5-key rule), which builds the message.
 */
export class TooManyKeysError extends MaskinportenError {
  declare readonly code: "TOO_MANY_KEYS";

  constructor(
    readonly clientId: string,
    readonly currentKids: readonly string[],
    message: string,
    cause?: unknown,
  ) {
    super("TOO_MANY_KEYS", message, cause === undefined ? undefined : { cause });
  }
}

/**
 * A create that may have taken effect, and whether it did could not be found out (the lookup after a lost or
 * failed response failed too, or it was retried to the limit). The object may exist: a caller must find out
 * later (by name, or by what `recognise` looks for), never blindly create anew.
 */
export class CreateOutcomeUnknownError extends MaskinportenError {
  declare readonly code: "CREATE_OUTCOME_UNKNOWN";

  constructor(
    readonly resource: string,
    cause: unknown,
  ) {
    super("CREATE_OUTCOME_UNKNOWN", createOutcomeUnknownMessage(resource, cause), { cause });
  }
}

/** An operation needs an admin scope the credential does not have (or that Maskinporten would not issue to it). */
export class MissingAdminScopeError extends MaskinportenError {
  declare readonly code: "MISSING_ADMIN_SCOPE";
  /** The admin scopes that would do, any one of them (`ScopeNeed` of `admin-scopes.ts`). */
  readonly need: readonly [string, ...string[]];

  constructor(operation: string, need: readonly [string, ...string[]], how: string, cause?: unknown) {
    super("MISSING_ADMIN_SCOPE", missingAdminScopeMessage(operation, need, how, cause), { cause });
    this.need = need;
  }
}

/** Thrown when a new key got no token in time; `lastAnswer` is what the token endpoint said last. */
export class KeyNotVerifiedError extends MaskinportenError {
  declare readonly code: "KEY_NOT_VERIFIED";

  constructor(
    readonly kid: string,
    readonly lastAnswer: string,
    message: string,
  ) {
    super("KEY_NOT_VERIFIED", message);
  }
}

/**
 * Not a `MaskinportenError` but the engine's protocol: "created, but a later step failed". The engine keeps
 * `id` and `properties` in state instead of orphaning the object, and the next `up` continues from there.
 */
export class ResourceInitError extends Error {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(id: string, properties: Record<string, unknown>, cause: unknown, state = "was created and is kept in the stack") {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${reason} (the object ${id} ${state}; run \`pulumi up\` again to finish)`, { cause });
    this.name = "ResourceInitError";
    this.id = id;
    this.properties = properties;
    this.reasons = [reason];
  }
}

/** Every error class with a code, as one type: narrow it with `instanceof` or `code`. */
export type MaskinportenErrors =
  | MaskinportenError
  | ConfigError
  | KeyError
  | ApiError
  | AuthError
  | NetworkError
  | TooManyKeysError
  | CreateOutcomeUnknownError
  | MissingAdminScopeError
  | KeyNotVerifiedError;

/** True for an error of this package; with `code`, only for one with that code. */
export function isMaskinportenError(e: unknown, code?: ErrorCode): e is MaskinportenErrors {
  return e instanceof MaskinportenError && (code === undefined || e.code === code);
}

/** Maps a response with status ≥ 400 from the self-service API into an `ApiError` that says what to do. */
export function apiErrorFrom(response: ErrorResponse, context: ApiErrorContext): ApiError {
  return new ApiError(describeApiError(response, context));
}

/** Maps a failed token-endpoint response (OAuth error body, or anything else) into an `AuthError`. */
export function authErrorFrom(response: ErrorResponse, context: AuthErrorContext = {}): AuthError {
  return new AuthError(describeAuthError(response, context));
}
