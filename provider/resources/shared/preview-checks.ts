/**
 * Read-only checks in `check`, so that `pulumi preview` refuses, before anything is written, what `up` would
 * refuse later (sometimes after other changes were applied):
 *
 * 1. the resource's admin credential gets a token at all (a garbled or unregistered key, an unknown client);
 * 2. that token holds the admin scope the resource's operation needs (`idporten:dcr.write` for clients, the
 *    key scopes for keys, `idporten:scopes.write` for scopes and grants, and `idporten:dcr.supplier` for a
 *    client made for another organisation);
 * 3. a Scope's prefix, and a ScopeGrant's scope's prefix, is one of the organisation's (`GET /prefix`);
 * 4. each scope on a Client is the organisation's own, granted to it, or accessible for all, as far as the
 *    catalogue (`GET /scopes/all`) and the grants received (`GET /scopes/access/all`) show;
 * 5. a ClientKey does not make a sixth key on its client.
 *
 * `check` runs in `preview` and in `up` and is not told which, so everything here only reads. Reads are shared
 * per credential for the whole provider process (one process serves every resource of a run), and the checks
 * run only for a resource that is new or whose inputs changed, so a no-op preview costs nothing more.
 *
 * Liberal where the truth is not known: a value unknown during preview skips its part; a scope the reads do not
 * show (it may be made later in this program, or be private) is not refused; a scope whose owner is an
 * organisation this stack also holds a credential for, or for which a ScopeGrant of this program is pending,
 * is not refused (the grant may be made first); a read that fails for another reason than the credential (a
 * network error, a 5xx, a read scope the credential lacks) warns once and lets `up` decide. Without any
 * credential configured the preview works offline and says once what it could not check.
 */
import type * as pulumi from "@pulumi/pulumi";
import { NEEDS, type ScopeNeed } from "../../api/admin-scopes";
import { AuthError, ConfigError, DIGDIR_SERVICEDESK, MissingAdminScopeError } from "../../api/errors";
import { exceedsKeyLimit, MAX_KEYS_PER_CLIENT } from "../../api/key-limit";
import type { MaskinportenApi } from "../../api/maskinporten-api";
import { ADMIN_SCOPES, type ApiScope, type ScopeAccess } from "../../api/wire";
import { selectProfile, type Profile, type ProviderSettings } from "../../config";
import { warnInEngine } from "../../engine-log";
import { connectionFor, currentSettings, runMemory } from "../../runtime";
import { canonical } from "./diff";
import { containsUnknown } from "./unknown";

type Props = Record<string, unknown>;
type Failure = pulumi.dynamic.CheckFailure;

/** What one resource's `check` asks to be checked; every part but `profile`, `need` and `operation` is optional. */
export interface PreviewCheck {
  /** The resource's `profile` input (undefined: the default credential; unknown: nothing is checked). */
  profile: unknown;
  /** The admin scope of the operation `up` will make, and the operation in words. */
  need: ScopeNeed;
  operation: string;
  /** A Client's `clientOrgno`: another organisation's needs `idporten:dcr.supplier`. */
  clientOrgno?: unknown;
  /** A Scope's prefix, or a ScopeGrant's scope (its prefix), with the property to name. */
  ownPrefix?: { property: string; value: unknown; isScopeName?: boolean };
  /** A Client's scopes. */
  clientScopes?: unknown;
  /** A ClientKey: the client and an identity of the new key (its kid when known, else its resource marker). */
  newKey?: { clientId: unknown; kid: unknown; identity: string };
}

/**
 * Whether to check at all: on create, or when an input the program gives changed (`olds` are the stored
 * inputs). An input the program no longer gives is not managed any more, so nothing is written for it.
 */
export function worthChecking(olds: Props, inputs: Props, ignored: readonly string[] = []): boolean {
  if (Object.keys(olds).length === 0) return true;
  // `__provider` and the SDK's `__ownerMarker` are the package's own: state of an earlier version gains or
  // rewrites them without the program changing anything.
  const skip = new Set(ignored);
  return Object.keys(inputs).some(
    (k) => !k.startsWith("__") && !skip.has(k) && inputs[k] !== undefined && canonical(olds[k]) !== canonical(inputs[k]),
  );
}

/** True when no credential at all is configured (neither a default one nor profiles): an offline preview. */
export function noCredentialConfigured(settings: ProviderSettings): boolean {
  return settings.defaultProfile === undefined && settings.profiles.size === 0;
}

/** Grants this program will make (noted by ScopeGrant's `check`): `<scope> <consumer orgno or "?">`. */
const pendingGrants = runMemory<string, true>();
/** Per credential and kind of read: the shared promise of this process. */
const reads = runMemory<string, Promise<unknown>>();
/** New keys per client noted by ClientKey checks of this run. */
const newKeys = runMemory<string, Set<string>>();
/** Warnings already given in this process. */
const warned = runMemory<string, true>();

/** A ScopeGrant of this program will grant `scope` to `consumerOrgno` (unknown: to someone). */
export function notePendingGrant(scope: unknown, consumerOrgno: unknown): void {
  if (typeof scope !== "string" || containsUnknown(scope)) return;
  pendingGrants.set(`${scope} ${typeof consumerOrgno === "string" && !containsUnknown(consumerOrgno) ? consumerOrgno : "?"}`, true);
}

/** The failures of a resource's read-only checks; none when all holds or could not be known. */
export async function previewFailures(check: PreviewCheck): Promise<Failure[]> {
  if (containsUnknown(check.profile)) return [];
  const settings = currentSettings();
  if (noCredentialConfigured(settings)) {
    await warnOnce(
      "offline",
      "no Maskinporten credential is configured, so this preview could not check the admin credential, its admin scopes, scope " +
        "prefixes, the scopes on clients, nor the 5-key limit; `pulumi up` needs maskinporten:clientId and maskinporten:privateKey " +
        "(or p12/certificatePem), or MASKINPORTEN_CLIENT_ID and MASKINPORTEN_PRIVATE_KEY",
    );
    return [];
  }
  const profile = selectProfile(settings, typeof check.profile === "string" ? check.profile : undefined);
  const api = connectionFor(typeof check.profile === "string" ? check.profile : undefined).api;
  const shared = <T>(kind: string, read: () => Promise<T>) => sharedRead(profile.name, kind, read);

  let orgno: string | undefined;
  try {
    orgno = (await shared(`token ${check.need.join(" ")}`, () => api.proveAdminScope(check.need, check.operation))).orgno;
  } catch (err) {
    const failure = credentialFailure(err, profile);
    if (failure) return [failure];
    await warnOnce(
      `token ${profile.name}`,
      `could not check the admin credential ${profile.fieldPrefix}clientId during preview (${reasonOf(err)}); \`pulumi up\` will tell`,
    );
    return [];
  }

  const failures: Failure[] = [];
  const supplier = supplierFailure(check.clientOrgno, orgno, profile);
  if (supplier) failures.push(supplier);
  if (check.ownPrefix) failures.push(...(await prefixFailures(check.ownPrefix, api, profile, orgno, shared)));
  if (check.clientScopes !== undefined && (check.clientOrgno === undefined || check.clientOrgno === orgno)) {
    failures.push(...(await clientScopeFailures(check.clientScopes, api, profile, orgno, settings, shared)));
  }
  if (check.newKey) failures.push(...(await keyLimitFailures(check.newKey, api, profile, shared)));
  return failures;
}

/** A token refusal that is the credential's fault, as a failure naming the setting and the fix; else undefined. */
function credentialFailure(err: unknown, profile: Profile): Failure | undefined {
  const setting = profile.fieldPrefix;
  if (err instanceof MissingAdminScopeError) return { property: "(resource)", reason: `${setting}clientId: ${err.message}` };
  if (err instanceof ConfigError) return { property: "(resource)", reason: `${err.message}` };
  if (err instanceof AuthError && err.status < 500 && err.status !== 429) {
    return {
      property: "(resource)",
      reason:
        `${setting}clientId / ${setting}privateKey: the admin credential cannot get a token from Maskinporten: ${err.message} ` +
        `Fix the credential in stack config (\`pulumi config set --secret ${setting}privateKey ...\`) before \`pulumi up\`.`,
    };
  }
  return undefined;
}

/** A client for another organisation needs `idporten:dcr.supplier`, which is asked for only when configured. */
function supplierFailure(clientOrgno: unknown, orgno: string | undefined, profile: Profile): Failure | undefined {
  if (typeof clientOrgno !== "string" || containsUnknown(clientOrgno) || orgno === undefined || clientOrgno === orgno) return undefined;
  if (profile.adminScopes?.includes(ADMIN_SCOPES.dcrSupplier)) return undefined;
  return {
    property: "clientOrgno",
    reason:
      `clientOrgno: ${clientOrgno} is not the credential's organisation (${orgno}); a client for another organisation needs the admin ` +
      `scope ${ADMIN_SCOPES.dcrSupplier}. If your self-service client has it, list it in ${profile.fieldPrefix}adminScopes ` +
      `(with the other admin scopes it has); otherwise ask Digdir (${DIGDIR_SERVICEDESK}) for it, or leave clientOrgno out to make the client in your own organisation.`,
  };
}

type Shared = <T>(kind: string, read: () => Promise<T>) => Promise<T>;

async function prefixFailures(
  target: NonNullable<PreviewCheck["ownPrefix"]>,
  api: MaskinportenApi,
  profile: Profile,
  orgno: string | undefined,
  shared: Shared,
): Promise<Failure[]> {
  if (typeof target.value !== "string" || containsUnknown(target.value)) return [];
  const prefix = target.isScopeName ? target.value.split(":")[0]! : target.value;
  const prefixes = await readOrWarn(profile, "prefixes", "the organisation's scope prefixes", () =>
    shared("prefixes", () => api.listPrefixes()),
  );
  if (prefixes === undefined || prefixes.includes(prefix)) return [];
  const yours = prefixes.length > 0 ? `its prefixes are ${prefixes.join(", ")}` : "it has none";
  const whose = `the credential's organisation${orgno ? ` (${orgno})` : ""}`;
  return [
    {
      property: target.property,
      reason: target.isScopeName
        ? `${target.property}: scope ${JSON.stringify(target.value)} is not under a prefix of ${whose} (${yours}); only the scope's owner can grant ` +
          "access to it: grant it with the owner's credential (set `profile`), or use a scope of yours"
        : `${target.property}: "${prefix}" is not a scope prefix of ${whose} (${yours}); Digdir assigns prefixes (${DIGDIR_SERVICEDESK}): use one of yours, ` +
          "or the profile of the organisation that owns it",
    },
  ];
}

async function clientScopeFailures(
  scopes: unknown,
  api: MaskinportenApi,
  profile: Profile,
  orgno: string | undefined,
  settings: ProviderSettings,
  shared: Shared,
): Promise<Failure[]> {
  if (!Array.isArray(scopes) || orgno === undefined) return [];
  const known = scopes
    .map((s, i) => [s, i] as const)
    .filter((e): e is readonly [string, number] => typeof e[0] === "string" && !containsUnknown(e[0]));
  if (known.length === 0) return [];
  const catalogue = await readOrWarn(profile, "catalogue", "the scope catalogue", () =>
    shared("catalogue", () => api.listAllScopes({ inactive: false })),
  );
  if (catalogue === undefined) return [];
  const foreign = known
    .map(([name, i]) => ({ name, i, scope: catalogue.find((s: ApiScope) => s.name === name) }))
    .filter((e) => e.scope !== undefined && e.scope.owner_orgno !== orgno && !e.scope.accessible_for_all && !isPending(e.name, orgno));
  if (foreign.length === 0) return [];
  const received = await readOrWarn(profile, "received", "the grants your organisation received", () =>
    shared("received", () => api.listReceivedAccess()),
  );
  if (received === undefined) return [];
  const granted = (name: string) =>
    received.some((g: ScopeAccess) => g.scope === name && g.consumer_orgno === orgno && g.state === "APPROVED");
  const refused = foreign.filter((e) => !granted(e.name));
  if (refused.length === 0) return [];
  // An owner this stack also acts for may grant it in this very program, before the client is made.
  const stackOrgs = await orgsOfStack(settings);
  return refused
    .filter((e) => stackOrgs !== undefined && !stackOrgs.has(e.scope!.owner_orgno ?? ""))
    .map((e) => ({
      property: `scopes[${e.i}]`,
      reason:
        `scopes[${e.i}]: scope ${JSON.stringify(e.name)} belongs to organisation ${e.scope!.owner_orgno}, which has not granted your organisation (${orgno}) ` +
        "access to it, and it is not accessible for all. Ask its owner to grant it (a ScopeGrant in the owner's program, or the portal) " +
        "before adding it, or remove it; test and prod have separate grants.",
    }));
}

function isPending(scope: string, orgno: string): boolean {
  return pendingGrants.has(`${scope} ${orgno}`) || pendingGrants.has(`${scope} ?`);
}

/**
 * The organisations of every credential this stack configures, read from their tokens (shared with the other
 * checks); undefined when one of them cannot be told, so nothing is refused on the owner's account.
 */
async function orgsOfStack(settings: ProviderSettings): Promise<Set<string> | undefined> {
  const profiles = [...(settings.defaultProfile ? [settings.defaultProfile] : []), ...settings.profiles.values()];
  const orgs = new Set<string>();
  for (const p of profiles) {
    const api = connectionFor(p === settings.defaultProfile ? undefined : p.name).api;
    try {
      const { orgno } = await sharedRead(p.name, `token ${NEEDS.readCatalogue.join(" ")}`, () =>
        api.proveAdminScope(NEEDS.readCatalogue, "read the scope catalogue"),
      );
      if (orgno === undefined) return undefined;
      orgs.add(orgno);
    } catch {
      return undefined;
    }
  }
  return orgs;
}

async function keyLimitFailures(
  target: NonNullable<PreviewCheck["newKey"]>,
  api: MaskinportenApi,
  profile: Profile,
  shared: Shared,
): Promise<Failure[]> {
  const { clientId, kid } = target;
  if (typeof clientId !== "string" || containsUnknown(clientId) || containsUnknown(kid)) return [];
  // A client this run created holds only this run's keys, which its key writes count themselves: no read per new client.
  if (api.createdInThisProcess(clientId)) return [];
  const keys = await readOrWarn(profile, `keys ${clientId}`, `the keys of client ${clientId}`, () =>
    shared(`keys ${clientId}`, () => api.sharedKeysOf(clientId)),
  );
  if (keys === undefined) return [];
  if (typeof kid === "string" && keys.some((k) => k.kid === kid)) return [];
  let adding = newKeys.get(clientId);
  if (!adding) newKeys.set(clientId, (adding = new Set()));
  adding.add(target.identity);
  if (!exceedsKeyLimit(keys.length + adding.size)) return [];
  // Over the limit by the shared read: read the keys again before refusing (during `up`, keys of this run made
  // since the shared read are registered by now, and keys removed since free their places).
  const fresh = await readOrWarn(profile, `fresh keys ${clientId}`, `the keys of client ${clientId}`, () => api.getJwks(clientId));
  if (fresh === undefined) return [];
  const registered = new Set(fresh.map((k) => k.kid));
  const pending = [...adding].filter((identity) => !registered.has(identity)).length;
  if (!exceedsKeyLimit(fresh.length + pending)) return [];
  const kids = fresh.map((k) => k.kid ?? "(no kid)");
  return [
    {
      property: "clientId",
      reason:
        `clientId: client ${clientId} has ${fresh.length} keys (${kids.join(", ") || "none"})${pending > 1 ? ` and this program adds ${pending}` : ""}, ` +
        `so this key would be key number ${fresh.length + pending}, but Maskinporten allows at most ${MAX_KEYS_PER_CLIENT}. Remove a key ` +
        "(delete its ClientKey, or unregister it in the portal) before adding another.",
    },
  ];
}

/** A read shared by every check of this process for one credential (profile) and kind. */
function sharedRead<T>(profile: string, kind: string, read: () => Promise<T>): Promise<T> {
  const key = `${profile}|${kind}`;
  let found = reads.get(key) as Promise<T> | undefined;
  if (!found) reads.set(key, (found = read()));
  return found;
}

/** A read's result, or undefined after warning once that this part could not be checked. */
async function readOrWarn<T>(profile: Profile, kind: string, what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    await warnOnce(
      `${profile.name}|${kind}`,
      `could not read ${what} during preview to check the program against it (${reasonOf(err)}); \`pulumi up\` will tell`,
    );
    return undefined;
  }
}

async function warnOnce(key: string, message: string): Promise<void> {
  if (warned.has(key)) return;
  warned.set(key, true);
  await warnInEngine(message);
}

/** The first line of an error's message: API and config errors name the problem and never hold secrets. */
function reasonOf(err: unknown): string {
  const line = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
  if (line.length <= 400) return line;
  // Cut at a word, and say so: a warning that stops mid-word reads as garbled.
  return `${line.slice(0, line.lastIndexOf(" ", 400))} …`;
}
