/**
 * The world a fresh simulator starts with: Digdir owning the admin scopes and two public catalogue scopes,
 * and the seeded organisations, each with an admin client that holds a registered RSA key.
 */
import { ConfigError } from "../provider/api/errors";
import { ADMIN_SCOPES, JWT_BEARER_GRANT, MASKINPORTEN_INTEGRATION_TYPE, PRIVATE_KEY_JWT } from "../provider/api/wire";
import { orgnoProblem, prefixProblem } from "../provider/api/validation";
import type { CaMaterial } from "./ca";
import type { Clock } from "./clock";
import { generateRsaKeyPair, publicPart } from "./keys";
import type { ClientRecord, GrantRecord, OrgRecord, PersistedState, PrivateJwk, ScopeRecord, StoredKey } from "./state";
import type { OrgSeed } from "./types";

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
const ADMIN_KEY_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

export function adminClientIdOf(orgno: string): string {
  // The naming Digdir uses for self-service clients it hands out (see the brreg guide).
  return `oidc_${orgno}_api`;
}

export function validateSeeds(seeds: readonly OrgSeed[]): void {
  const orgnos = new Set<string>();
  const prefixes = new Set<string>(DIGDIR_PREFIXES);
  seeds.forEach((seed, i) => {
    const problem = orgnoProblem(seed.orgno, `orgs[${i}].orgno`);
    if (problem) throw new ConfigError(problem.field, problem.message);
    if (seed.orgno === DIGDIR_ORGNO) throw new ConfigError(`orgs[${i}].orgno`, `${DIGDIR_ORGNO} is the simulator's Digdir organisation; pick another number`);
    if (orgnos.has(seed.orgno)) throw new ConfigError(`orgs[${i}].orgno`, `${seed.orgno} is seeded twice`);
    orgnos.add(seed.orgno);
    if (typeof seed.name !== "string" || seed.name.trim() === "") throw new ConfigError(`orgs[${i}].name`, "must be a non-empty string");
    (seed.prefixes ?? []).forEach((prefix, j) => {
      const p = prefixProblem(prefix, `orgs[${i}].prefixes[${j}]`);
      if (p) throw new ConfigError(p.field, p.message);
      if (prefixes.has(prefix)) throw new ConfigError(`orgs[${i}].prefixes[${j}]`, `prefix "${prefix}" is already owned by another organisation`);
      prefixes.add(prefix);
    });
    for (const scope of seed.adminScopes ?? []) {
      if (!ALL_ADMIN_SCOPES.includes(scope)) {
        throw new ConfigError(`orgs[${i}].adminScopes`, `"${scope}" is not an admin scope; use ${ALL_ADMIN_SCOPES.join(", ")}`);
      }
    }
  });
}

/** Organisation records with freshly generated admin keys. */
export async function createOrgRecords(seeds: readonly OrgSeed[], clock: Clock): Promise<OrgRecord[]> {
  validateSeeds(seeds);
  return Promise.all(seeds.map((seed) => createOrgRecord(seed, clock)));
}

export async function createOrgRecord(seed: OrgSeed, clock: Clock): Promise<OrgRecord> {
  const adminScopes = seed.adminScopes ?? (seed.supplier ? [...ALL_ADMIN_SCOPES] : [...STANDARD_ADMIN_SCOPES]);
  const pair = await generateRsaKeyPair(`simulator-admin-${seed.orgno}-${clock.nowSeconds()}`);
  return {
    orgno: seed.orgno,
    name: seed.name,
    prefixes: [...(seed.prefixes ?? [])],
    adminClientId: adminClientIdOf(seed.orgno),
    adminKey: pair.privateJwk,
    adminScopes,
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

/** The admin client of an organisation, as a client record holding the public half of its key. */
export function adminClientRecord(org: OrgRecord, clock: Clock): ClientRecord {
  const now = clock.timestamp();
  const key: StoredKey = {
    ...(publicPart(org.adminKey!) as Omit<StoredKey, "exp">),
    exp: clock.nowSeconds() + ADMIN_KEY_LIFETIME_SECONDS,
  };
  return {
    client_id: org.adminClientId!,
    client_name: `Selvbetjening ${org.name}`,
    description: "Admin client of the self-service API (seeded by the simulator)",
    integration_type: MASKINPORTEN_INTEGRATION_TYPE,
    application_type: "web",
    token_endpoint_auth_method: PRIVATE_KEY_JWT,
    grant_types: [JWT_BEARER_GRANT],
    scopes: [...org.adminScopes],
    client_orgno: org.orgno,
    active: true,
    access_token_lifetime: 120,
    authorization_lifetime: 7200,
    keys: [key],
    created: now,
    last_updated: now,
  };
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

export function buildSeedState(orgs: OrgRecord[], signingKey: PrivateJwk, ca: CaMaterial, clock: Clock): PersistedState {
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
    clients: orgs.filter((o) => o.adminKey).map((o) => adminClientRecord(o, clock)),
    scopes,
    grants: orgs.flatMap((o) => adminGrants(o, clock)),
  };
}
