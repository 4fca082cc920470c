/**
 * The world a fresh simulator starts with: Digdir owning the admin scopes and two public catalogue scopes,
 * and the seeded organisations, each with an admin client that holds a registered RSA key.
 */
import type { CaMaterial } from "./ca";
import type { Clock } from "./clock";
import { SimulatorOptionError } from "./errors";
import { generateRsaKeyPair, publicPart } from "./keys";
import { orgnoProblem, prefixProblem } from "./rules";
import type { ClientRecord, GrantRecord, OrgRecord, OrgRole, PersistedState, PrivateJwk, ScopeRecord, StoredKey, Store } from "./state";
import type { OrgSeed } from "./types";
import type { SimulatorSwitches } from "./variant";
import { ADMIN_SCOPES, JWT_BEARER_GRANT, MASKINPORTEN_INTEGRATION_TYPE, PRIVATE_KEY_JWT } from "./wire";

export const DIGDIR_ORGNO = "991825827";
export const DIGDIR_NAME = "Digitaliseringsdirektoratet";
/** Prefixes Digdir owns in the simulator: the admin scopes and the public test catalogue. */
export const DIGDIR_PREFIXES = ["idporten", "difitest"] as const;

/** Organisation numbers of the default seeds (synthetic, valid mod-11). */
export const DEFAULT_ORGNOS = {
  apiOwner: "311000004",
  consumer: "312000008",
  supplier: "313000001",
  digdir: DIGDIR_ORGNO,
} as const;

export const DEFAULT_ORGS: readonly OrgSeed[] = [
  { orgno: DEFAULT_ORGNOS.apiOwner, name: "Eksempel API-tilbyder AS", prefixes: ["eksempel"] },
  { orgno: DEFAULT_ORGNOS.consumer, name: "Eksempel Konsument AS" },
  { orgno: DEFAULT_ORGNOS.supplier, name: "Eksempel Leverandør AS", supplier: true },
];

/** A scope any organisation may put on a Maskinporten client without a grant. */
export const OPEN_CATALOGUE_SCOPE = "difitest:open";
/** A public scope that needs a grant from Digdir. */
export const RESTRICTED_CATALOGUE_SCOPE = "difitest:restricted";

/** What an ordinary organisation's admin client gets. */
export const STANDARD_ADMIN_SCOPES: readonly string[] = [
  ADMIN_SCOPES.dcrRead,
  ADMIN_SCOPES.dcrWrite,
  ADMIN_SCOPES.dcrModify,
  ADMIN_SCOPES.scopesRead,
  ADMIN_SCOPES.scopesWrite,
];
const ALL_ADMIN_SCOPES: readonly string[] = [...STANDARD_ADMIN_SCOPES, ADMIN_SCOPES.dcrSupplier];
/** evidence: "A consumer's self-service client often has only idporten:dcr.*". */
const DCR_ONLY_ADMIN_SCOPES: readonly string[] = [ADMIN_SCOPES.dcrRead, ADMIN_SCOPES.dcrWrite];
/** evidence: NAV's admin client has `dcr.read dcr.write scopes.write`, no `scopes.read`. */
const NO_SCOPES_READ_ADMIN_SCOPES: readonly string[] = [ADMIN_SCOPES.dcrRead, ADMIN_SCOPES.dcrWrite, ADMIN_SCOPES.scopesWrite];
const ADMIN_KEY_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

export function adminClientIdOf(orgno: string): string {
  // The naming Digdir uses for self-service clients it hands out (see the brreg guide).
  return `oidc_${orgno}_api`;
}

/** The organisation's self-service client without keys, which authenticates with a business certificate (x5c). */
export function certificateClientIdOf(orgno: string): string {
  return `oidc_${orgno}_cert`;
}

function roleOf(seed: OrgSeed): OrgRole {
  if (seed.supplier) return "supplier";
  return (seed.prefixes ?? []).length > 0 ? "owner" : "consumer";
}

/** The admin scopes of an organisation seeded without explicit ones, under the admin-scope switches. */
export function adminScopesFor(role: OrgRole, switches: SimulatorSwitches): string[] {
  if (role === "supplier") return [...ALL_ADMIN_SCOPES];
  if (role === "owner") return [...(switches.ownerAdminScopes === "no-scopes-read" ? NO_SCOPES_READ_ADMIN_SCOPES : STANDARD_ADMIN_SCOPES)];
  return [...(switches.consumerAdminScopes === "dcr-only" ? DCR_ONLY_ADMIN_SCOPES : STANDARD_ADMIN_SCOPES)];
}

export function validateSeeds(seeds: readonly OrgSeed[]): void {
  const orgnos = new Set<string>();
  const prefixes = new Set<string>(DIGDIR_PREFIXES);
  seeds.forEach((seed, i) => {
    const problem = orgnoProblem(seed.orgno, `orgs[${i}].orgno`);
    if (problem) throw new SimulatorOptionError(problem.field, problem.message);
    if (seed.orgno === DIGDIR_ORGNO)
      throw new SimulatorOptionError(`orgs[${i}].orgno`, `${DIGDIR_ORGNO} is the simulator's Digdir organisation; pick another number`);
    if (orgnos.has(seed.orgno)) throw new SimulatorOptionError(`orgs[${i}].orgno`, `${seed.orgno} is seeded twice`);
    orgnos.add(seed.orgno);
    if (typeof seed.name !== "string" || seed.name.trim() === "")
      throw new SimulatorOptionError(`orgs[${i}].name`, "must be a non-empty string");
    (seed.prefixes ?? []).forEach((prefix, j) => {
      const p = prefixProblem(prefix, `orgs[${i}].prefixes[${j}]`);
      if (p) throw new SimulatorOptionError(p.field, p.message);
      if (prefixes.has(prefix))
        throw new SimulatorOptionError(`orgs[${i}].prefixes[${j}]`, `prefix "${prefix}" is already owned by another organisation`);
      prefixes.add(prefix);
    });
    for (const scope of seed.adminScopes ?? []) {
      if (!ALL_ADMIN_SCOPES.includes(scope)) {
        throw new SimulatorOptionError(`orgs[${i}].adminScopes`, `"${scope}" is not an admin scope; use ${ALL_ADMIN_SCOPES.join(", ")}`);
      }
    }
  });
}

/** Organisation records with freshly generated admin keys. */
export async function createOrgRecords(seeds: readonly OrgSeed[], clock: Clock, switches: SimulatorSwitches): Promise<OrgRecord[]> {
  validateSeeds(seeds);
  return Promise.all(seeds.map((seed) => createOrgRecord(seed, clock, switches)));
}

export async function createOrgRecord(seed: OrgSeed, clock: Clock, switches: SimulatorSwitches): Promise<OrgRecord> {
  const role = roleOf(seed);
  const pair = await generateRsaKeyPair(`simulator-admin-${seed.orgno}-${clock.nowSeconds()}`);
  return {
    orgno: seed.orgno,
    name: seed.name,
    prefixes: [...(seed.prefixes ?? [])],
    adminClientId: adminClientIdOf(seed.orgno),
    adminKey: pair.privateJwk,
    adminScopes: seed.adminScopes ? [...seed.adminScopes] : adminScopesFor(role, switches),
    role,
    ...(seed.adminScopes ? { explicitAdminScopes: true } : {}),
    certificateClientId: certificateClientIdOf(seed.orgno),
  };
}

function digdirScope(subscope: string, description: string, now: string, extra: Partial<ScopeRecord> = {}): ScopeRecord {
  const prefix = subscope.startsWith("dcr") || subscope.startsWith("scopes") ? "idporten" : "difitest";
  return {
    name: `${prefix}:${subscope}`,
    prefix,
    subscope,
    description,
    active: true,
    allowed_integration_types: [MASKINPORTEN_INTEGRATION_TYPE],
    owner_orgno: DIGDIR_ORGNO,
    token_type: "SELF_CONTAINED",
    visibility: "PRIVATE",
    accessible_for_all: false,
    requires_user_consent: false,
    requires_user_authentication: false,
    requires_pseudonymous_tokens: false,
    created: now,
    last_updated: now,
    ...extra,
  };
}

/** The public half of an admin key as registered, with or without `use` (the `seededKeyUse` switch). */
function adminStoredKey(org: OrgRecord, clock: Clock, switches: SimulatorSwitches): StoredKey {
  const { use: _use, ...key } = publicPart(org.adminKey!) as Omit<StoredKey, "exp">;
  return { ...key, ...(switches.seededKeyUse === "sig" ? { use: "sig" } : {}), exp: clock.nowSeconds() + ADMIN_KEY_LIFETIME_SECONDS };
}

/** The admin client of an organisation, as a client record holding the public half of its key. */
export function adminClientRecord(org: OrgRecord, clock: Clock, switches: SimulatorSwitches): ClientRecord {
  return selfServiceClient(org, clock, org.adminClientId!, "Admin client of the self-service API (seeded by the simulator)", [
    adminStoredKey(org, clock, switches),
  ]);
}

/**
 * The organisation's certificate-authenticated self-service client: no registered keys, so a JWT grant with
 * `x5c` (a business certificate of the organisation) gets its token, as Digdir documents for admin clients.
 */
export function certificateClientRecord(org: OrgRecord, clock: Clock): ClientRecord {
  return selfServiceClient(
    org,
    clock,
    org.certificateClientId!,
    "Self-service client authenticating with a business certificate (seeded by the simulator)",
    [],
  );
}

function selfServiceClient(org: OrgRecord, clock: Clock, clientId: string, description: string, keys: StoredKey[]): ClientRecord {
  const now = clock.timestamp();
  return {
    client_id: clientId,
    client_name: `Selvbetjening ${org.name}`,
    description,
    integration_type: MASKINPORTEN_INTEGRATION_TYPE,
    application_type: "web",
    token_endpoint_auth_method: PRIVATE_KEY_JWT,
    grant_types: [JWT_BEARER_GRANT],
    scopes: [...org.adminScopes],
    client_orgno: org.orgno,
    active: true,
    access_token_lifetime: 120,
    authorization_lifetime: 7200,
    keys,
    ...(keys.length > 0 ? { jwks_created: now, jwks_last_updated: now } : {}),
    created: now,
    last_updated: now,
  };
}

/** The seeded self-service clients of an organisation (none for Digdir and grant-only organisations). */
export function selfServiceClients(org: OrgRecord, clock: Clock, switches: SimulatorSwitches): ClientRecord[] {
  const clients: ClientRecord[] = [];
  if (org.adminKey && org.adminClientId) clients.push(adminClientRecord(org, clock, switches));
  if (org.certificateClientId) clients.push(certificateClientRecord(org, clock));
  return clients;
}

/**
 * Applies the seed switches (admin scopes per role, `use` of seeded keys) to a running simulator: scopes
 * of the self-service clients follow the organisation's admin scopes, and Digdir grants any newly needed one.
 */
export function applySeedSwitches(store: Store, switches: SimulatorSwitches): void {
  for (const org of store.orgs.values()) {
    if (org.role && !org.explicitAdminScopes) org.adminScopes = adminScopesFor(org.role, switches);
    for (const id of [org.adminClientId, org.certificateClientId]) {
      const client = id ? store.clients.get(id) : undefined;
      if (!client) continue;
      client.scopes = [...org.adminScopes];
      if (id === org.adminClientId && org.adminKey) {
        for (const key of client.keys) {
          if (key.kid !== org.adminKey.kid) continue;
          if (switches.seededKeyUse === "sig") key.use = "sig";
          else delete key.use;
        }
      }
      store.putClient(client);
    }
    for (const grant of adminGrants(org, store.clock)) if (!store.grant(grant.scope, grant.consumer_orgno)) store.putGrant(grant);
  }
  store.changed();
}

/** Grants of Digdir's admin scopes to an organisation, so its admin client may hold them. */
export function adminGrants(org: OrgRecord, clock: Clock): GrantRecord[] {
  const now = clock.timestamp();
  return org.adminScopes.map((scope) => ({
    scope,
    owner_orgno: DIGDIR_ORGNO,
    consumer_orgno: org.orgno,
    state: "APPROVED" as const,
    created: now,
    last_updated: now,
  }));
}

export function buildSeedState(
  orgs: OrgRecord[],
  signingKey: PrivateJwk,
  ca: CaMaterial,
  clock: Clock,
  switches: SimulatorSwitches,
): PersistedState {
  const now = clock.timestamp();
  const digdir: OrgRecord = { orgno: DIGDIR_ORGNO, name: DIGDIR_NAME, prefixes: [...DIGDIR_PREFIXES], adminScopes: [] };
  const scopes: ScopeRecord[] = [
    digdirScope("dcr.read", "Read client registrations of your organisation", now),
    digdirScope("dcr.write", "Create, change and delete client registrations of your organisation", now),
    digdirScope("dcr.modify", "Change client registrations (and their keys) of your organisation", now),
    digdirScope("dcr.supplier", "Manage client registrations on behalf of other organisations (suppliers)", now),
    digdirScope("scopes.read", "Read your organisation's scopes and the access given and received", now),
    digdirScope("scopes.write", "Create and change your organisation's scopes and grant access to them", now),
    digdirScope("open", "Public test scope every organisation may use without a grant", now, {
      visibility: "PUBLIC",
      accessible_for_all: true,
    }),
    digdirScope("restricted", "Public test scope that needs a grant from Digdir", now, { visibility: "PUBLIC" }),
  ];
  return {
    version: 1,
    signingKey,
    ca,
    digdirOrgno: DIGDIR_ORGNO,
    orgs: [digdir, ...orgs],
    clients: orgs.flatMap((o) => selfServiceClients(o, clock, switches)),
    scopes,
    grants: orgs.flatMap((o) => adminGrants(o, clock)),
  };
}
