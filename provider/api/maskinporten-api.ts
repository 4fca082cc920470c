/**
 * Typed operations of Digdir's self-service API v1. Knows nothing of Pulumi: the provider, the CLI and
 * users' own code use it alike.
 *
 * - Every response is validated with the shared wire schemas (unknown fields kept). Any 2xx is success
 *   (Digdir's documentation shows 200, production callers see 201 and 204); an answer without a body is read
 *   back where its result is needed.
 * - Each request's token asks only for the admin scopes the operation needs (see `admin-scopes.ts`).
 * - A 401 drops the cached token and repeats the request once with a fresh one.
 * - Creates are never blindly repeated. Digdir assigns `client_id`, so none is sent: a client whose create
 *   answer was lost is recognised in the client list by the caller's `recognise` (the provider's ownership
 *   marker); a scope has a natural name and is looked up by it.
 * - All changes to one client (its JWKS and its PUTs) are serialized within the process, read fresh inside
 *   the lock, and JWKS writes are verified by reading the set back. Keys are written one by one where the
 *   server has the single-key operations, so another writer's key cannot be dropped (see `key-writes.ts`).
 */
import { z } from "zod";
import { AdminScopePolicy, NEEDS, type ScopeNeed } from "./admin-scopes";
import {
  ApiError,
  apiErrorFrom,
  AuthError,
  CreateOutcomeUnknownError,
  isMaskinportenError,
  MaskinportenError,
  NetworkError,
} from "./errors";
import type { HttpResponse, HttpTransport, RetryMode } from "./http";
import { KeySetWriter, type KeyWriteIo } from "./key-writes";
import { KeyedMutex } from "./keyed-mutex";
import { SharedReads } from "./shared-reads";
import type { AccessTokens } from "./token";
import { wire, type ApiClient, type ApiScope, type ClientRequest, type Jwk, type ScopeAccess, type ScopeRequest } from "./wire";
import { pathSegment } from "./path-segment";

export interface MaskinportenApiOptions {
  transport: HttpTransport;
  /** The self-service API base, ending in `/api/v1`. */
  apiBaseUrl: string;
  /** Tokens; each request asks for the admin scopes its operation needs. */
  tokens: AccessTokens;
  /**
   * The admin scopes the credential's self-service client has, when known (`maskinporten:adminScopes`). Unknown,
   * each operation's alternatives are tried until Maskinporten issues one.
   */
  adminScopes?: readonly string[];
  /** The setting that holds `adminScopes`, named in messages. */
  adminScopesSetting?: string;
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
  need: ScopeNeed;
  /** What is addressed, for 403/404/409 messages, e.g. `client "abc"`. */
  resource?: string;
  retry?: RetryMode;
}

const ABSENT = Symbol("absent");
/** A 2xx answer without a body (204, or 200/201 with nothing in it). */
const EMPTY = Symbol("empty");

/** A create is repeated at most this often after its outcome turned out unknown and the lookup found nothing. */
const MAX_CREATE_ATTEMPTS = 3;

/** Lifetimes the API returns as 0 when unset but refuses as 0 on PUT: left out of what is sent back. */
const LIFETIME_FIELDS = [
  "access_token_lifetime",
  "authorization_lifetime",
  "refresh_token_lifetime",
  "at_max_age",
  "authorization_max_lifetime",
] as const;

/** Tells a client this caller created (or was creating) from every other client. */
export type RecogniseClient = (client: ApiClient) => boolean;

export class MaskinportenApi {
  private readonly clientLocks: KeyedMutex;
  private readonly shared: SharedReads;
  private readonly now: () => number;
  private readonly scopes: AdminScopePolicy;
  /** The clients listed at this process's first create, taken once and kept (see `findOwnClient`). */
  private clientsBeforeCreates: Promise<ApiClient[]> | undefined;
  /** Clients this process created, for `findOwnClient`. */
  private readonly createdHere: ApiClient[] = [];
  /** Writes key changes, and remembers whether this server has the single-key operations. */
  private readonly keyWriter: KeySetWriter;

  constructor(private readonly options: MaskinportenApiOptions) {
    this.shared = new SharedReads(options.sharedReadTtlMs ?? 5_000);
    this.clientLocks = options.clientLocks ?? new KeyedMutex();
    this.now = options.now ?? (() => options.transport.serverTime(options.apiBaseUrl));
    this.scopes = new AdminScopePolicy(options.adminScopes, options.adminScopesSetting);
    this.keyWriter = new KeySetWriter(this.keyWriteIo());
  }

  // ---- clients --------------------------------------------------------------------------------------------

  listClients(options: { inactive?: boolean } = {}): Promise<ApiClient[]> {
    return this.expect(
      {
        method: "GET",
        path: "/clients",
        query: { inactive: String(options.inactive ?? false) },
        operation: "list clients",
        need: NEEDS.readClients,
      },
      wire().clientList,
    );
  }

  /** All clients, inactive included, shared with other callers in this process for a short time. */
  sharedClients(): Promise<ApiClient[]> {
    return this.shared.get("clients", () => this.listClients({ inactive: true }));
  }

  /**
   * The keys registered on a client, read once per client and shared with other callers in this process for a
   * short time (a refresh of several keys of one client reads them once); writes to the client drop it. Keys
   * come from `GET /clients/{id}/jwks`, as every production caller reads them; a client list that carries
   * them inline saves that read, but lists often carry only `jwks_uri`. None for a client the API does not
   * know. A deactivated client keeps its keys (they sign nothing until it is reactivated), so they count too.
   */
  async sharedKeysOf(clientId: string): Promise<Jwk[]> {
    const listed = (await this.sharedClients()).find((c) => c.client_id === clientId);
    if (listed === undefined) return [];
    if (Array.isArray(listed.jwks?.keys)) return listed.jwks.keys;
    return this.shared.get(`jwks:${clientId}`, () => this.getJwks(clientId));
  }

  getClient(clientId: string): Promise<ApiClient> {
    return this.expect(this.clientCall("GET", clientId, "read client"), wire().client);
  }

  /** The client, or undefined when the API does not know it. */
  findClient(clientId: string): Promise<ApiClient | undefined> {
    return this.expectOrAbsent(this.clientCall("GET", clientId, "read client"), wire().client);
  }

  /**
   * Creates a client. No `client_id` is sent: Digdir assigns it, and whether a supplied one is honoured,
   * ignored or refused is unknown. The id comes from the answer; when the answer is lost, failed (5xx) or has no
   * client in it, a fresh list of the organisation's active clients is searched with `recognise`, and the
   * create is sent again only when nothing is recognised. Without `recognise` such an outcome cannot be settled
   * and is a `CreateOutcomeUnknownError`.
   */
  async createClient(body: ClientRequest, recognise?: RecogniseClient): Promise<ApiClient> {
    const { client_id: _never, ...request } = body;
    const resource = `client "${request.client_name ?? "(unnamed)"}"`;
    const lookup = async () => {
      if (recognise === undefined)
        throw new MaskinportenError("CLIENT_NOT_RECOGNISABLE", "nothing identifies the new client among the organisation's clients");
      return (await this.listClients()).find((c) => c.active && recognise(c));
    };
    try {
      const created = await this.createOnce(
        { method: "POST", path: "/clients", json: request, operation: "create client", need: NEEDS.writeClients, resource },
        wire().client,
        lookup,
      );
      this.createdHere.push(created);
      return created;
    } finally {
      this.shared.invalidate("clients");
    }
  }

  /**
   * An active client that `recognise` accepts, among the clients listed at this process's first call (one list
   * read, kept for the process: within one run only this process creates the clients it looks for) and those
   * it created since. A candidate is read again before it is returned, so a client deactivated since the list
   * was taken never matches.
   */
  async findOwnClient(recognise: RecogniseClient): Promise<ApiClient | undefined> {
    this.clientsBeforeCreates ??= this.listClients().catch((err: unknown) => {
      this.clientsBeforeCreates = undefined;
      throw err;
    });
    const candidates = [...(await this.clientsBeforeCreates), ...this.createdHere].filter((c) => c.active && recognise(c));
    for (const candidate of candidates) {
      const now = await this.findClient(candidate.client_id);
      if (now?.active && recognise(now)) return now;
    }
    return undefined;
  }

  /**
   * Changes a client with a full PUT: reads it fresh, lets `change` build the new body from it, and sends that
   * back without the server-owned timestamps. Serialized with every other change to the same client.
   */
  updateClient(clientId: string, change: (current: ApiClient) => ClientRequest): Promise<ApiClient> {
    return this.withClient(clientId, async () => {
      const current = await this.getClient(clientId);
      const { created: _created, last_updated: _lastUpdated, ...body } = change(current);
      const updated = await this.expectOrEmpty(
        { ...this.clientCall("PUT", clientId, "update client"), json: withoutZeroLifetimes(body) },
        wire().client,
      );
      return updated ?? this.getClient(clientId);
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

  /**
   * The keys registered on a client. None when the API answers 404 (it uses 404 for "no keys" too), `200 {}`
   * or no body; set-level members beside `keys` (`created`, `last_updated`) are tolerated.
   */
  async getJwks(clientId: string): Promise<Jwk[]> {
    const call: Call = {
      method: "GET",
      path: `/clients/${enc(clientId)}/jwks`,
      operation: "read the client's keys",
      need: NEEDS.readClients,
      resource: `client "${clientId}"`,
    };
    const body = await this.body(call, { absentOk: true });
    if (body === ABSENT || body === EMPTY) return [];
    return parseBody(jwksAnswer(), body, call.operation).keys ?? [];
  }

  /**
   * Changes a client's keys, serialized with every other change to that client in this process. `change` gets
   * the current keys and returns the wanted ones; the keys read back after writing are returned. Each added,
   * changed or removed key is written on its own (`PUT`/`DELETE /jwks/{kid}`), leaving other writers' keys
   * alone; a server without those operations gets the whole set instead (`POST /jwks`, or `DELETE /jwks` for no
   * keys). Fails before writing when the result would exceed the limit; the result is read back and checked,
   * and a key lost to another writer fails loudly. Keys whose `exp` has passed are left out of whole-set writes:
   * they sign nothing any more, and the API refuses a key set holding one.
   */
  modifyJwks(clientId: string, change: (current: Jwk[]) => Jwk[]): Promise<Jwk[]> {
    return this.withClient(clientId, () => this.keyWriter.modify(clientId, change));
  }

  /** Whether key changes go through the whole set because this server lacks the single-key operations. */
  get writesWholeKeySets(): boolean {
    return this.keyWriter.usesWholeSet;
  }

  /** The API operations the key writer uses. */
  private keyWriteIo(): KeyWriteIo {
    const resource = (clientId: string) => `client "${clientId}"`;
    const jwksPath = (clientId: string) => `/clients/${enc(clientId)}/jwks`;
    return {
      getJwks: (clientId) => this.getJwks(clientId),
      clientExists: async (clientId) => (await this.findClient(clientId)) !== undefined,
      putKey: async (clientId, key) => {
        const path = `${jwksPath(clientId)}/${enc(key.kid)}`;
        await this.body(
          { method: "PUT", path, json: key, operation: `register key ${key.kid}`, need: NEEDS.writeKeys, resource: resource(clientId) },
          { absentOk: false },
        );
      },
      deleteKey: async (clientId, kid) => {
        const path = `${jwksPath(clientId)}/${enc(kid)}`;
        await this.body(
          { method: "DELETE", path, operation: `remove key ${kid}`, need: NEEDS.writeKeys, resource: resource(clientId) },
          { absentOk: false },
        );
      },
      replaceKeys: async (clientId, keys) => {
        const call = { path: jwksPath(clientId), need: NEEDS.writeKeys, resource: resource(clientId) };
        if (keys.length === 0) {
          // An empty set cannot be posted: the last key goes with DELETE of the set.
          await this.body({ ...call, method: "DELETE", operation: "remove the client's keys" }, { absentOk: true });
          return;
        }
        // Replacing the whole set with the same set is harmless, so the POST may be retried like a PUT.
        await this.body(
          { ...call, method: "POST", json: { keys }, operation: "register the client's keys", retry: "idempotent" },
          { absentOk: false },
        );
      },
      now: () => this.now(),
    };
  }

  // ---- scopes ---------------------------------------------------------------------------------------------

  listScopes(options: { inactive?: boolean } = {}): Promise<ApiScope[]> {
    return this.expect(
      {
        method: "GET",
        path: "/scopes",
        query: { inactive: String(options.inactive ?? false) },
        operation: "list scopes",
        need: NEEDS.readScopes,
      },
      wire().scopeList,
    ).then((scopes) => scopes.map(named));
  }

  /** The caller's scopes, inactive included, shared with other callers in this process for a short time. */
  sharedScopes(): Promise<ApiScope[]> {
    return this.shared.get("scopes", () => this.listScopes({ inactive: true }));
  }

  /**
   * One scope of the caller's, inactive included. Digdir's documentation reads it with `GET /scopes?scope=`
   * (`/scopes/scope?scope=` is unconfirmed): the answer may be the scope, a list holding it, or, from a server
   * that ignores the parameter, the whole list; the scope is picked from a list by name.
   */
  async findScope(name: string): Promise<ApiScope | undefined> {
    const call: Call = {
      method: "GET",
      path: "/scopes",
      query: { scope: name, inactive: "true" },
      operation: "read scope",
      need: NEEDS.readScopes,
      resource: `scope "${name}"`,
    };
    const body = await this.body(call, { absentOk: true });
    if (body === ABSENT || body === EMPTY) return undefined;
    const scopes = Array.isArray(body)
      ? parseBody(wire().scopeList, body, call.operation)
      : [parseBody(wire().scope, body, call.operation)];
    return scopes.map(named).find((s) => s.name === name);
  }

  /** The public catalogue of scopes. */
  listAllScopes(
    filter: { prefix?: string; inactive?: boolean; accessibleForAll?: boolean; integrationType?: string } = {},
  ): Promise<ApiScope[]> {
    const query = {
      prefix: filter.prefix,
      inactive: filter.inactive === undefined ? undefined : String(filter.inactive),
      accessible_for_all: filter.accessibleForAll === undefined ? undefined : String(filter.accessibleForAll),
      integration_type: filter.integrationType,
    };
    return this.expect(
      { method: "GET", path: "/scopes/all", query, operation: "list the scope catalogue", need: NEEDS.readCatalogue },
      wire().scopeList,
    ).then((scopes) => scopes.map(named));
  }

  /**
   * Creates a scope. A create whose response was lost is looked up by name before it is sent again. A scope
   * that exists deactivated answers 409 (an `ApiError` with status 409): reactivate it with `updateScope`.
   */
  async createScope(body: ScopeRequest & { prefix: string; subscope: string }): Promise<ApiScope> {
    const name = `${body.prefix}:${body.subscope}`;
    try {
      return named(
        await this.createOnce(
          { method: "POST", path: "/scopes", json: body, operation: "create scope", need: NEEDS.writeScopes, resource: `scope "${name}"` },
          wire().scope,
          async () => {
            const found = await this.findScope(name);
            return found?.active ? found : undefined;
          },
        ),
      );
    } finally {
      this.shared.invalidate("scopes");
    }
  }

  async updateScope(name: string, body: ScopeRequest): Promise<ApiScope> {
    try {
      const updated = await this.expectOrEmpty(
        {
          method: "PUT",
          path: "/scopes",
          query: { scope: name },
          json: withoutZeroLifetimes(body),
          operation: "update scope",
          need: NEEDS.writeScopes,
          resource: `scope "${name}"`,
        },
        wire().scope,
      );
      return updated ? named(updated) : await this.scopeReadBack(name, "update scope");
    } finally {
      this.shared.invalidate("scopes");
    }
  }

  /** Deactivates a scope (the API's DELETE); its grants are kept. Unknown counts as already gone. */
  async deleteScope(name: string): Promise<"deactivated" | "absent"> {
    try {
      const body = await this.body(
        {
          method: "DELETE",
          path: "/scopes",
          query: { scope: name },
          operation: "deactivate scope",
          need: NEEDS.writeScopes,
          resource: `scope "${name}"`,
        },
        { absentOk: true },
      );
      return body === ABSENT ? "absent" : "deactivated";
    } finally {
      this.shared.invalidate("scopes");
    }
  }

  /** The scope prefixes the caller's organisation owns. */
  listPrefixes(): Promise<string[]> {
    return this.expect({ method: "GET", path: "/prefix", operation: "list scope prefixes", need: NEEDS.readScopes }, wire().prefixList);
  }

  // ---- scope access ---------------------------------------------------------------------------------------

  async grantAccess(scope: string, consumerOrgno: string): Promise<ScopeAccess> {
    try {
      const granted = await this.expectOrEmpty(this.accessCall("PUT", scope, consumerOrgno, "grant access to scope"), wire().scopeAccess);
      if (granted) return granted;
      const found = (await this.listAccess({ scope })).find((g) => g.consumer_orgno === consumerOrgno);
      if (!found) throw notAsWritten(`access of ${consumerOrgno} to scope "${scope}"`);
      return found;
    } finally {
      this.shared.invalidate(`access:${scope}`);
    }
  }

  /**
   * Revokes access; the API keeps the grant as DENIED and answers with it, or without a body (then it is read
   * back). A grant it does not know counts as already gone (undefined).
   */
  async revokeAccess(scope: string, consumerOrgno: string): Promise<ScopeAccess | undefined> {
    try {
      const body = await this.body(this.accessCall("DELETE", scope, consumerOrgno, "revoke access to scope"), { absentOk: true });
      if (body === ABSENT) return undefined;
      if (body === EMPTY) return (await this.listAccess({ scope })).find((g) => g.consumer_orgno === consumerOrgno);
      return parseBody(wire().scopeAccess, body, "revoke access to scope");
    } finally {
      this.shared.invalidate(`access:${scope}`);
    }
  }

  /** Grants given, for one scope or to one consumer. */
  listAccess(filter: { scope: string } | { consumerOrgno: string }): Promise<ScopeAccess[]> {
    const query = "scope" in filter ? { scope: filter.scope } : { consumer_orgno: filter.consumerOrgno };
    return this.expect(
      { method: "GET", path: "/scopes/access", query, operation: "list grants", need: NEEDS.readScopes },
      wire().scopeAccessList,
    );
  }

  /** The grants of one scope, shared with other callers in this process for a short time. */
  sharedAccess(scope: string): Promise<ScopeAccess[]> {
    return this.shared.get(`access:${scope}`, () => this.listAccess({ scope }));
  }

  /** Grants the caller's organisation has received. */
  listReceivedAccess(): Promise<ScopeAccess[]> {
    return this.expect(
      { method: "GET", path: "/scopes/access/all", operation: "list grants received", need: NEEDS.readScopes },
      wire().scopeAccessList,
    );
  }

  // ---- preview checks -------------------------------------------------------------------------------------

  /** Whether this process created the client (its keys are then all of this run). */
  createdInThisProcess(clientId: string): boolean {
    return this.createdHere.some((c) => c.client_id === clientId);
  }

  /**
   * Gets (or reuses) the admin token an operation needs, without calling the API: proves that the credential
   * works and holds one of the operation's admin scopes (throws the `AuthError`, `ConfigError` or
   * `MissingAdminScopeError` the operation itself would meet). Returns the organisation the token was issued
   * to, when the token says so (Maskinporten's tokens carry `consumer.ID` = `0192:<orgno>`), else undefined.
   */
  async proveAdminScope(need: ScopeNeed, operation: string): Promise<{ orgno: string | undefined }> {
    return { orgno: orgnoOfToken(await this.tokenFor({ method: "GET", path: "", operation, need })) };
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  private clientCall(method: Method, clientId: string, operation: string): Call {
    return {
      method,
      path: `/clients/${enc(clientId)}`,
      operation,
      need: method === "GET" ? NEEDS.readClients : method === "PUT" ? NEEDS.writeKeys : NEEDS.writeClients,
      resource: `client "${clientId}"`,
    };
  }

  private accessCall(method: Method, scope: string, consumerOrgno: string, operation: string): Call {
    return {
      method,
      path: `/scopes/access/${enc(consumerOrgno)}`,
      query: { scope },
      operation,
      need: NEEDS.writeScopes,
      resource: `access of ${consumerOrgno} to scope "${scope}"`,
    };
  }

  private withClient<T>(clientId: string, task: () => Promise<T>): Promise<T> {
    return this.clientLocks.run(clientId, async () => {
      try {
        return await task();
      } finally {
        this.shared.invalidate("clients");
        this.shared.invalidate(`jwks:${clientId}`);
      }
    });
  }

  /** A scope that must exist now (just written): read back, or a loud failure. */
  private async scopeReadBack(name: string, operation: string): Promise<ApiScope> {
    const found = await this.findScope(name);
    if (!found) throw notAsWritten(`scope "${name}" (${operation})`);
    return found;
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
        const answer = await this.expectOrEmpty({ ...call, retry: "safe-before-send" }, schema);
        if (answer !== undefined) return answer;
        // Done, but answered without the object (201/204 without a body): find it.
        const found = await lookup().catch((err: unknown) => {
          throw new CreateOutcomeUnknownError(call.resource ?? call.operation, err);
        });
        if (found === undefined) throw notAsWritten(`${call.resource ?? call.operation}, answered without a body,`);
        return found;
      } catch (err) {
        if (err instanceof CreateOutcomeUnknownError || isMaskinportenError(err, "NOT_AS_WRITTEN")) throw err;
        const unknown = (err instanceof NetworkError && err.outcomeUnknown) || (err instanceof ApiError && err.status >= 500);
        const conflictAfterUnknown = outcomeUnknown && isMaskinportenError(err, "API_CONFLICT");
        if (!unknown && !conflictAfterUnknown)
          throw outcomeUnknown ? new CreateOutcomeUnknownError(call.resource ?? call.operation, err) : err;
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

  /** The parsed body of an answer that must carry one. */
  private async expect<T>(call: Call, schema: z.ZodType<T>): Promise<T> {
    const body = await this.body(call, { absentOk: false });
    if (body === EMPTY) {
      throw new MaskinportenError(
        "UNEXPECTED_RESPONSE",
        `${call.operation}: the API answered without a body where its result was expected; report this with the package version`,
      );
    }
    return parseBody(schema, body, call.operation);
  }

  /** The parsed body, or undefined when the API answered a 2xx without one (the caller reads the result back). */
  private async expectOrEmpty<T>(call: Call, schema: z.ZodType<T>): Promise<T | undefined> {
    const body = await this.body(call, { absentOk: false });
    return body === EMPTY ? undefined : parseBody(schema, body, call.operation);
  }

  /** The parsed body, or undefined when the API answers 404. */
  private async expectOrAbsent<T>(call: Call, schema: z.ZodType<T>): Promise<T | undefined> {
    const body = await this.body(call, { absentOk: true });
    if (body === ABSENT) return undefined;
    if (body === EMPTY) return this.expect(call, schema);
    return parseBody(schema, body, call.operation);
  }

  /**
   * The raw body of a 2xx (`EMPTY` when it has none), `ABSENT` for a 404 when allowed; any other status becomes an
   * `ApiError`.
   */
  private async body(call: Call, options: { absentOk: boolean }): Promise<unknown> {
    const { response, accessToken } = await this.send(call);
    if (response.status === 404 && options.absentOk) return ABSENT;
    if (response.status < 200 || response.status > 299) throw apiErrorFrom(response, { ...errorContext(call), secrets: [accessToken] });
    return response.body === undefined || response.body === null || response.body === "" ? EMPTY : response.body;
  }

  /**
   * The admin token for the operation: asks for the first of its scopes Maskinporten issues to this credential;
   * one refused (`invalid_scope`) is remembered and the next alternative asked for.
   */
  private async tokenFor(call: Call): Promise<string> {
    let refusal: unknown;
    for (;;) {
      const scopes = this.scopes.scopesFor(call.need, call.operation, refusal);
      try {
        return (await this.options.tokens.token(scopes)).accessToken;
      } catch (err) {
        if (!(err instanceof AuthError && err.oauthError === "invalid_scope")) throw err;
        this.scopes.refuse(scopes[0]!);
        refusal = err;
      }
    }
  }

  /** Sends with the admin token; a 401 drops the token and repeats once with a fresh one. */
  private async send(call: Call): Promise<{ response: HttpResponse; accessToken: string }> {
    const url = new URL(`${this.options.apiBaseUrl}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    for (let attempt = 1; ; attempt++) {
      const accessToken = await this.tokenFor(call);
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
  return { operation: call.operation, requiredScope: call.need[0], ...(call.resource !== undefined && { resource: call.resource }) };
}

/** A JWKS answer: `keys` may be missing (none), and set-level members (`created`, `last_updated`) come along. */
function jwksAnswer() {
  return z.looseObject({ keys: z.array(wire().jwk).optional() });
}

/** A scope as answered, with its name: answers may carry `"name": ""`. */
function named(scope: ApiScope): ApiScope {
  return scope.name === "" ? { ...scope, name: `${scope.prefix}:${scope.subscope}` } : scope;
}

/** A body to send back without the lifetimes that are 0: the API returns unset ones as 0 and refuses 0. */
function withoutZeroLifetimes<T extends object>(body: T): T {
  return Object.fromEntries(
    Object.entries(body).filter(([key, value]) => !((LIFETIME_FIELDS as readonly string[]).includes(key) && value === 0)),
  ) as T;
}

function notAsWritten(what: string): MaskinportenError {
  return new MaskinportenError(
    "NOT_AS_WRITTEN",
    `${what} is not found just after it was written: something else changed it at the same time; run again to converge`,
  );
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

/** The organisation number in a Maskinporten access token's `consumer.ID` (`0192:<orgno>`), read without verifying. */
export function orgnoOfToken(accessToken: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      consumer?: { ID?: unknown };
    };
    const match = /^0192:(\d{9})$/.exec(String(payload.consumer?.ID ?? ""));
    return match?.[1];
  } catch {
    return undefined;
  }
}

function enc(segment: string): string {
  return pathSegment(segment);
}
