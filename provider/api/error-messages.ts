/**
 * The words of the package's errors: what went wrong and what to do, built from an HTTP answer or from the facts
 * a class is given. Pure text, apart from the classes in `errors.ts` (which call these). Messages never contain
 * tokens, private keys or passwords: all server-provided text passes through `redact` first.
 */
import { explainForbidden } from "./forbidden";
import { redact, redactValue } from "./redact";
import { wire, type ApiErrorResponse } from "./wire";

export const DIGDIR_SERVICEDESK = "servicedesk@digdir.no";

/** One problem the API reported with a field of the request (`fieldIdentifier`), or with the whole request. */
export interface FieldError {
  field: string;
  message: string;
}

/** What the error helpers need of an HTTP response; `HttpResponse` of `http.ts` is one. */
export interface ErrorResponse {
  status: number;
  headers?: Readonly<Record<string, string>>;
  body: unknown;
  correlationId?: string;
  method?: string;
  url?: string;
  /** Why the transport stopped retrying a retryable status, for the message. */
  gaveUp?: string;
}

export interface ApiErrorContext {
  /** Human name of the operation, e.g. "create client". */
  operation: string;
  /** The admin scope the operation needs, e.g. "idporten:dcr.write", named when the API answers 403. */
  requiredScope?: string;
  /** What was addressed, e.g. `client "abc"`, named when the API answers 404/409/403. */
  resource?: string;
  /** Exact secret values that must not appear in the message (e.g. the bearer token). */
  secrets?: readonly string[];
}

export interface AuthErrorContext {
  /** The config key that holds the admin client's id, named in hints. */
  clientIdField?: string;
  secrets?: readonly string[];
}

/** What a failed self-service API answer says, ready for an `ApiError`. */
export interface ApiErrorDescription {
  status: number;
  message: string;
  operation: string;
  fieldErrors: FieldError[];
  correlationId?: string;
  method?: string;
  path?: string;
}

/** What a failed token-endpoint answer says, ready for an `AuthError`. */
export interface AuthErrorDescription {
  status: number;
  message: string;
  oauthError?: string;
  description?: string;
  correlationId?: string;
  mpCode?: string;
  traceId?: string;
}

/** What the hint of each `NetworkError` code says (keys are the codes of `NetworkError`). */
export const NETWORK_HINTS = {
  CONNECTION_REFUSED: "nothing accepted the connection; check the URL, or start the simulator if it is a local one",
  CONNECT_TIMEOUT: "the server did not accept a connection in time; check the URL, the network and any proxy",
  DNS_FAILURE: "the host name could not be resolved; check the URL and the network's DNS",
  TLS_FAILURE:
    "the TLS handshake failed; check the URL, the system's CA certificates (NODE_EXTRA_CA_CERTS) and any proxy that intercepts TLS",
  CONNECTION_LOST: "the connection broke before a complete response arrived",
  HEADERS_TIMEOUT: "the server did not answer in time",
  BODY_TIMEOUT: "the server stopped sending its response",
  GATEWAY_ERROR: "a gateway in front of Digdir's API failed",
  DEADLINE_EXCEEDED: "the request's total deadline passed",
  RESPONSE_TOO_LARGE: "the response was larger than the transport accepts",
  ABORTED: "the request was cancelled",
  CLOSED: "the HTTP transport was closed",
  NETWORK_ERROR: "the request failed below HTTP",
} as const;

/** The message of a request that got no usable HTTP response. */
export function networkErrorMessage(init: {
  code: keyof typeof NETWORK_HINTS;
  operation: string;
  attempts: number;
  outcomeUnknown: boolean;
  method?: string;
  path?: string;
  detail?: string;
}): string {
  const where = init.method && init.path ? ` (${init.method} ${redact(init.path)})` : "";
  const attempts = `${init.attempts} attempt${init.attempts === 1 ? "" : "s"}`;
  const detail = init.detail ? ` (${redact(init.detail)})` : "";
  const outcome = init.outcomeUnknown
    ? " The request may have reached the server: its outcome is unknown, so look up whether it took effect before sending it again."
    : "";
  return `${init.operation}${where} failed after ${attempts}: ${NETWORK_HINTS[init.code]}${detail}.${outcome}`;
}

/** A client would hold `wanted` keys, over Maskinporten's `limit` (the 5-key rule of `key-limit.ts`). */
export function tooManyKeysMessage(clientId: string, currentKids: readonly string[], wanted: number, limit: number): string {
  return (
    `client ${clientId} would have ${wanted} keys, but Maskinporten allows at most ${limit}. ` +
    `Its current keys: ${currentKids.length > 0 ? currentKids.join(", ") : "(none)"}. ` +
    "Remove a key (delete its ClientKey, or unregister it in the portal) before adding another."
  );
}

export function createOutcomeUnknownMessage(resource: string, cause: unknown): string {
  return (
    `${resource} may have been created: the API's answer was lost or failed, and looking it up failed as well ` +
    `(${cause instanceof Error ? cause.message : String(cause)})`
  );
}

export function missingAdminScopeMessage(operation: string, need: readonly string[], how: string, cause: unknown): string {
  return (
    `${operation} needs the admin scope ${need.join(" or ")}, ${how}. Ask Digdir (${DIGDIR_SERVICEDESK}, or Samarbeidsportalen) to add ` +
    `${need[0]} to your organisation's self-service client, or manage this resource with the credential (profile) of an ` +
    "organisation that has it." +
    (cause instanceof Error ? ` (${cause.message})` : "")
  );
}

/** What Altinn's answer to a token exchange means, per status, for the message of its `ApiError`. */
export function altinnExchangeDetail(status: number): string {
  if (status === 401) {
    return (
      "Altinn rejected the Maskinporten token: it has expired, or it comes from another environment than the exchange " +
      "(test tokens go to platform.tt02.altinn.no, prod tokens to platform.altinn.no). Get a fresh token from the matching environment and try again."
    );
  }
  if (status === 403) {
    return (
      "Altinn refused to exchange this token: the client's token lacks the Altinn scope the exchange needs, or your organisation " +
      "has no access to it. Request an altinn: scope the client has (e.g. altinn:instances.read) and check the client's scopes."
    );
  }
  if (status === 404)
    return "there is no exchange endpoint at this URL; check it (it ends in /authentication/api/v1/exchange/maskinporten).";
  return status >= 500 ? "Altinn's exchange failed; retry later." : "Altinn refused the exchange.";
}

/** Reads a response with status ≥ 400 from the self-service API: what went wrong and what to do. */
export function describeApiError(response: ErrorResponse, context: ApiErrorContext): ApiErrorDescription {
  const secrets = context.secrets ?? [];
  const parsed = wire().apiErrorResponse.safeParse(response.body);
  const body = parsed.success ? parsed.data : undefined;
  const rawCorrelationId = response.correlationId ?? body?.correlation_id;
  const correlationId = rawCorrelationId === undefined ? undefined : clip(redact(rawCorrelationId, secrets), 100);
  const fieldErrors: FieldError[] = (body?.errors ?? []).map((e) => ({
    field: clip(redact(e.fieldIdentifier ?? e.objectName ?? "", secrets), 100),
    message: clip(redact(e.errorMessage ?? "invalid", secrets), 300),
  }));
  const serverText = describeBody(response.body, body, secrets);
  const detail = apiErrorDetail(response, context, {
    fieldErrors,
    serverText,
    said: serverText ? ` Digdir said: ${serverText}.` : "",
    searchable: allText(body, response.body),
    ...(correlationId !== undefined && { correlationId }),
  });
  const method = response.method;
  const path = response.url ? pathOf(response.url) : undefined;
  const where = method && path ? `, ${method} ${redact(path, secrets)}` : "";
  const cid = correlationId ? ` [correlation id: ${correlationId}]` : "";
  return {
    status: response.status,
    message: `${context.operation} failed (HTTP ${response.status}${where}): ${detail}${cid}`,
    operation: context.operation,
    fieldErrors,
    ...(correlationId !== undefined && { correlationId }),
    ...(method !== undefined && { method }),
    ...(path !== undefined && { path }),
  };
}

/** What went wrong and what to do, per status. `said` is the server's own (redacted) words, or "". */
function apiErrorDetail(
  response: ErrorResponse,
  context: ApiErrorContext,
  found: { fieldErrors: FieldError[]; serverText: string; said: string; searchable: string; correlationId?: string },
): string {
  const { status } = response;
  const { said } = found;
  const what = context.resource ?? "the object";
  const gaveUp = response.gaveUp ? ` ${response.gaveUp}.` : "";

  if (status === 400) {
    const named = found.fieldErrors.filter((f) => f.field);
    const other = found.fieldErrors.filter((f) => !f.field).map((f) => f.message);
    if (named.length === 0) {
      const text = other.join("; ") || found.serverText;
      return `the API rejected the request as invalid${text ? `: ${text}` : ""}. Fix the input and run again.`;
    }
    const list = [...named.map((f) => `${f.field}: ${f.message}`), ...other].join("; ");
    return `the API rejected ${plural(named.length, "field")}: ${list}. ` + `Fix the value${named.length === 1 ? "" : "s"} and run again.`;
  }
  if (status === 401) {
    return (
      "the API rejected the access token (expired, revoked, or issued for another environment). " +
      "Check that the token endpoint and the API URL belong to the same environment (test or prod) and run again." +
      said
    );
  }
  if (status === 403) {
    return explainForbidden({
      what,
      searchable: found.searchable,
      said,
      servicedesk: DIGDIR_SERVICEDESK,
      ...(context.requiredScope && { requiredScope: context.requiredScope }),
    });
  }
  if (status === 404) {
    return `${what} not found. If it was deleted outside Pulumi, run \`pulumi refresh\`; otherwise check the id.${said}`;
  }
  if (status === 409) {
    return (
      `${what} already exists, probably deactivated (Maskinporten deactivates instead of deleting). ` +
      `Adopt it by giving its id, or reactivate it, instead of creating it again.${said}`
    );
  }
  if (status === 429) {
    return (
      `Digdir's API is limiting the request rate.${gaveUp} ` +
      `Lower the transport's maxConcurrency or requestsPerSecond, or retry later.${said}`
    );
  }
  if (status >= 500) {
    return (
      `Digdir's API failed; retry later.${gaveUp} If it keeps failing, contact ${DIGDIR_SERVICEDESK}` +
      `${found.correlationId ? ` and quote the correlation id ${found.correlationId}` : ""}.${said}`
    );
  }
  return `the API refused the request.${said}`;
}

/** Reads a failed token-endpoint response (OAuth error body, or anything else): what went wrong and what to do. */
export function describeAuthError(response: ErrorResponse, context: AuthErrorContext = {}): AuthErrorDescription {
  const secrets = context.secrets ?? [];
  const clientId = context.clientIdField ?? "maskinporten:clientId";
  const parsed = wire().oauthError.safeParse(response.body);
  const correlationId = response.correlationId;
  const cid = correlationId ? ` [correlation id: ${redact(correlationId, secrets)}]` : "";
  if (!parsed.success) {
    const text = describeBody(response.body, undefined, secrets);
    const retry = response.status >= 500 || response.status === 429 ? " Maskinporten's token endpoint failed; retry later." : "";
    return {
      status: response.status,
      message: `the token endpoint answered HTTP ${response.status} without an OAuth error.${retry}${text ? ` It said: ${text}.` : ""}${cid}`,
      ...(correlationId !== undefined && { correlationId }),
    };
  }
  const code = clip(redact(parsed.data.error, secrets), 60);
  const description = parsed.data.error_description ? clip(redact(parsed.data.error_description, secrets), 400) : undefined;
  const desc = description ? `: ${description}` : "";
  const mpCode = /\b(MP-\d{1,5})\b/.exec(parsed.data.error_uri ?? "")?.[1];
  const traceId = /trace_id:\s*([A-Za-z0-9._-]{1,100})/.exec(parsed.data.error_description ?? "")?.[1];
  const reference = [mpCode && `Maskinporten ${mpCode}`, traceId && `trace id ${traceId}`].filter(Boolean).join(", ");
  let message: string;
  switch (code) {
    case "invalid_client":
      message =
        `the token endpoint rejected the client's JWT grant (invalid_client)${desc}. ` +
        `Check that ${clientId} is the admin client's id and its key (kid) or business certificate is registered on it.`;
      break;
    case "invalid_grant":
      message =
        `the token endpoint rejected the JWT grant (invalid_grant)${desc}. ` +
        "Check that this machine's clock is correct (iat/exp must be within seconds of Digdir's), that the key's kid is " +
        "registered on the client (new keys take up to 2 minutes to reach the token endpoint), and that the audience is the issuer.";
      break;
    case "invalid_scope":
      message =
        `the token endpoint refused the requested scopes (invalid_scope)${desc}. ` +
        `Request only scopes the client has; to add admin scopes, ask Digdir (${DIGDIR_SERVICEDESK}).`;
      break;
    case "unauthorized_client":
      message =
        `the token endpoint does not let this client use the JWT grant (unauthorized_client)${desc}. ` +
        `Check that ${clientId} names a Maskinporten client with token_endpoint_auth_method private_key_jwt.`;
      break;
    default:
      message = `the token endpoint refused to issue a token (${code})${desc}.`;
  }
  return {
    status: response.status,
    message: `${message}${reference ? ` [${reference}]` : ""}${cid}`,
    oauthError: code,
    ...(description !== undefined && { description }),
    ...(correlationId !== undefined && { correlationId }),
    ...(mpCode !== undefined && { mpCode }),
    ...(traceId !== undefined && { traceId }),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** The server's own words (description or error), redacted and clipped, or "" when it gave none. */
function describeBody(raw: unknown, body: ApiErrorResponse | undefined, secrets: readonly string[]): string {
  if (body) {
    const parts = [body.error_description, body.error].filter((p): p is string => !!p);
    const first = parts[0];
    return first ? clip(redact(first, secrets), 400) : "";
  }
  if (raw === undefined || raw === null || raw === "") return "";
  if (typeof raw === "string") {
    // HTML error pages say nothing useful and are long.
    if (/^\s*</.test(raw)) return "";
    return redactValue(raw.trim(), 300, secrets);
  }
  return redactValue(raw, 300, secrets);
}

/** All text of an error body, for looking for a scope name or an organisation number. Not for messages. */
function allText(body: ApiErrorResponse | undefined, raw: unknown): string {
  if (!body) return typeof raw === "string" ? raw : "";
  return [body.error, body.error_description, ...(body.errors ?? []).map((e) => e.errorMessage)].filter((p): p is string => !!p).join(" ");
}
