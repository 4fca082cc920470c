/**
 * Wires the API client together for one set of credentials: transport, metadata, token source and the
 * typed operations. The credential is loaded (and checked) on first use, before any request.
 */
import { loadCredential, type Credential, type CredentialSpec } from "./credentials";
import type { Endpoints } from "./environments";
import { HttpTransport, type HttpTransportOptions } from "./http";
import type { KeyedMutex } from "./keyed-mutex";
import { MaskinportenApi } from "./maskinporten-api";
import { once } from "./once";
import { metadataSource, TokenSource } from "./token";
import { DEFAULT_ADMIN_SCOPES, type AuthServerMetadata } from "./wire";

export interface ConnectionSettings {
  endpoints: Endpoints;
  credential: CredentialSpec | Credential;
  /** Prefix of the credential's setting names in messages, e.g. `maskinporten:` or `maskinporten:profiles.owner.`. */
  fieldPrefix?: string;
  /**
   * The admin scopes the credential's self-service client has, when known. Each request's token asks only for
   * what its operation needs, chosen from these; unknown (the default), each operation's alternatives are tried
   * until Maskinporten issues one.
   */
  adminScopes?: readonly string[];
  /** A transport to share, or options for a new one (closed with the connection). */
  transport?: HttpTransport | HttpTransportOptions;
  /** Metadata source to share between connections to the same issuer. */
  metadata?: () => Promise<AuthServerMetadata>;
  /** Per-client locks to share between connections (profiles) of one process. */
  clientLocks?: KeyedMutex;
  sharedReadTtlMs?: number;
}

export interface Connection {
  api: MaskinportenApi;
  tokens: TokenSource;
  transport: HttpTransport;
  endpoints: Endpoints;
  credential: () => Promise<Credential>;
  metadata: () => Promise<AuthServerMetadata>;
  close(): Promise<void>;
}

export function connect(settings: ConnectionSettings): Connection {
  const ownsTransport = !(settings.transport instanceof HttpTransport);
  const transport = settings.transport instanceof HttpTransport ? settings.transport : new HttpTransport(settings.transport);
  const credential = once(() =>
    "kind" in settings.credential
      ? Promise.resolve(settings.credential)
      : loadCredential(settings.credential, settings.fieldPrefix !== undefined ? { fieldPrefix: settings.fieldPrefix } : {}),
  );
  const metadata = settings.metadata ?? metadataSource(transport, settings.endpoints.issuer);
  const tokens = new TokenSource({
    transport,
    metadata,
    credential,
    scopes: settings.adminScopes ?? DEFAULT_ADMIN_SCOPES,
    clientIdField: `${settings.fieldPrefix ?? "maskinporten:"}clientId`,
  });
  const api = new MaskinportenApi({
    transport,
    apiBaseUrl: settings.endpoints.apiBaseUrl,
    tokens,
    ...(settings.adminScopes !== undefined && { adminScopes: settings.adminScopes }),
    adminScopesSetting: `${settings.fieldPrefix ?? "maskinporten:"}adminScopes`,
    ...(settings.sharedReadTtlMs !== undefined && { sharedReadTtlMs: settings.sharedReadTtlMs }),
    ...(settings.clientLocks !== undefined && { clientLocks: settings.clientLocks }),
  });
  return {
    api,
    tokens,
    transport,
    endpoints: settings.endpoints,
    credential,
    metadata,
    close: async () => {
      if (ownsTransport) await transport.close();
    },
  };
}
