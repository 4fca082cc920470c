/**
 * `SimulatorControl`: a typed HTTP client of the simulator's `/__sim/` hooks. It needs only the base URL,
 * so tests can drive a simulator running in another process.
 */
import type { ApiClient, ApiScope, ClientRequest, Jwk, Jwks, ScopeAccess, ScopeRequest } from "./wire";
import type { SimulatorSwitches, VariantSpec } from "./variant";
import type {
  AdminCertificate,
  BusinessCertificate,
  BusinessCertificateOptions,
  FaultRule,
  FaultRuleState,
  OrgSeed,
  RequestCounters,
  RequestKind,
  RequestLogEntry,
  SimulatorOrg,
  StartupInfo,
} from "./types";

export class SimulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    const description = typeof body === "object" && body !== null ? (body as { error_description?: unknown }).error_description : undefined;
    super(`${what} failed with ${status}${typeof description === "string" ? `: ${description}` : ""}`);
    this.name = "SimulatorControlError";
  }
}

export interface ClockState {
  now: string;
  nowSeconds: number;
  offsetSeconds: number;
}

export interface SimulatorState {
  digdirOrgno: string;
  orgs: { orgno: string; name: string; prefixes: string[]; adminClientId?: string; adminScopes: string[] }[];
  clients: ApiClient[];
  scopes: ApiScope[];
  grants: ScopeAccess[];
}

export interface RequestLogQuery {
  since?: number;
  kind?: RequestKind;
  limit?: number;
}

export interface RawResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

async function exchange(url: string, method: string, body?: unknown): Promise<RawResponse> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  if (text && (response.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: response.status, body: text === "" ? undefined : parsed, headers: response.headers };
}

function certificateBody(opts: BusinessCertificateOptions): Record<string, unknown> {
  return {
    ...(opts.notBefore ? { notBefore: opts.notBefore.toISOString() } : {}),
    ...(opts.notAfter ? { notAfter: opts.notAfter.toISOString() } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.commonName !== undefined ? { commonName: opts.commonName } : {}),
    ...(opts.seid !== undefined ? { seid: opts.seid } : {}),
  };
}

export class SimulatorControl {
  /** Base URL of the simulator, without trailing slash. */
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, "");
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await exchange(`${this.url}/__sim${path}`, method, body);
    if (response.status !== 200) throw new SimulatorControlError(response.status, response.body, `${method} /__sim${path}`);
    return response.body as T;
  }

  health(): Promise<{ ok: boolean }> {
    return this.call("GET", "/health");
  }

  /** What the CLI printed on start: URLs and the organisations with their admin credentials. */
  info(): Promise<StartupInfo> {
    return this.call("GET", "/info");
  }

  /** Every client, scope and grant of every organisation (no private keys). */
  state(): Promise<SimulatorState> {
    return this.call("GET", "/state");
  }

  /** Back to the seeded state: same organisations, admin keys, signing key and CA; faults and the log stay. */
  async reset(): Promise<void> {
    await this.call("POST", "/reset");
  }

  async addFault(rule: FaultRule): Promise<string> {
    return (await this.call<FaultRuleState>("POST", "/faults", rule)).id;
  }

  faults(): Promise<FaultRuleState[]> {
    return this.call("GET", "/faults");
  }

  async removeFault(id: string): Promise<void> {
    await this.call("DELETE", `/faults/${encodeURIComponent(id)}`);
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/faults");
  }

  async requestLog(query: RequestLogQuery = {}): Promise<RequestLogEntry[]> {
    const params = new URLSearchParams();
    if (query.since !== undefined) params.set("since", String(query.since));
    if (query.kind !== undefined) params.set("kind", query.kind);
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    const qs = params.toString();
    return (await this.call<{ entries: RequestLogEntry[] }>("GET", `/requests${qs ? `?${qs}` : ""}`)).entries;
  }

  /** The seq of the last logged request: pass it as `since` to see only what follows. */
  async lastSeq(): Promise<number> {
    return (await this.call<{ lastSeq: number }>("GET", "/requests?limit=0")).lastSeq;
  }

  counters(): Promise<RequestCounters> {
    return this.call("GET", "/counters");
  }

  async resetRequests(): Promise<void> {
    await this.call("DELETE", "/requests");
  }

  clock(): Promise<ClockState> {
    return this.call("GET", "/clock");
  }

  setClockOffset(seconds: number): Promise<ClockState> {
    return this.call("PUT", "/clock", { offsetSeconds: seconds });
  }

  advanceClock(seconds: number): Promise<ClockState> {
    return this.call("POST", "/clock/advance", { seconds });
  }

  async setPropagationDelay(delayMs: number): Promise<void> {
    await this.call("PUT", "/propagation", { delayMs });
  }

  async caCertificate(): Promise<string> {
    return (await this.call<{ certificatePem: string }>("GET", "/ca")).certificatePem;
  }

  /** Accept business certificates issued by another CA as well. */
  async trustCa(certificatePem: string): Promise<void> {
    await this.call("POST", "/ca/trust", { certificatePem });
  }

  issueCertificate(orgno: string, opts: BusinessCertificateOptions = {}): Promise<BusinessCertificate> {
    return this.call("POST", "/certificates", { orgno, ...certificateBody(opts) });
  }

  /** The switches in force. */
  variant(): Promise<SimulatorSwitches> {
    return this.call("GET", "/variant");
  }

  /** Changes switches at run time: a preset name, or switches layered on the current ones (or on `base`). */
  setVariant(spec: VariantSpec): Promise<SimulatorSwitches> {
    return this.call("PUT", "/variant", typeof spec === "string" ? { preset: spec } : spec);
  }

  /** A business certificate of the organisation (PKCS#12 and PEMs) and its certificate-authenticated self-service client. */
  adminCertificate(orgno: string, opts: BusinessCertificateOptions = {}): Promise<AdminCertificate> {
    return this.call("POST", `/orgs/${encodeURIComponent(orgno)}/admin-certificate`, certificateBody(opts));
  }

  /** Registers a public key on a client without `use`, as keys registered before 2025-05-22 are. */
  addLegacyKey(clientId: string, publicJwk: Jwk): Promise<Jwk> {
    return this.call("POST", `/clients/${encodeURIComponent(clientId)}/legacy-keys`, publicJwk);
  }

  /** A new organisation with an admin client, at runtime. */
  addOrganisation(seed: OrgSeed): Promise<SimulatorOrg> {
    return this.call("POST", "/orgs", seed);
  }

  /** Out-of-band edits as the organisation's admin would make them in the web portal. */
  portal(orgno: string): PortalClient {
    return new PortalClient(this.url, orgno);
  }
}

/**
 * The self-service API as an organisation's admin, through `/__sim/portal/{orgno}/api/v1`, without a token.
 * Every change obeys the API's rules. Helpers throw `SimulatorControlError` unless the answer is 200;
 * `request` returns any answer.
 */
export class PortalClient {
  private readonly base: string;

  constructor(
    url: string,
    readonly orgno: string,
  ) {
    this.base = `${url.replace(/\/+$/, "")}/__sim/portal/${encodeURIComponent(orgno)}/api/v1`;
  }

  /** `path` relative to `/api/v1`, e.g. `/clients`. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<RawResponse<T>> {
    const relative = path.startsWith("/api/v1") ? path.slice("/api/v1".length) : path;
    return exchange(`${this.base}${relative}`, method, body) as Promise<RawResponse<T>>;
  }

  private async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (response.status !== 200) throw new SimulatorControlError(response.status, response.body, `portal ${this.orgno}: ${method} ${path}`);
    return response.body;
  }

  listClients(inactive = false): Promise<ApiClient[]> {
    return this.ok("GET", `/clients?inactive=${inactive}`);
  }

  getClient(clientId: string): Promise<ApiClient> {
    return this.ok("GET", `/clients/${encodeURIComponent(clientId)}`);
  }

  createClient(body: ClientRequest): Promise<ApiClient> {
    return this.ok("POST", "/clients", body);
  }

  /** GET, apply `changes`, PUT back: the portal's "edit and save". */
  async updateClient(clientId: string, changes: Partial<ClientRequest>): Promise<ApiClient> {
    const { created: _c, last_updated: _u, jwks: _j, ...current } = await this.getClient(clientId);
    return this.ok("PUT", `/clients/${encodeURIComponent(clientId)}`, { ...current, ...changes });
  }

  deleteClient(clientId: string): Promise<ApiClient> {
    return this.ok("DELETE", `/clients/${encodeURIComponent(clientId)}`);
  }

  getKeys(clientId: string): Promise<Jwks> {
    return this.ok("GET", `/clients/${encodeURIComponent(clientId)}/jwks`);
  }

  replaceKeys(clientId: string, keys: Jwk[]): Promise<Jwks> {
    return this.ok("POST", `/clients/${encodeURIComponent(clientId)}/jwks`, { keys });
  }

  putKey(clientId: string, jwk: Jwk & { kid: string }): Promise<Jwk> {
    return this.ok("PUT", `/clients/${encodeURIComponent(clientId)}/jwks/${encodeURIComponent(jwk.kid)}`, jwk);
  }

  deleteKey(clientId: string, kid: string): Promise<Jwks> {
    return this.ok("DELETE", `/clients/${encodeURIComponent(clientId)}/jwks/${encodeURIComponent(kid)}`);
  }

  deleteAllKeys(clientId: string): Promise<Jwks> {
    return this.ok("DELETE", `/clients/${encodeURIComponent(clientId)}/jwks`);
  }

  listScopes(inactive = false): Promise<ApiScope[]> {
    return this.ok("GET", `/scopes?inactive=${inactive}`);
  }

  getScope(name: string): Promise<ApiScope> {
    return this.ok("GET", `/scopes/scope?scope=${encodeURIComponent(name)}`);
  }

  createScope(body: ScopeRequest): Promise<ApiScope> {
    return this.ok("POST", "/scopes", body);
  }

  /** GET, apply `changes`, PUT back. `{ active: true }` reactivates. */
  async updateScope(name: string, changes: Partial<ScopeRequest>): Promise<ApiScope> {
    const { created: _c, last_updated: _u, ...current } = await this.getScope(name);
    return this.ok("PUT", `/scopes?scope=${encodeURIComponent(name)}`, { ...current, ...changes });
  }

  deactivateScope(name: string): Promise<ApiScope> {
    return this.ok("DELETE", `/scopes?scope=${encodeURIComponent(name)}`);
  }

  grantAccess(scope: string, consumerOrgno: string): Promise<ScopeAccess> {
    return this.ok("PUT", `/scopes/access/${encodeURIComponent(consumerOrgno)}?scope=${encodeURIComponent(scope)}`);
  }

  revokeAccess(scope: string, consumerOrgno: string): Promise<ScopeAccess> {
    return this.ok("DELETE", `/scopes/access/${encodeURIComponent(consumerOrgno)}?scope=${encodeURIComponent(scope)}`);
  }

  grantsGiven(filter: { scope?: string; consumerOrgno?: string }): Promise<ScopeAccess[]> {
    const params = new URLSearchParams();
    if (filter.scope) params.set("scope", filter.scope);
    if (filter.consumerOrgno) params.set("consumer_orgno", filter.consumerOrgno);
    return this.ok("GET", `/scopes/access?${params.toString()}`);
  }

  grantsReceived(): Promise<ScopeAccess[]> {
    return this.ok("GET", "/scopes/access/all");
  }
}
