/**
 * The simulator's data: organisations, clients with their keys, scopes and grants, plus the key material
 * that must survive a restart (signing key, CA, admin keys). O(1) lookups by id; lists are scans, which is
 * what the real API offers too (no pagination). `StateFile` writes it atomically after each change.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import type { CaMaterial } from "./ca";
import type { Clock } from "./clock";
import { publicKeyObject } from "./keys";
import { preset, type SimulatorSwitches } from "./variant";
import type { AccessState } from "./wire";

export type PrivateJwk = JWK & { kid: string; alg: string };

export interface OrgRecord {
  orgno: string;
  name: string;
  prefixes: string[];
  /** Absent for organisations without API credentials (Digdir, organisations added only as grant targets). */
  adminClientId?: string;
  adminKey?: PrivateJwk;
  /** The admin scopes in force (from the seed, or from the role and the admin-scope switches). */
  adminScopes: string[];
  /** What the organisation was seeded as; decides which admin-scope switch applies to it. */
  role?: OrgRole;
  /** The seed named its admin scopes: the switches leave them alone. */
  explicitAdminScopes?: boolean;
  /** Its self-service client that authenticates with a business certificate (x5c) and has no keys. */
  certificateClientId?: string;
}

export type OrgRole = "owner" | "consumer" | "supplier";

/** A public key as registered on a client. `exp` is always set (the server sets it when the caller did not). */
export interface StoredKey {
  kty: string;
  kid: string;
  /** Absent on keys registered before 2025-05-22 (the `seededKeyUse` switch, `addLegacyKey`). */
  use?: string;
  alg: string;
  n: string;
  e: string;
  exp: number;
  x5c?: string[];
}

export interface ClientRecord {
  client_id: string;
  client_name?: string;
  description?: string;
  integration_type: string;
  application_type: string;
  token_endpoint_auth_method: string;
  grant_types: string[];
  scopes: string[];
  client_orgno: string;
  supplier_orgno?: string;
  active: boolean;
  access_token_lifetime: number;
  authorization_lifetime: number;
  refresh_token_lifetime?: number;
  refresh_token_usage?: string;
  jwks_uri?: string;
  keys: StoredKey[];
  /** Set-level timestamps of the key set, shown beside `keys` in JWKS answers. */
  jwks_created?: string;
  jwks_last_updated?: string;
  created: string;
  last_updated: string;
}

export interface ScopeRecord {
  name: string;
  prefix: string;
  subscope: string;
  description: string;
  long_description?: string;
  active: boolean;
  allowed_integration_types: string[];
  owner_orgno: string;
  token_type: "SELF_CONTAINED" | "OPAQUE";
  visibility: "PUBLIC" | "PRIVATE" | "INTERNAL";
  accessible_for_all: boolean;
  at_max_age?: number;
  authorization_max_lifetime?: number;
  delegation_source?: string;
  requires_user_consent: boolean;
  requires_user_authentication: boolean;
  requires_pseudonymous_tokens: boolean;
  enforced_aud_for_access_token?: string;
  created: string;
  last_updated: string;
}

export interface GrantRecord {
  scope: string;
  owner_orgno: string;
  consumer_orgno: string;
  state: AccessState;
  created: string;
  last_updated: string;
}

export interface PersistedState {
  version: 1;
  signingKey: PrivateJwk;
  ca: CaMaterial;
  digdirOrgno: string;
  orgs: OrgRecord[];
  clients: ClientRecord[];
  scopes: ScopeRecord[];
  grants: GrantRecord[];
}

/** A key as the token endpoint sees it: parsed once, when the key set is published. */
export interface TokenKey {
  kid: string;
  key: KeyObject;
  exp: number;
}

interface KeySnapshot {
  effectiveAt: number;
  keys: Map<string, TokenKey>;
}

/**
 * What the token endpoint knows of each client's keys. With a propagation delay, a change becomes visible
 * only `delayMs` after it was made (on the simulator's clock), like Maskinporten's 0–2 minutes.
 */
export class KeyView {
  private readonly timelines = new Map<string, KeySnapshot[]>();

  constructor(public delayMs: number) {}

  publish(clientId: string, keys: readonly StoredKey[], nowMs: number, immediately = false): void {
    const snapshot: KeySnapshot = {
      effectiveAt: immediately || this.delayMs <= 0 ? -Infinity : nowMs + this.delayMs,
      keys: new Map(keys.map((k) => [k.kid, { kid: k.kid, key: publicKeyObject(k as JWK), exp: k.exp }])),
    };
    const timeline = this.timelines.get(clientId);
    if (!timeline || snapshot.effectiveAt === -Infinity) this.timelines.set(clientId, [snapshot]);
    else timeline.push(snapshot);
  }

  /** The keys in force at `nowMs`, or undefined when none have reached the token endpoint yet. */
  current(clientId: string, nowMs: number): Map<string, TokenKey> | undefined {
    const timeline = this.timelines.get(clientId);
    if (!timeline) return undefined;
    let index = -1;
    for (let i = timeline.length - 1; i >= 0; i--) {
      if (timeline[i]!.effectiveAt <= nowMs) {
        index = i;
        break;
      }
    }
    if (index < 0) return undefined;
    if (index > 0) timeline.splice(0, index);
    return timeline[0]!.keys;
  }

  clear(): void {
    this.timelines.clear();
  }
}

export function grantKey(scope: string, consumerOrgno: string): string {
  return `${scope}\n${consumerOrgno}`;
}

export class Store {
  /** Increases with every change; the state file is written when it moved. */
  version = 0;
  signingKey!: PrivateJwk;
  ca!: CaMaterial;
  digdirOrgno = "";
  readonly orgs = new Map<string, OrgRecord>();
  readonly prefixOwners = new Map<string, string>();
  readonly clients = new Map<string, ClientRecord>();
  readonly scopes = new Map<string, ScopeRecord>();
  readonly grants = new Map<string, GrantRecord>();
  readonly keyView: KeyView;
  /** The behaviours the evidence leaves open (see `variant.ts`); may change at run time. */
  switches: SimulatorSwitches = preset("default");

  constructor(
    readonly clock: Clock,
    propagationDelayMs: number,
  ) {
    this.keyView = new KeyView(propagationDelayMs);
  }

  load(state: PersistedState): void {
    this.orgs.clear();
    this.prefixOwners.clear();
    this.clients.clear();
    this.scopes.clear();
    this.grants.clear();
    this.keyView.clear();
    this.signingKey = state.signingKey;
    this.ca = state.ca;
    this.digdirOrgno = state.digdirOrgno;
    for (const org of state.orgs) this.addOrg(org);
    for (const client of state.clients) {
      this.clients.set(client.client_id, client);
      if (client.keys.length > 0) this.keyView.publish(client.client_id, client.keys, 0, true);
    }
    for (const scope of state.scopes) this.scopes.set(scope.name, scope);
    for (const grant of state.grants) this.grants.set(grantKey(grant.scope, grant.consumer_orgno), grant);
    this.changed();
  }

  toPersisted(): PersistedState {
    return {
      version: 1,
      signingKey: this.signingKey,
      ca: this.ca,
      digdirOrgno: this.digdirOrgno,
      orgs: [...this.orgs.values()],
      clients: [...this.clients.values()],
      scopes: [...this.scopes.values()],
      grants: [...this.grants.values()],
    };
  }

  changed(): void {
    this.version++;
  }

  addOrg(org: OrgRecord): void {
    this.orgs.set(org.orgno, org);
    for (const prefix of org.prefixes) this.prefixOwners.set(prefix, org.orgno);
    this.changed();
  }

  orgName(orgno: string): string | undefined {
    return this.orgs.get(orgno)?.name;
  }

  putClient(client: ClientRecord): void {
    this.clients.set(client.client_id, client);
    this.changed();
  }

  /** Replaces a client's keys and publishes them to the token endpoint (after the propagation delay). */
  setKeys(client: ClientRecord, keys: StoredKey[]): void {
    const now = this.clock.timestamp();
    client.keys = keys;
    client.last_updated = now;
    client.jwks_created ??= now;
    client.jwks_last_updated = now;
    this.keyView.publish(client.client_id, keys, this.clock.nowMs());
    this.changed();
  }

  putScope(scope: ScopeRecord): void {
    this.scopes.set(scope.name, scope);
    this.changed();
  }

  grant(scope: string, consumerOrgno: string): GrantRecord | undefined {
    return this.grants.get(grantKey(scope, consumerOrgno));
  }

  putGrant(grant: GrantRecord): void {
    this.grants.set(grantKey(grant.scope, grant.consumer_orgno), grant);
    this.changed();
  }
}

/**
 * Writes the state file atomically (temp file + rename). Calls coalesce: each write takes the state as it
 * is when the write starts, so a burst of changes costs at most two writes.
 */
export class StateFile {
  private chain: Promise<void> = Promise.resolve();
  private written = -1;

  constructor(
    readonly path: string,
    private readonly store: Store,
  ) {}

  static async read(path: string): Promise<PersistedState | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    const state = JSON.parse(text) as PersistedState;
    if (state.version !== 1 || !state.signingKey || !state.ca || !Array.isArray(state.clients)) {
      throw new Error(`${path} is not a state file of this simulator (version ${String(state.version)})`);
    }
    return state;
  }

  /** Resolves once everything changed so far is on disk. */
  flush(): Promise<void> {
    const next = this.chain.then(() => this.writeIfChanged());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Whether the store holds changes not yet written. */
  get behind(): boolean {
    return this.written !== this.store.version;
  }

  private async writeIfChanged(): Promise<void> {
    const version = this.store.version;
    if (version === this.written) return;
    const json = JSON.stringify(this.store.toPersisted());
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, json, { mode: 0o600 });
    await rename(tmp, this.path);
    this.written = version;
  }
}
