/**
 * Provider configuration: stack config under `maskinporten:` (read in `configure`, secrets decrypted by the
 * engine), with `MASKINPORTEN_*` environment variables as fallback. Credentials live only here: never in
 * resource inputs, never in state.
 *
 * One stack may act for several organisations: `maskinporten:profiles` maps a profile name to its own
 * credential, and a resource picks one with its non-secret `profile` input.
 */
import type { CredentialSpec } from "./api/credentials";
import { resolveEndpoints, type Endpoints, type EnvironmentSettings } from "./api/environments";
import { ConfigError } from "./api/errors";

export const CONFIG_NAMESPACE = "maskinporten";

/** Looks up one setting by its short name (`environment`, `privateKey`, ...). */
export type SettingSource = (key: string) => unknown;

const CREDENTIAL_KEYS = ["clientId", "privateKey", "kid", "p12", "p12Password", "certificatePem", "certificateKeyPem"] as const;
const ENVIRONMENT_KEYS = ["environment", "issuer", "apiBaseUrl", "altinnExchangeUrl"] as const;
const LIMIT_KEYS = ["maxConcurrency", "requestsPerSecond", "requestTimeoutSeconds"] as const;
export const SETTING_KEYS = [...ENVIRONMENT_KEYS, ...CREDENTIAL_KEYS, "adminScopes", "profiles", ...LIMIT_KEYS] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export interface Profile {
  name: string;
  credential: CredentialSpec;
  /** Prefix of this profile's setting names in messages. */
  fieldPrefix: string;
  adminScopes?: string[];
}

export interface ProviderSettings {
  endpoints: Endpoints;
  /** The credential used when a resource names no profile; undefined when only named profiles are set. */
  defaultProfile?: Profile;
  profiles: ReadonlyMap<string, Profile>;
  limits: { maxConcurrency?: number; requestsPerSecond?: number; deadlineMs?: number };
}

/** `privateKey` → `MASKINPORTEN_PRIVATE_KEY`. */
export function envName(key: string): string {
  return `MASKINPORTEN_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** Stack config first, then the environment. `stackConfig` takes full keys like `maskinporten:environment`. */
export function settingSource(stackConfig: ((fullKey: string) => unknown) | undefined, env: NodeJS.ProcessEnv): SettingSource {
  return (key) => {
    const fromStack = stackConfig?.(`${CONFIG_NAMESPACE}:${key}`);
    if (fromStack !== undefined && fromStack !== "") return fromStack;
    const fromEnv = env[envName(key)];
    return fromEnv === "" ? undefined : fromEnv;
  };
}

/** Names a setting as the user wrote it, for messages: `maskinporten:privateKey (or MASKINPORTEN_PRIVATE_KEY)`. */
function settingName(key: string): string {
  return `${CONFIG_NAMESPACE}:${key}`;
}

export function readSettings(source: SettingSource): ProviderSettings {
  const environment: EnvironmentSettings = {};
  for (const key of ENVIRONMENT_KEYS) {
    const value = optionalString(source(key), key);
    if (value !== undefined) environment[key] = value;
  }
  const endpoints = resolveEndpoints(environment, (k) => `${settingName(k)} (or ${envName(k)})`);

  const credential: CredentialSpec = {};
  for (const key of CREDENTIAL_KEYS) {
    const value = optionalString(source(key), key);
    if (value !== undefined) credential[key] = value;
  }
  const adminScopes = scopeList(source("adminScopes"), settingName("adminScopes"));
  const defaultProfile: Profile | undefined =
    Object.keys(credential).length > 0
      ? { name: "default", credential, fieldPrefix: `${CONFIG_NAMESPACE}:`, ...(adminScopes && { adminScopes }) }
      : undefined;

  return {
    endpoints,
    ...(defaultProfile && { defaultProfile }),
    profiles: readProfiles(source("profiles"), adminScopes),
    limits: {
      ...positive(source, "maxConcurrency", "maxConcurrency", LIMIT_BOUNDS.maxConcurrency),
      ...positive(source, "requestsPerSecond", "requestsPerSecond", LIMIT_BOUNDS.requestsPerSecond),
      ...(positive(source, "requestTimeoutSeconds", "deadlineMs", LIMIT_BOUNDS.requestTimeoutSeconds, 1000) as { deadlineMs?: number }),
    },
  };
}

function readProfiles(raw: unknown, defaultAdminScopes: string[] | undefined): Map<string, Profile> {
  const field = settingName("profiles");
  const profiles = new Map<string, Profile>();
  if (raw === undefined) return profiles;
  const value = typeof raw === "string" ? parseJson(raw, field) : raw;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(field, 'must be an object of named profiles, e.g. {"owner": {"clientId": "...", "privateKey": "..."}}');
  }
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const prefix = `${field}.${name}.`;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new ConfigError(`${field}.${name}`, "profile names use letters, digits, _ and - only");
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new ConfigError(`${field}.${name}`, "must be an object with clientId and a credential (privateKey, p12 or certificatePem)");
    }
    const credential: CredentialSpec = {};
    for (const [key, v] of Object.entries(entry as Record<string, unknown>)) {
      if (key === "adminScopes") continue;
      if (!(CREDENTIAL_KEYS as readonly string[]).includes(key)) {
        throw new ConfigError(`${prefix}${key}`, `is not a profile setting; use ${CREDENTIAL_KEYS.join(", ")} or adminScopes`);
      }
      const s = optionalString(v, `${prefix}${key}`);
      if (s !== undefined) credential[key as keyof CredentialSpec] = s;
    }
    const adminScopes = scopeList((entry as Record<string, unknown>)["adminScopes"], `${prefix}adminScopes`) ?? defaultAdminScopes;
    profiles.set(name, { name, credential, fieldPrefix: prefix, ...(adminScopes && { adminScopes }) });
  }
  return profiles;
}

/** Pulumi hands structured config to providers as JSON text, and secret leaves wrapped; accept both. */
function parseJson(text: string, field: string): unknown {
  try {
    return unwrapSecrets(JSON.parse(text));
  } catch {
    throw new ConfigError(field, "is not valid JSON; set it with `pulumi config set --path` or as a JSON object");
  }
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] !== undefined && "value" in obj) return unwrapSecrets(obj["value"]);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function optionalString(value: unknown, key: string): string | undefined {
  const unwrapped = unwrapSecrets(value);
  if (unwrapped === undefined || unwrapped === null || unwrapped === "") return undefined;
  if (typeof unwrapped !== "string") {
    throw new ConfigError(key.includes(":") ? key : settingName(key), "must be a string");
  }
  return unwrapped;
}

function scopeList(raw: unknown, field: string): string[] | undefined {
  const value = unwrapSecrets(raw);
  if (value === undefined || value === "") return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === "string" && value.trim().startsWith("[")
      ? parseJson(value, field)
      : String(value).split(/[\s,]+/);
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string" || s === "")) {
    throw new ConfigError(field, 'must be scope names separated by spaces, e.g. "idporten:dcr.read idporten:dcr.write"');
  }
  return (list as string[]).filter(Boolean);
}

/**
 * The most each limit may be. More than 100 requests in flight or per second to Digdir is no limit at all (its
 * API has none documented, and heavy callers have had to slow down); a request's deadline of an hour keeps the
 * timer in range (Node fires timers beyond 2^31-1 ms at once, so 1e308 seconds meant no wait).
 */
const LIMIT_BOUNDS = {
  maxConcurrency: { max: 100, integer: true },
  requestsPerSecond: { max: 100, integer: false },
  requestTimeoutSeconds: { max: 3600, integer: false },
} as const;

function positive(
  source: SettingSource,
  key: SettingKey,
  as: string,
  bound: { max: number; integer: boolean },
  factor = 1,
): Record<string, number> {
  const raw = unwrapSecrets(source(key));
  if (raw === undefined) return {};
  const n = typeof raw === "number" ? raw : Number(raw);
  const what = bound.integer ? "whole number" : "number";
  if (!Number.isFinite(n) || n <= 0 || n > bound.max || (bound.integer && !Number.isInteger(n))) {
    throw new ConfigError(
      `${settingName(key)} (or ${envName(key)})`,
      `must be a positive ${what} of at most ${bound.max}, got ${JSON.stringify(raw)}`,
    );
  }
  return { [as]: n * factor };
}

/** The profile a resource acts with, or a message naming the fix. */
export function selectProfile(settings: ProviderSettings, name: string | undefined): Profile {
  if (name === undefined) {
    if (settings.defaultProfile) return settings.defaultProfile;
    const known = [...settings.profiles.keys()];
    throw new ConfigError(
      "profile",
      known.length > 0
        ? `no default credential is configured: set the resource's profile to one of ${known.join(", ")}, or set ${settingName("clientId")} and a credential`
        : `no Maskinporten credential is configured: set ${settingName("clientId")} and ${settingName("privateKey")} (or p12/certificatePem) with \`pulumi config set --secret\`, or MASKINPORTEN_CLIENT_ID and MASKINPORTEN_PRIVATE_KEY`,
      "MISSING_CONFIG",
    );
  }
  const profile = settings.profiles.get(name);
  if (!profile) {
    const known = [...settings.profiles.keys()];
    throw new ConfigError(
      "profile",
      `there is no profile "${name}" in ${settingName("profiles")}${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}; add it with \`pulumi config set --secret --path '${settingName("profiles")}.${name}.privateKey' ...\``,
      "MISSING_CONFIG",
    );
  }
  return profile;
}
