/**
 * Consumer tokens: what `pulumi-maskinporten/tokens` (sdk/tokens.ts) and the `maskinporten token` command run.
 * Checks the caller's options (named as the caller wrote them: the CLI's flags differ from the functions'
 * options), keeps the token cache, and does Altinn's token exchange. Tokens are cached per (issuer, client,
 * key, scopes, resource) and fetched single-flight, through one HTTP transport created on first use
 * (`clearTokenCache()` closes it). Free of Pulumi.
 */
import "./node-support"; // first: refuses an unsupported Node.js before undici or jose load
import { createHash, KeyObject } from "node:crypto";
import type { KeyCredential } from "./credentials";
import { ENVIRONMENT_NAMES, ENVIRONMENTS, type EnvironmentName } from "./environments";
import { altinnExchangeDetail } from "./error-messages";
import { ApiError, AuthError, ConfigError } from "./errors";
import { HttpTransport } from "./http";
import { redactValue } from "./redact";
import { metadataSource, TokenSource } from "./token";
import { assertSecureUrl } from "./url-policy";
import type { AuthServerMetadata } from "./wire";
import { loadPrivateKey, type LoadedPrivateKey } from "../keys/private-key";

export type MaskinportenEnvironment = EnvironmentName;

export interface TokenOptions {
  /** `"test"` or `"prod"`; or leave it out and give `issuer`. */
  environment?: MaskinportenEnvironment;
  /** Maskinporten's issuer, for another server such as the simulator (`sim.issuer`). Wins over `environment`. */
  issuer?: string;
  /** The client_id (integration id) of the Maskinporten client. */
  clientId: string;
  /**
   * The client's private key: a private JWK (object or JSON), its base64 (`altinn-jwks export key --base64`,
   * e.g. from Azure Key Vault), or a PEM private key (then give `kid`). Never logged or put in an error.
   */
  key: string | object;
  /** The kid the public key is registered with; wins over the JWK's own. Required with a PEM key. */
  kid?: string;
  /** One scope, several separated by spaces, or a list. */
  scopes: string | readonly string[];
  /** Audience restriction of the token (the `resource` claim), when the API asks for one. */
  resource?: string | readonly string[];
}

export interface Token {
  accessToken: string;
  tokenType: string;
  /** The scopes granted, space-separated, as Maskinporten reported them. */
  scope: string;
  expiresAt: Date;
  /** The kid the grant was signed with. */
  kid: string;
}

export interface AltinnExchangeOptions {
  /** `"test"` (Altinn's tt02) or `"prod"`; or leave it out and give `url`. */
  environment?: MaskinportenEnvironment;
  /** The exchange endpoint, for another server such as the simulator (`sim.altinnExchangeUrl`). Wins over `environment`. */
  url?: string;
}

/** Names of the options as the caller wrote them, for messages (the CLI's flags differ from the function's options). */
export interface OptionNames {
  environment: string;
  issuer: string;
  clientId: string;
  key: string;
  kid: string;
  scopes: string;
  resource: string;
  url: string;
}

/** The functions' own option names (sdk/tokens.ts). */
export const OPTION_NAMES: OptionNames = {
  environment: "environment",
  issuer: "issuer",
  clientId: "clientId",
  key: "key",
  kid: "kid",
  scopes: "scopes",
  resource: "resource",
  url: "url",
};

/** `getToken` with the caller's names for the options in messages. */
export async function tokenFor(options: TokenOptions, names: OptionNames): Promise<Token> {
  const request = checkRequest(options, names);
  const state = tokenCache();
  const loaded = await state.loadKey(options.key, request.kid, names);
  const credential: KeyCredential = {
    kind: "key",
    clientId: request.clientId,
    key: loaded.key,
    kid: loaded.kid,
    alg: loaded.alg,
    publicJwk: loaded.publicJwk,
  };
  const source = state.source(request, loaded, credential);
  try {
    const token = await source.token();
    return {
      accessToken: token.accessToken,
      tokenType: token.tokenType,
      scope: token.scope,
      expiresAt: new Date(token.expiresAt),
      kid: loaded.kid,
    };
  } catch (err) {
    throw err instanceof AuthError ? consumerAuthError(err, request, loaded.kid, names) : err;
  }
}

/** Forgets every cached token and key, and closes the HTTP transport (the next call opens a new one). */
export async function clearTokenCache(): Promise<void> {
  const current = cache;
  cache = undefined;
  await current?.close();
}

export async function exchangeWith(
  token: string,
  options: AltinnExchangeOptions,
  names: Pick<OptionNames, "environment" | "url">,
): Promise<string> {
  if (typeof token !== "string" || token.trim() === "" || /\s/.test(token.trim())) {
    throw new ConfigError("token", "must be a Maskinporten access token, as getAccessToken returns it");
  }
  const url = exchangeUrl(options ?? {}, names);
  const operation = "exchange the Maskinporten token for an Altinn token";
  const response = await tokenCache().transport.request({
    method: "GET",
    url,
    headers: { authorization: `Bearer ${token.trim()}`, accept: "text/plain, application/json" },
    retry: "idempotent",
    operation,
  });
  const said = response.body === undefined || response.body === "" ? "" : ` Altinn said: ${redactValue(response.body, 300, [token])}.`;
  const where = `HTTP ${response.status}, GET ${url}`;
  if (response.status === 200) {
    const altinnToken = altinnTokenOf(response.body);
    if (altinnToken !== undefined) return altinnToken;
    throw new ApiError({
      status: 200,
      code: "ALTINN_UNEXPECTED_RESPONSE",
      operation,
      message: `${operation} failed (${where}): the answer was not a token; check that the URL is Altinn's exchange endpoint`,
    });
  }
  const detail = altinnExchangeDetail(response.status);
  throw new ApiError({
    status: response.status,
    code: response.status === 401 ? "ALTINN_UNAUTHORIZED" : response.status === 403 ? "ALTINN_FORBIDDEN" : "ALTINN_EXCHANGE_FAILED",
    operation,
    message: `${operation} failed (${where}): ${detail}${said}`,
    ...(response.correlationId !== undefined && { correlationId: response.correlationId }),
  });
}

/** Altinn answers the token as text; some gateways send it JSON-quoted. */
function altinnTokenOf(body: unknown): string | undefined {
  let text = typeof body === "string" ? body.trim() : undefined;
  if (text?.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      text = typeof parsed === "string" ? parsed.trim() : undefined;
    } catch {
      text = undefined;
    }
  }
  // A JWT, or an opaque token of the characters a bearer token may hold (RFC 6750).
  return text !== undefined && /^[A-Za-z0-9._~+/-]+=*$/.test(text) ? text : undefined;
}

function exchangeUrl(options: AltinnExchangeOptions, names: Pick<OptionNames, "environment" | "url">): string {
  if (options.url !== undefined) return assertSecureUrl(options.url, names.url).href;
  return ENVIRONMENTS[environmentOf(options.environment, names.environment, `give ${names.url} (the simulator's altinnExchangeUrl)`)]
    .altinnExchangeUrl!;
}

function environmentOf(value: unknown, field: string, orElse: string): EnvironmentName {
  if (value === undefined) {
    throw new ConfigError(field, `is required: "test" or "prod"; or ${orElse}`, "MISSING_CONFIG");
  }
  if (!ENVIRONMENT_NAMES.includes(value as EnvironmentName)) {
    throw new ConfigError(field, `must be "test" or "prod" (got ${JSON.stringify(value)}); for another server, ${orElse}`);
  }
  return value as EnvironmentName;
}

interface CheckedRequest {
  issuer: string;
  clientId: string;
  kid: string | undefined;
  scopes: string[];
  resource: string | string[] | undefined;
}

function checkRequest(options: TokenOptions, names: OptionNames): CheckedRequest {
  if (typeof options !== "object" || options === null) throw new ConfigError("options", "must be an object with clientId, key and scopes");
  const issuer =
    options.issuer !== undefined
      ? withTrailingSlash(assertSecureUrl(options.issuer, names.issuer).href)
      : ENVIRONMENTS[environmentOf(options.environment, names.environment, `give ${names.issuer} (e.g. the simulator's)`)].issuer;
  const { clientId } = options;
  if (typeof clientId !== "string" || clientId.trim() === "") {
    throw new ConfigError(
      names.clientId,
      "is required: the client_id (integration id) of the Maskinporten client, from the self-service portal",
      "MISSING_CONFIG",
    );
  }
  if (/\s/.test(clientId.trim())) throw new ConfigError(names.clientId, "contains whitespace; copy the client_id exactly");
  if (options.key === undefined || options.key === null || options.key === "") {
    throw new ConfigError(
      names.key,
      "is required: the client's private key (a private JWK, its base64, or PEM with a kid)",
      "MISSING_CONFIG",
    );
  }
  if (options.kid !== undefined && typeof options.kid !== "string") throw new ConfigError(names.kid, "must be a string");
  return {
    issuer,
    clientId: clientId.trim(),
    kid: options.kid === "" ? undefined : options.kid,
    scopes: scopeList(options.scopes, names.scopes),
    resource: resourceOf(options.resource, names.resource),
  };
}

function scopeList(scopes: unknown, field: string): string[] {
  const list = typeof scopes === "string" ? scopes.split(/\s+/).filter(Boolean) : Array.isArray(scopes) ? scopes : undefined;
  if (list === undefined || list.length === 0) {
    throw new ConfigError(
      field,
      'must name at least one scope, such as "altinn:instances.read": Maskinporten issues no token without one',
      "MISSING_CONFIG",
    );
  }
  list.forEach((scope: unknown, i) => {
    if (typeof scope !== "string" || scope === "" || /\s/.test(scope)) {
      throw new ConfigError(`${field}[${i}]`, 'must be a scope name without spaces, such as "altinn:instances.read"');
    }
  });
  return [...new Set(list as string[])].sort();
}

function resourceOf(resource: unknown, field: string): string | string[] | undefined {
  if (resource === undefined) return undefined;
  const list = typeof resource === "string" ? [resource] : Array.isArray(resource) ? resource : undefined;
  if (list === undefined || list.length === 0 || list.some((r) => typeof r !== "string" || r.trim() === "")) {
    throw new ConfigError(
      field,
      "must be a non-empty audience (usually the API's URL or identifier), or a list of them; leave it out for no audience restriction",
    );
  }
  return typeof resource === "string" ? resource : [...(list as string[])];
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The token endpoint's answer, with hints for a consumer's client rather than the admin client. */
function consumerAuthError(err: AuthError, request: CheckedRequest, kid: string, names: OptionNames): AuthError {
  const desc = err.description ? `: ${err.description}` : "";
  const cid = err.correlationId ? ` [correlation id: ${redactValue(err.correlationId, 100)}]` : "";
  const client = `client "${request.clientId}"`;
  let message: string;
  switch (err.oauthError) {
    case "invalid_client":
      message =
        `the token endpoint at ${request.issuer} does not accept ${client} (invalid_client)${desc}. ` +
        `Check that ${names.clientId} is the client_id of an active Maskinporten client in this environment (test and prod have different clients).`;
      break;
    case "invalid_grant":
      message =
        `the token endpoint at ${request.issuer} rejected the JWT grant of ${client} (invalid_grant)${desc}. ` +
        `Check that the public key with kid "${kid}" is registered on the client in this environment and has not expired ` +
        "(a new key takes up to 2 minutes to reach the token endpoint), and that this machine's clock is correct.";
      break;
    case "invalid_scope":
      message =
        `the token endpoint at ${request.issuer} refused the scopes ${request.scopes.join(" ")} for ${client} (invalid_scope)${desc}. ` +
        `Request only scopes that are on the client; a scope of another organisation also needs that organisation's grant to yours, in this environment.`;
      break;
    default:
      return err;
  }
  return new AuthError({
    status: err.status,
    message: `${message}${cid}`,
    oauthError: err.oauthError,
    ...(err.description !== undefined && { description: err.description }),
    ...(err.correlationId !== undefined && { correlationId: err.correlationId }),
  });
}

/** The process-wide state behind the helpers: one transport, metadata per issuer, loaded keys, token sources. */
class TokenCache {
  readonly transport = new HttpTransport();
  private readonly metadata = new Map<string, () => Promise<AuthServerMetadata>>();
  private readonly keys = new Map<string, Promise<LoadedPrivateKey>>();
  private readonly sources = new Map<string, TokenSource>();

  /** Keys are loaded (parsed and checked) once per content; the map holds digests, never key material. */
  loadKey(key: string | object, kid: string | undefined, names: OptionNames): Promise<LoadedPrivateKey> {
    const digest = createHash("sha256")
      .update(keyContent(key))
      .update("\0")
      .update(kid ?? "")
      .digest("base64url");
    let loaded = this.keys.get(digest);
    if (loaded === undefined) {
      loaded = loadPrivateKey(key, { field: names.key, ...(kid !== undefined && { kid }), kidField: names.kid });
      this.keys.set(digest, loaded);
      loaded.catch(() => this.keys.delete(digest));
    }
    return loaded;
  }

  source(request: CheckedRequest, loaded: LoadedPrivateKey, credential: KeyCredential): TokenSource {
    const id = JSON.stringify([
      request.issuer,
      request.clientId,
      loaded.thumbprint,
      loaded.kid,
      loaded.alg,
      request.scopes,
      request.resource ?? null,
    ]);
    let source = this.sources.get(id);
    if (source === undefined) {
      source = new TokenSource({
        transport: this.transport,
        metadata: this.metadataOf(request.issuer),
        credential: () => Promise.resolve(credential),
        scopes: request.scopes,
        ...(request.resource !== undefined && { resource: request.resource }),
      });
      this.sources.set(id, source);
    }
    return source;
  }

  private metadataOf(issuer: string): () => Promise<AuthServerMetadata> {
    let source = this.metadata.get(issuer);
    if (source === undefined) {
      source = metadataSource(this.transport, issuer);
      this.metadata.set(issuer, source);
    }
    return source;
  }

  async close(): Promise<void> {
    this.sources.clear();
    this.keys.clear();
    this.metadata.clear();
    await this.transport.close();
  }
}

function keyContent(key: string | object): string | Uint8Array {
  if (typeof key === "string") return key;
  if (key instanceof Uint8Array) return key;
  if (key instanceof KeyObject) return key.type === "secret" ? key.export() : JSON.stringify(key.export({ format: "jwk" }));
  return JSON.stringify(key);
}

let cache: TokenCache | undefined;

function tokenCache(): TokenCache {
  return (cache ??= new TokenCache());
}
