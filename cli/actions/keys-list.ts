/**
 * `maskinporten keys list --client-id ID`: every key registered on a client, with its expiry in plain sight,
 * whether a Pulumi stack manages it or not. Reads the admin credentials as the provider does
 * (`MASKINPORTEN_*`), or from flags.
 */
import { createPublicKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { connect } from "../../provider/api/connection";
import type { Credential, CredentialSpec } from "../../provider/api/credentials";
import { ENVIRONMENT_NAMES } from "../../provider/api/environments";
import { MaskinportenError } from "../../provider/api/errors";
import { assertSecureUrl } from "../../provider/api/url-policy";
import { ADMIN_SCOPES, type Jwk } from "../../provider/api/wire";
import { readSettings, selectProfile, settingSource, type ProviderSettings, type SettingSource } from "../../provider/config";
import { loadPrivateKey } from "../../provider/keys/private-key";
import { isoSeconds, table } from "../format";
import { EXIT, fileProblem, printJson, readInput, UsageError, type CliIo } from "../io";

export interface KeysListOptions {
  clientId: string;
  environment?: string;
  issuer?: string;
  apiBaseUrl?: string;
  adminClientId?: string;
  adminKey?: string;
  adminKid?: string;
  profile?: string;
  warnDays?: string;
  failOnExpiring?: boolean;
  pulumiState?: string;
  json?: boolean;
}

export type KeyStatus = "ok" | "expiring" | "expired" | "no-expiry";

export interface KeyRow {
  kid: string;
  alg: string | undefined;
  bits: number | undefined;
  expiresAt: Date | undefined;
  daysLeft: number | undefined;
  status: KeyStatus;
  certificate: boolean;
  /** The Pulumi resource that registers the key, when a stack export was given. */
  managedBy?: string | null;
}

export const CLIENT_KEY_TYPE = "pulumi-nodejs:dynamic/maskinporten:ClientKey";
const DAY_MS = 86_400_000;

export async function keysListCommand(opts: KeysListOptions, io: CliIo): Promise<number> {
  const clientId = opts.clientId.trim();
  if (clientId === "") throw new UsageError("--client-id: give the client_id of the client whose keys to list");
  const warnDays = warnDaysOf(opts.warnDays);
  const managed = opts.pulumiState !== undefined ? await managedKeys(opts.pulumiState, clientId) : undefined;
  const settings = readSettings(sourceOf(opts, io));
  const { credential, adminScopes } = await adminCredential(opts, settings, io);

  const conn = connect({
    endpoints: settings.endpoints,
    credential,
    adminScopes: adminScopes ?? [ADMIN_SCOPES.dcrRead],
    transport: settings.limits,
  });
  try {
    const client = await conn.api.findClient(clientId);
    if (client === undefined) {
      throw new MaskinportenError(
        "CLIENT_NOT_FOUND",
        `there is no client "${clientId}" in ${settings.endpoints.apiBaseUrl} that the admin client can see: check --client-id and the environment (test and prod have different clients); ` +
          "an admin client sees its own organisation's clients, and as a supplier (idporten:dcr.supplier) those it made for others",
      );
    }
    const now = io.now();
    const rows = (await conn.api.getJwks(clientId)).map((jwk) => rowOf(jwk, now, warnDays, managed)).sort(byExpiry);
    const soon = rows.filter((r) => r.status === "expired" || r.status === "expiring");

    if (opts.json) {
      printJson(io, {
        client_id: client.client_id,
        client_name: client.client_name ?? null,
        client_orgno: client.client_orgno,
        warn_days: warnDays,
        keys: rows.map((r) => ({
          kid: r.kid,
          alg: r.alg ?? null,
          bits: r.bits ?? null,
          expires_at: r.expiresAt?.toISOString() ?? null,
          days_left: r.daysLeft ?? null,
          status: r.status,
          certificate: r.certificate,
          ...(r.managedBy !== undefined && { managed: r.managedBy !== null, managed_by: r.managedBy }),
        })),
      });
    } else {
      const name = client.client_name ? ` "${client.client_name}"` : "";
      const summary = rows.length === 0 ? "no keys registered" : `${rows.length} key${rows.length === 1 ? "" : "s"}`;
      io.stdout.write(
        `Client ${client.client_id}${name} (organisation ${client.client_orgno}${client.active === false ? ", INACTIVE" : ""}): ${summary}\n`,
      );
      if (rows.length > 0) io.stdout.write(`${renderTable(rows, managed !== undefined, warnDays)}\n`);
    }
    if (soon.length > 0) {
      io.stderr.write(
        `maskinporten keys list: rotate ${soon.map((r) => `${r.kid} (${r.status === "expired" ? `expired ${daysText(-r.daysLeft!)} ago` : `expires in ${daysText(r.daysLeft!)}`})`).join(", ")}: ` +
          "register a new key, move the programs over and verify with `maskinporten token`, then remove the old key\n",
      );
    }
    return soon.length > 0 && opts.failOnExpiring ? EXIT.EXPIRING : EXIT.OK;
  } finally {
    await conn.close();
  }
}

function renderTable(rows: readonly KeyRow[], withManaged: boolean, warnDays: number): string {
  const header = ["KID", "ALG", "BITS", "EXPIRES", "DAYS LEFT", ...(withManaged ? ["MANAGED BY"] : []), "STATUS"];
  const body = rows.map((r) => [
    r.kid,
    r.alg ?? "-",
    r.bits !== undefined ? String(r.bits) : "-",
    r.expiresAt ? isoSeconds(r.expiresAt) : "-",
    r.daysLeft !== undefined ? String(r.daysLeft) : "-",
    ...(withManaged ? [r.managedBy ? `ClientKey ${r.managedBy}` : "- (not managed)"] : []),
    statusText(r, warnDays),
  ]);
  return table(header, body);
}

function daysText(days: number): string {
  return days < 1 ? "less than a day" : `${days} day${days === 1 ? "" : "s"}`;
}

function statusText(row: KeyRow, warnDays: number): string {
  const cert = row.certificate ? " (bound to a certificate)" : "";
  switch (row.status) {
    case "expired":
      return `! EXPIRED ${daysText(-row.daysLeft!)} ago${cert}`;
    case "expiring":
      return `! expires in ${daysText(row.daysLeft!)} (less than ${warnDays})${cert}`;
    case "no-expiry":
      return `no expiry set${cert}`;
    case "ok":
      return `ok${cert}`;
  }
}

export function rowOf(jwk: Jwk, now: Date, warnDays: number, managed?: ReadonlyMap<string, string>): KeyRow {
  const kid = jwk.kid ?? "(no kid)";
  const expiresAt = typeof jwk.exp === "number" ? new Date(jwk.exp * 1000) : undefined;
  const leftMs = expiresAt ? expiresAt.getTime() - now.getTime() : undefined;
  const status: KeyStatus = leftMs === undefined ? "no-expiry" : leftMs <= 0 ? "expired" : leftMs < warnDays * DAY_MS ? "expiring" : "ok";
  return {
    kid,
    alg: jwk.alg,
    bits: modulusBits(jwk),
    expiresAt,
    // Whole days, towards zero: 9.9 days left is 9, expired 1.5 days ago is -1.
    daysLeft: leftMs === undefined ? undefined : Math.trunc(leftMs / DAY_MS),
    status,
    certificate: Array.isArray(jwk.x5c) && jwk.x5c.length > 0,
    ...(managed !== undefined && { managedBy: managed.get(kid) ?? null }),
  };
}

function modulusBits(jwk: Jwk): number | undefined {
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) return undefined;
  try {
    return createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" }).asymmetricKeyDetails?.modulusLength;
  } catch {
    return undefined;
  }
}

function byExpiry(a: KeyRow, b: KeyRow): number {
  const at = (r: KeyRow) => r.expiresAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return at(a) - at(b) || a.kid.localeCompare(b.kid);
}

function warnDaysOf(value: string | undefined): number {
  if (value === undefined) return 30;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 366)
    throw new UsageError(`--warn-days must be a whole number of days from 0 to 366 (got ${JSON.stringify(value)})`);
  return n;
}

/**
 * Where the API is: the flags when any is given (then the environment's MASKINPORTEN_ENVIRONMENT/ISSUER/
 * API_BASE_URL are ignored, so a flag never mixes with a leftover variable), else the environment variables.
 */
function sourceOf(opts: KeysListOptions, io: CliIo): SettingSource {
  const env = settingSource(undefined, io.env);
  const flagged = opts.environment !== undefined || opts.issuer !== undefined || opts.apiBaseUrl !== undefined;
  if (opts.environment !== undefined && !ENVIRONMENT_NAMES.includes(opts.environment.toLowerCase() as never)) {
    throw new UsageError(
      `--environment must be "test" or "prod" (got ${JSON.stringify(opts.environment)}); for the simulator give --issuer and --api-base-url instead`,
    );
  }
  if (opts.issuer !== undefined) assertSecureUrl(opts.issuer, "--issuer");
  if (opts.apiBaseUrl !== undefined) assertSecureUrl(opts.apiBaseUrl, "--api-base-url");
  if (opts.environment === undefined && (opts.issuer === undefined) !== (opts.apiBaseUrl === undefined)) {
    throw new UsageError("--issuer and --api-base-url go together (the simulator prints both); or use --environment test|prod");
  }
  if (!flagged && env("environment") === undefined && env("issuer") === undefined && env("apiBaseUrl") === undefined) {
    throw new UsageError(
      "say which Maskinporten to ask: --environment test|prod, or --issuer URL --api-base-url URL for the simulator, or set MASKINPORTEN_ENVIRONMENT (as for the provider)",
    );
  }
  const flags: Record<string, string | undefined> = {
    environment: opts.environment?.toLowerCase(),
    issuer: opts.issuer,
    apiBaseUrl: opts.apiBaseUrl,
  };
  return (key) => {
    if (key === "environment" || key === "issuer" || key === "apiBaseUrl") return flagged ? flags[key] : env(key);
    return env(key);
  };
}

async function adminCredential(
  opts: KeysListOptions,
  settings: ProviderSettings,
  io: CliIo,
): Promise<{ credential: Credential | CredentialSpec; adminScopes?: string[] }> {
  const envClientId = settingSource(undefined, io.env)("clientId");
  if (opts.adminKey !== undefined) {
    const clientId = opts.adminClientId ?? (typeof envClientId === "string" ? envClientId : undefined);
    if (clientId === undefined || clientId.trim() === "") {
      throw new UsageError(
        "--admin-client-id is required with --admin-key (or set MASKINPORTEN_CLIENT_ID): the client_id of the admin (self-service) client",
      );
    }
    const loaded = await loadPrivateKey(await readInput(io, opts.adminKey, "--admin-key"), {
      field: "--admin-key",
      ...(opts.adminKid !== undefined && { kid: opts.adminKid }),
      kidField: "--admin-kid",
    });
    const credential: Credential = {
      kind: "key",
      clientId: clientId.trim(),
      key: loaded.key,
      kid: loaded.kid,
      alg: loaded.alg,
      publicJwk: loaded.publicJwk,
    };
    return { credential, ...(settings.defaultProfile?.adminScopes && { adminScopes: settings.defaultProfile.adminScopes }) };
  }
  if (opts.adminKid !== undefined)
    throw new UsageError("--admin-kid goes with --admin-key; for a key in MASKINPORTEN_PRIVATE_KEY set MASKINPORTEN_KID");
  if (opts.profile === undefined && settings.defaultProfile === undefined && settings.profiles.size === 0) {
    throw new UsageError(
      "no admin credential: set MASKINPORTEN_CLIENT_ID and MASKINPORTEN_PRIVATE_KEY (or MASKINPORTEN_P12 and MASKINPORTEN_P12_PASSWORD), as for the provider, " +
        "or pass --admin-client-id ID --admin-key FILE",
    );
  }
  const profile = selectProfile(settings, opts.profile);
  const { privateKey, p12, certificatePem, certificateKeyPem } = profile.credential;
  if (opts.profile === undefined && [privateKey, p12, certificatePem, certificateKeyPem].every((v) => v === undefined)) {
    throw new UsageError(
      "MASKINPORTEN_CLIENT_ID is set but no key of the admin client: set MASKINPORTEN_PRIVATE_KEY (or MASKINPORTEN_P12 and MASKINPORTEN_P12_PASSWORD), or pass --admin-key FILE",
    );
  }
  const credential = opts.adminClientId !== undefined ? { ...profile.credential, clientId: opts.adminClientId } : profile.credential;
  return { credential, ...(profile.adminScopes && { adminScopes: profile.adminScopes }) };
}

/** Kids of the client's keys that a stack's ClientKey resources register, from `pulumi stack export`. */
export async function managedKeys(path: string, clientId: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `--pulumi-state: cannot read "${path}": ${fileProblem(err)}; give the file \`pulumi stack export --file FILE\` wrote`,
    );
  }
  let resources: unknown;
  try {
    resources = (JSON.parse(text) as { deployment?: { resources?: unknown } }).deployment?.resources;
  } catch {
    resources = undefined;
  }
  if (!Array.isArray(resources)) {
    throw new UsageError(
      `--pulumi-state: "${path}" is not a stack export (no deployment.resources); make one with \`pulumi stack export --file FILE\``,
    );
  }
  const managed = new Map<string, string>();
  for (const resource of resources as { type?: unknown; urn?: unknown; outputs?: Record<string, unknown>; delete?: unknown }[]) {
    if (resource?.type !== CLIENT_KEY_TYPE || resource.delete === true) continue;
    const outputs = resource.outputs ?? {};
    if (outputs["clientId"] !== clientId || typeof outputs["kid"] !== "string") continue;
    const name = typeof resource.urn === "string" ? (resource.urn.split("::").pop() ?? resource.urn) : "?";
    managed.set(outputs["kid"], name);
  }
  return managed;
}
