/**
 * Access tokens from Maskinporten's token endpoint (RFC 7523 JWT bearer grant), cached until shortly before
 * they expire and fetched single-flight: any number of concurrent callers cause one token request.
 */
import { createGrantAssertion } from "./assertion";
import type { Credential } from "./credentials";
import { metadataUrl } from "./environments";
import { authErrorFrom, MaskinportenError, NetworkError } from "./errors";
import type { HttpTransport } from "./http";
import { once } from "./once";
import { assertSecureUrl } from "./url-policy";
import { JWT_BEARER_GRANT, wire, type AuthServerMetadata } from "./wire";

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  /** Scopes granted, as the token endpoint reported them. */
  scope: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Where an API client gets its bearer tokens. */
export interface AccessTokens {
  /** A token with `scopes` (default: the source's own scope set). */
  token(scopes?: readonly string[]): Promise<AccessToken>;
  invalidate(accessToken: string): void;
}

/** Fetches the issuer's metadata once; later calls share the result (or the request in flight). */
export function metadataSource(transport: HttpTransport, issuer: string): () => Promise<AuthServerMetadata> {
  return once(() => fetchMetadata(transport, issuer));
}

async function fetchMetadata(transport: HttpTransport, issuer: string): Promise<AuthServerMetadata> {
  const operation = "read Maskinporten's metadata";
  const response = await transport.request({ method: "GET", url: metadataUrl(issuer), retry: "idempotent", operation });
  const parsed = response.status === 200 ? wire().authServerMetadata.safeParse(response.body) : undefined;
  if (!parsed?.success) {
    throw new MaskinportenError(
      "BAD_METADATA",
      `${operation} failed: ${metadataUrl(issuer)} answered HTTP ${response.status} without issuer, token_endpoint and jwks_uri; check the issuer URL`,
    );
  }
  assertSecureUrl(parsed.data.token_endpoint, "token_endpoint in the issuer's metadata");
  return parsed.data;
}

export interface TokenSourceOptions {
  transport: HttpTransport;
  metadata: () => Promise<AuthServerMetadata>;
  /** Loaded on first use, so a bad credential fails before any request. */
  credential: () => Promise<Credential>;
  /** The scopes a `token()` without scopes asks for. */
  scopes: readonly string[];
  resource?: string | readonly string[];
  /** Renew a cached token this long before it expires. Default 20 s. */
  renewBeforeExpirySeconds?: number;
  /**
   * Milliseconds since the epoch. Default: the token endpoint's clock (its `Date` header, see `ServerClock`),
   * the clock Maskinporten judges `iat` by.
   */
  now?: () => number;
  /** Where the user set the client id, named in hints, e.g. `maskinporten:clientId`. */
  clientIdField?: string;
}

/** Grant requests whose outcome is unknown are repeated with a fresh assertion (its jti is single-use). */
const MAX_GRANT_ATTEMPTS = 3;
/**
 * A refused grant whose `iat` lies this far from the clock the refusal reported was judged by a clock this
 * process had not learnt yet (the server's jumped, or another server answered last): it is made again, once.
 */
const CLOCK_CHANGED_SECONDS = 5;

/** One scope set's token: the cached one and the request in flight. */
interface Slot {
  cached?: AccessToken;
  pending?: Promise<AccessToken>;
}

export class TokenSource implements AccessTokens {
  /** Per scope set (sorted, space-separated): one token request per set, shared by concurrent callers. */
  private readonly slots = new Map<string, Slot>();
  private readonly now: () => number;
  private tokenEndpoint: string | undefined;

  constructor(private readonly options: TokenSourceOptions) {
    this.now = options.now ?? (() => options.transport.serverTime(this.tokenEndpoint));
  }

  /** A valid access token for `scopes`: the cached one, the one being fetched, or a new one. */
  async token(scopes: readonly string[] = this.options.scopes): Promise<AccessToken> {
    const wanted = [...new Set(scopes)].sort();
    const key = wanted.join(" ");
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = {}));
    const renewAt = (this.options.renewBeforeExpirySeconds ?? 20) * 1000;
    if (slot.cached && slot.cached.expiresAt - renewAt > this.now()) return slot.cached;
    const fetching = (slot.pending ??= this.fetch(wanted)
      .then((token) => (slot.cached = token))
      .finally(() => {
        slot.pending = undefined;
      }));
    return fetching;
  }

  /** Forgets `accessToken` if it is a cached one (the API rejected it), so the next call fetches anew. */
  invalidate(accessToken: string): void {
    for (const slot of this.slots.values()) if (slot.cached?.accessToken === accessToken) delete slot.cached;
  }

  private async fetch(scopes: readonly string[]): Promise<AccessToken> {
    const credential = await this.options.credential();
    const metadata = await this.options.metadata();
    this.tokenEndpoint = metadata.token_endpoint;
    let clockRetried = false;
    for (let attempt = 1; ; attempt++) {
      const iat = Math.floor(this.now() / 1000);
      const assertion = await createGrantAssertion({
        credential,
        audience: metadata.issuer,
        scopes,
        ...(this.options.resource !== undefined && { resource: this.options.resource }),
        now: iat,
      });
      const sentAt = this.now();
      try {
        const response = await this.options.transport.request({
          method: "POST",
          url: metadata.token_endpoint,
          form: { grant_type: JWT_BEARER_GRANT, assertion },
          retry: "safe-before-send",
          operation: `get a Maskinporten token for client ${credential.clientId}`,
        });
        if (response.status !== 200) {
          if (!clockRetried && this.clockChangedSince(iat)) {
            clockRetried = true;
            continue;
          }
          throw authErrorFrom(response, {
            secrets: [assertion],
            ...(this.options.clientIdField !== undefined && { clientIdField: this.options.clientIdField }),
          });
        }
        const body = wire().tokenResponse.parse(response.body);
        return {
          accessToken: body.access_token,
          tokenType: body.token_type,
          scope: body.scope ?? scopes.join(" "),
          expiresAt: sentAt + body.expires_in * 1000,
        };
      } catch (err) {
        if (!(err instanceof NetworkError && err.outcomeUnknown && attempt < MAX_GRANT_ATTEMPTS)) throw err;
      }
    }
  }

  private clockChangedSince(iat: number): boolean {
    return this.options.now === undefined && Math.abs(this.now() / 1000 - iat) > CLOCK_CHANGED_SECONDS;
  }
}
