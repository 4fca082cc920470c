/**
 * Typed operations of Digdir's self-service API v1. Knows nothing of Pulumi: the provider, the CLI and
 * users' own code use it alike.
 *
 * - Every response is validated with the shared wire schemas (unknown fields kept).
 * - A 401 drops the cached token and repeats the request once with a fresh one.
 * - Creates are never blindly repeated: a client gets a client-chosen `client_id` and a scope has a natural
 *   name, so a create whose response was lost is looked up before it is sent again.
 * - All changes to one client (its JWKS and its PUTs) are serialized within the process, read fresh inside
 *   the lock, and JWKS writes are verified by reading the set back.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { ApiError, apiErrorFrom, MaskinportenError, NetworkError } from "./errors";
import type { HttpResponse, HttpTransport, RetryMode } from "./http";
import { KeyedMutex } from "./keyed-mutex";
import { SharedReads } from "./shared-reads";
import type { AccessTokens } from "./token";
import { MAX_KEYS_PER_CLIENT } from "./validation";
import {
  ADMIN_SCOPES,
  wire,
  type ApiClient,
  type ApiScope,
  type ClientRequest,
  type Jwk,
  type ScopeAccess,
  type ScopeRequest,
} from "./wire";
import { pathSegment } from "./path-segment";

export interface MaskinportenApiOptions {
  transport: HttpTransport;
  /** The self-service API base, ending in `/api/v1`. */
  apiBaseUrl: string;
  /** Tokens with the admin scopes. */
  tokens: AccessTokens;
  /** How long list reads are shared between callers in this process. Default 5 s; 0 turns sharing off. */
  sharedReadTtlMs?: number;
  /**
   * The locks that serialize changes per client. Share one between the APIs of several credentials (profiles)
   * of a process, so their changes to one client serialize too.
   */
  clientLocks?: KeyedMutex;
  /** Milliseconds since the epoch. Default: the API's clock (its `Date` header, see `ServerClock`). */
  now?: () => number;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

interface Call {
  method: Method;
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  operation: string;
  requiredScope: string;
  /** What is addressed, for 403/404/409 messages, e.g. `client "abc"`. */
  resource?: string;
  retry?: RetryMode;
}

const ABSENT = Symbol("absent");

/** A create is repeated at most this often after its outcome turned out unknown and the lookup found nothing. */
const MAX_CREATE_ATTEMPTS = 3;

export class TooManyKeysError extends MaskinportenError {
  constructor(
    readonly clientId: string,
    readonly currentKids: readonly string[],
    wanted: number,
  ) {
    super(
      "TOO_MANY_KEYS",
      `client ${clientId} would have ${wanted} keys, but Maskinporten allows at most ${MAX_KEYS_PER_CLIENT}. ` +
        `Its current keys: ${currentKids.length > 0 ? currentKids.join(", ") : "(none)"}. ` +
        "Remove a key (delete its ClientKey, or unregister it in the portal) before adding another.",
    );
  }
}

/**
 * A create that may have taken effect, and whether it did could not be found out (the lookup after a lost or
 * failed response failed too, or it was retried to the limit). The object may exist under the name or
 * client_id that was sent: a caller must keep that identity and find out later, never create anew.
 */
export class CreateOutcomeUnknownError extends MaskinportenError {
  constructor(
    readonly resource: string,
    cause: unknown,
  ) {
    super(
      "CREATE_OUTCOME_UNKNOWN",
      `${resource} may have been created: the API's answer was lost or failed, and looking it up failed as well ` +
        `(${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    );
  }
}

const { dcrRead, dcrWrite, scopesRead, scopesWrite } = ADMIN_SCOPES;

export class MaskinportenApi {
  private readonly clientLocks: KeyedMutex;
  private readonly shared: SharedReads;
  private readonly now: () => number;

  constructor(private readonly options: MaskinportenApiOptions) {
    this.shared = new SharedReads(options.sharedReadTtlMs ?? 5_000);
    this.clientLocks = options.clientLocks ?? new KeyedMutex();
    this.now = options.now ?? (() => options.transport.serverTime(options.apiBaseUrl));
  }

  // ---- clients --------------------------------------------------------------------------------------------

  listClients(options: { inactive?: boolean } = {}): Promise<ApiClient[]> {
    return this.expect(
      { method: "GET", path: "/clients", query: { inactive: String(options.inactive ?? false) }, operation: "list clients", requiredScope: dcrRead },
      wire().clientList,
    );
  }

  /** All clients, inactive included, shared with other callers in this process for a short time. */
  sharedClients(): Promise<ApiClient[]> {
    return this.shared.get("clients", () => this.listClients({ inactive: true }));
  }

  /**
   * The keys registered on a client, from the shared list: none for a client the API does not know. A
   * deactivated client keeps its keys (they sign nothing until it is reactivated), so they are listed too.
   */
  async sharedKeysOf(clientId: string): Promise<Jwk[]> {
    const client = (await this.sharedClients()).find((c) => c.client_id === clientId);
    return client?.jwks?.keys ?? [];
  }

  getClient(clientId: string): Promise<ApiClient> {
    return this.expect(this.clientCall("GET", clientId, "read client"), wire().client);
  }

  /** The client, or undefined when the API does not know it. */
  findClient(clientId: string): Promise<ApiClient | undefined> {
    return this.expectOrAbsent(this.clientCall("GET", clientId, "read client"), wire().client);
  }

  /**
   * Creates a client. Its `client_id` is chosen here unless given, so a create whose response was lost is
   * found by id instead of being sent twice.
   */
  async createClient(body: ClientRequest): Promise<ApiClient> {
    const request = { ...body, client_id: body.client_id ?? randomUUID() };
    const clientId = request.client_id;
    try {
      return await this.createOnce(
        { method: "POST", path: "/clients", json: request, operation: "create client", requiredScope: dcrWrite, resource: `client "${clientId}"` },
        wire().client,
        () => this.findClient(clientId),
      );
    } finally {
      this.shared.invalidate("clients");
    }
  }

  /**
   * Changes a client with a full PUT: reads it fresh, lets `change` build the new body from it, and sends that
   * back without the server-owned timestamps. Serialized with every other change to the same client.
   */
  updateClient(clientId: string, change: (current: ApiClient) => ClientRequest): Promise<ApiClient> {
    return this.withClient(clientId, async () => {
      const current = await this.getClient(clientId);
      const { created: _created, last_updated: _lastUpdated, ...body } = change(current);
      return this.expect({ ...this.clientCall("PUT", clientId, "update client"), json: body }, wire().client);
    });
  }

  /** Deactivates a client (the API's DELETE). A client the API does not know counts as already gone. */
  deleteClient(clientId: string): Promise<"deactivated" | "absent"> {
    return this.withClient(clientId, async () => {
      const body = await this.body(this.clientCall("DELETE", clientId, "delete client"), { absentOk: true });
      return body === ABSENT ? "absent" : "deactivated";
    });
  }

  // ---- JWKS -----------------------------------------------------------------------------------------------

  /** The keys registered on a client; none when the API answers 404 (it uses 404 for "no keys" too). */
  async getJwks(clientId: string): Promise<Jwk[]> {
    const jwks = await this.expectOrAbsent(
      { method: "GET", path: `/clients/${enc(clientId)}/jwks`, operation: "read the client's keys", requiredScope: dcrRead, resource: `client "${clientId}"` },
      wire().jwks,
    );
    return jwks?.keys ?? [];
  }

  /**
   * Read-modify-write of a client's whole key set, serialized with every other change to that client in this
   * process. `change` gets the current keys and returns the wanted ones. Fails before writing when the result
   * would exceed the limit. Removing the last key uses DELETE (an empty set cannot be posted). The written
   * set is read back and compared. Keys whose `exp` has passed are left out of what is written: they sign
   * nothing any more, and the API refuses a key set holding one.
   */
  modifyJwks(clientId: string, change: (current: Jwk[]) => Jwk[]): Promise<Jwk[]> {
    return this.withClient(clientId, async () => {
      const current = await this.getJwks(clientId);
      const changed = change(current.map((k) => ({ ...k })));
      if (sameKeys(current, changed)) return current;
      const nowSeconds = Math.floor(this.now() / 1000);
      const wanted = changed.filter((k) => k.exp === undefined || k.exp > nowSeconds);
      if (wanted.length > MAX_KEYS_PER_CLIENT) {
        throw new TooManyKeysError(clientId, current.map((k) => k.kid ?? "(no kid)"), wanted.length);
      }
      const path = `/clients/${enc(clientId)}/jwks`;
      const resource = `client "${clientId}"`;
      if (wanted.length === 0) {
        await this.body({ method: "DELETE", path, operation: "remove the client's keys", requiredScope: dcrWrite, resource }, { absentOk: true });
      } else {
        // Replacing the whole set with the same set is harmless, so the POST may be retried like a PUT.
        await this.body(
          { method: "POST", path, json: { keys: wanted }, operation: "register the client's keys", requiredScope: dcrWrite, resource, retry: "idempotent" },
          { absentOk: false },
        );
      }
      const written = await this.getJwks(clientId);
      if (!sameKeys(written, wanted, { ignoreServerExp: true })) {
        throw new MaskinportenError(
          "JWKS_NOT_AS_WRITTEN",
          `the keys of client ${clientId} are not what was just written (wanted ${kids(wanted)}, found ${kids(written)}): ` +
            "something else changed them at the same time, e.g. the portal or another program; run again to converge",
        );
      }
      return written;
    });
  }

  // ---- scopes ---------------------------------------------------------------------------------------------

  listScopes(options: { inactive?: boolean } = {}): Promise<ApiScope[]> {
    return this.expect(
      { method: "GET", path: "/scopes", query: { inactive: String(options.inactive ?? false) }, operation: "list scopes", requiredScope: scopesRead },
      wire().scopeList,
    );
  }

  /** The caller's scopes, inactive included, shared with other callers in this process for a short time. */
  sharedScopes(): Promise<ApiScope[]> {
    return this.shared.get("scopes", () => this.listScopes({ inactive: true }));
  }

  findScope(name: string): Promise<ApiScope | undefined> {
    return this.expectOrAbsent(
      { method: "GET", path: "/scopes/scope", query: { scope: name }, operation: "read scope", requiredScope: scopesRead, resource: `scope "${name}"` },
      wire().scope,
    );
  }

  /** The public catalogue of scopes. */
  listAllScopes(filter: { prefix?: string; inactive?: boolean; accessibleForAll?: boolean; integrationType?: string } = {}): Promise<ApiScope[]> {
    const query = {
      prefix: filter.prefix,
      inactive: filter.inactive === undefined ? undefined : String(filter.inactive),
      accessible_for_all: filter.accessibleForAll === undefined ? undefined : String(filter.accessibleForAll),
      integration_type: filter.integrationType,
    };
    return this.expect({ method: "GET", path: "/scopes/all", query, operation: "list the scope catalogue", requiredScope: scopesRead }, wire().scopeList);
  }

  /**
   * Creates a scope. A create whose response was lost is looked up by name before it is sent again. A scope
   * that exists deactivated answers 409 (an `ApiError` with status 409): reactivate it with `updateScope`.
   */
  async createScope(body: ScopeRequest & { prefix: string; subscope: string }): Promise<ApiScope> {
    const name = `${body.prefix}:${body.subscope}`;
    try {
      return await this.createOnce(
        { method: "POST", path: "/scopes", json: body, operation: "create scope", requiredScope: scopesWrite, resource: `scope "${name}"` },
        wire().scope,
        async () => {
          const found = await this.findScope(name);
          return found?.active ? found : undefined;
        },
      );
    } finally {
      this.shared.invalidate("scopes");
    }
  }

  async updateScope(name: string, body: ScopeRequest): Promise<ApiScope> {
    try {
      return await this.expect(
        { method: "PUT", path: "/scopes", query: { scope: name }, json: body, operation: "update scope", requiredScope: scopesWrite, resource: `scope "${name}"` },
        wire().scope,
      );
    } finally {
      this.shared.invalidate("scopes");
    }
  }

  /** Deactivates a scope (the API's DELETE); its grants are kept. Unknown counts as already gone. */
  async deleteScope(name: string): Promise<"deactivated" | "absent"> {
    try {
      const body = await this.body(
        { method: "DELETE", path: "/scopes", query: { scope: name }, operation: "deactivate scope", requiredScope: scopesWrite, resource: `scope "${name}"` },
        { absentOk: true },
      );
      return body === ABSENT ? "absent" : "deactivated";
    } finally {
      this.shared.invalidate("scopes");
    }
  }

  /** The scope prefixes the caller's organisation owns. */
  listPrefixes(): Promise<string[]> {
    return this.expect({ method: "GET", path: "/prefix", operation: "list scope prefixes", requiredScope: scopesRead }, wire().prefixList);
  }

  // ---- scope access ---------------------------------------------------------------------------------------

  async grantAccess(scope: string, consumerOrgno: string): Promise<ScopeAccess> {
    try {
      return await this.expect(this.accessCall("PUT", scope, consumerOrgno, "grant access to scope"), wire().scopeAccess);
    } finally {
      this.shared.invalidate(`access:${scope}`);
    }
  }

  /** Revokes access; the API keeps the grant as DENIED. A grant it does not know counts as already gone. */
  async revokeAccess(scope: string, consumerOrgno: string): Promise<ScopeAccess | undefined> {
    try {
      return await this.expectOrAbsent(this.accessCall("DELETE", scope, consumerOrgno, "revoke access to scope"), wire().scopeAccess);
    } finally {
      this.shared.invalidate(`access:${scope}`);
    }
  }

  /** Grants given, for one scope or to one consumer. */
  listAccess(filter: { scope: string } | { consumerOrgno: string }): Promise<ScopeAccess[]> {
    const query = "scope" in filter ? { scope: filter.scope } : { consumer_orgno: filter.consumerOrgno };
    return this.expect({ method: "GET", path: "/scopes/access", query, operation: "list grants", requiredScope: scopesRead }, wire().scopeAccessList);
  }

  /** The grants of one scope, shared with other callers in this process for a short time. */
  sharedAccess(scope: string): Promise<ScopeAccess[]> {
    return this.shared.get(`access:${scope}`, () => this.listAccess({ scope }));
  }

  /** Grants the caller's organisation has received. */
  listReceivedAccess(): Promise<ScopeAccess[]> {
    return this.expect({ method: "GET", path: "/scopes/access/all", operation: "list grants received", requiredScope: scopesRead }, wire().scopeAccessList);
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  private clientCall(method: Method, clientId: string, operation: string): Call {
    return {
      method,
      path: `/clients/${enc(clientId)}`,
      operation,
      requiredScope: method === "GET" ? dcrRead : dcrWrite,
      resource: `client "${clientId}"`,
    };
  }

  private accessCall(method: Method, scope: string, consumerOrgno: string, operation: string): Call {
    return {
      method,
      path: `/scopes/access/${enc(consumerOrgno)}`,
      query: { scope },
      operation,
      requiredScope: scopesWrite,
      resource: `access of ${consumerOrgno} to scope "${scope}"`,
    };
  }

  private withClient<T>(clientId: string, task: () => Promise<T>): Promise<T> {
    return this.clientLocks.run(clientId, async () => {
      try {
        return await task();
      } finally {
        this.shared.invalidate("clients");
      }
    });
  }

  /**
   * Sends a create; when its outcome is unknown (the response was lost, or was a 5xx, which may come after
   * the work was done), `lookup` tells whether it took effect before it is sent again. A 409 after such a
   * retry also means the first attempt landed. When that cannot be settled, a `CreateOutcomeUnknownError`.
   */
  private async createOnce<T>(call: Call, schema: z.ZodType<T>, lookup: () => Promise<T | undefined>): Promise<T> {
    let outcomeUnknown = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.expect({ ...call, retry: "safe-before-send" }, schema);
      } catch (err) {
        const unknown = (err instanceof NetworkError && err.outcomeUnknown) || (err instanceof ApiError && err.status >= 500);
        const conflictAfterUnknown = outcomeUnknown && err instanceof MaskinportenError && err.code === "API_CONFLICT";
        if (!unknown && !conflictAfterUnknown) throw outcomeUnknown ? new CreateOutcomeUnknownError(call.resource ?? call.operation, err) : err;
        outcomeUnknown = true;
        let found: T | undefined;
        try {
          found = await lookup();
        } catch (lookupErr) {
          throw new CreateOutcomeUnknownError(call.resource ?? call.operation, lookupErr);
        }
        if (found !== undefined) return found;
        // A create that is still being processed can land after the lookup: past the last attempt, unknown.
        if (attempt >= MAX_CREATE_ATTEMPTS) throw new CreateOutcomeUnknownError(call.resource ?? call.operation, err);
      }
    }
  }

  private async expect<T>(call: Call, schema: z.ZodType<T>): Promise<T> {
    return parseBody(schema, await this.body(call, { absentOk: false }), call.operation);
  }

  /** The parsed body, or undefined when the API answers 404. */
  private async expectOrAbsent<T>(call: Call, schema: z.ZodType<T>): Promise<T | undefined> {
    const body = await this.body(call, { absentOk: true });
    return body === ABSENT ? undefined : parseBody(schema, body, call.operation);
  }

  /** The raw body of a 200, `ABSENT` for a 404 when allowed; any other status becomes an `ApiError`. */
  private async body(call: Call, options: { absentOk: boolean }): Promise<unknown> {
    const { response, accessToken } = await this.send(call);
    if (response.status === 404 && options.absentOk) return ABSENT;
    if (response.status !== 200) throw apiErrorFrom(response, { ...errorContext(call), secrets: [accessToken] });
    return response.body;
  }

  /** Sends with the admin token; a 401 drops the token and repeats once with a fresh one. */
  private async send(call: Call): Promise<{ response: HttpResponse; accessToken: string }> {
    const url = new URL(`${this.options.apiBaseUrl}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    for (let attempt = 1; ; attempt++) {
      const { accessToken } = await this.options.tokens.token();
      const response = await this.options.transport.request({
        method: call.method,
        url,
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
        ...(call.json !== undefined && { json: call.json }),
        retry: call.retry ?? (call.method === "POST" ? "safe-before-send" : "idempotent"),
        operation: call.operation,
      });
      if (response.status !== 401 || attempt > 1) return { response, accessToken };
      this.options.tokens.invalidate(accessToken);
    }
  }
}

function errorContext(call: Call) {
  return { operation: call.operation, requiredScope: call.requiredScope, ...(call.resource !== undefined && { resource: call.resource }) };
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown, operation: string): T {
  const parsed = schema.safeParse(body === "" ? undefined : body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join(".") : "the body";
  throw new MaskinportenError(
    "UNEXPECTED_RESPONSE",
    `${operation}: the API's response did not have the expected shape (${where}: ${issue?.message ?? "invalid"}); ` +
      "the API may have changed: report this with the package version",
  );
}

function enc(segment: string): string {
  return pathSegment(segment);
}

function kids(keys: readonly Jwk[]): string {
  return keys.length === 0 ? "no keys" : keys.map((k) => k.kid ?? "?").sort().join(", ");
}

/** Same kids with the same key material (and the same `exp`, unless the server may have set it). */
function sameKeys(a: readonly Jwk[], b: readonly Jwk[], options: { ignoreServerExp?: boolean } = {}): boolean {
  if (a.length !== b.length) return false;
  const byKid = new Map(a.map((k) => [k.kid, k]));
  return b.every((k) => {
    const other = byKid.get(k.kid);
    if (!other || other.n !== k.n || other.e !== k.e || other.alg !== k.alg) return false;
    return k.exp === undefined && options.ignoreServerExp ? true : other.exp === k.exp;
  });
}
