/**
 * What the provider process shares between resources: the settings from `configure` (or the environment),
 * one HTTP transport (so limits hold across every resource and profile), and one connection per profile (so
 * each credential fetches one token per `pulumi up`).
 */
import { connect, type Connection } from "./api/connection";
import { HttpTransport } from "./api/http";
import { KeyedMutex } from "./api/keyed-mutex";
import type { AuthServerMetadata } from "./api/wire";
import { maskinportenTime } from "./api/server-time";
import { metadataSource } from "./api/token";
import { engineWatchOfThisProcess } from "./engine-liveness";
import { readSettings, selectProfile, settingSource, type ProviderSettings, SETTING_KEYS } from "./config";

/** What Pulumi's `configure` hands the provider: full keys like `maskinporten:environment`. */
export interface StackConfig {
  get(key: string): unknown;
}

interface Runtime {
  fingerprint: string;
  settings: ProviderSettings;
  transport: HttpTransport;
  metadata: () => Promise<AuthServerMetadata>;
  /** One lock per client across every profile, so changes to one client never interleave. */
  clientLocks: KeyedMutex;
  connections: Map<string, Connection>;
}

let stackConfig: StackConfig | undefined;
let runtime: Runtime | undefined;

/** Called by the forwarder's `configure`, once per resource type and process; repeated calls are cheap. */
export function configure(config: StackConfig): void {
  stackConfig = config;
  engineWatchOfThisProcess();
}

/** The settings in force, read from stack config and the environment. Throws a `ConfigError` naming the key. */
export function currentSettings(): ProviderSettings {
  return current().settings;
}

/** The connection (API client, tokens) of a profile; the default credential when `profile` is undefined. */
export function connectionFor(profile: string | undefined): Connection {
  const rt = current();
  const chosen = selectProfile(rt.settings, profile);
  let connection = rt.connections.get(chosen.name);
  if (!connection) {
    connection = connect({
      endpoints: rt.settings.endpoints,
      credential: chosen.credential,
      fieldPrefix: chosen.fieldPrefix,
      ...(chosen.adminScopes && { adminScopes: chosen.adminScopes }),
      transport: rt.transport,
      metadata: rt.metadata,
      clientLocks: rt.clientLocks,
    });
    rt.connections.set(chosen.name, connection);
  }
  return connection;
}

/**
 * Maskinporten's time now (ms since the epoch), the one clock for every decision and warning that depends on
 * time (see `maskinportenTime`). Needs no credential: the issuer's public metadata tells it, and when
 * Maskinporten cannot be reached the local clock stands in.
 */
export function maskinportenNow(): Promise<number> {
  const rt = current();
  return maskinportenTime(rt.transport, rt.settings.endpoints.issuer);
}

/** A setting's raw value from stack config (`maskinporten:<key>`) or the environment, for settings read by one resource. */
export function rawSetting(key: string): unknown {
  return settingSource(stackConfig ? (k) => stackConfig!.get(k) : undefined, process.env)(key);
}

/** Forgets settings and connections (tests; a changed configuration). */
const runMemories: Array<Map<unknown, unknown>> = [];

/** A map kept for this provider process, that is one `pulumi` run; `resetRuntime` (a new run in tests) empties it. */
export function runMemory<K, V>(): Map<K, V> {
  const memory = new Map<K, V>();
  runMemories.push(memory as Map<unknown, unknown>);
  return memory;
}

export async function resetRuntime(): Promise<void> {
  const old = runtime;
  runtime = undefined;
  stackConfig = undefined;
  for (const memory of runMemories) memory.clear();
  await old?.transport.close();
}

function current(): Runtime {
  const source = settingSource(stackConfig ? (key) => stackConfig!.get(key) : undefined, process.env);
  const raw = Object.fromEntries(SETTING_KEYS.map((key) => [key, source(key)]));
  const fingerprint = JSON.stringify(raw);
  if (runtime?.fingerprint === fingerprint) return runtime;
  const settings = readSettings(source);
  // In a provider process started by the engine: no write once that engine is gone (see engine-liveness.ts).
  const engineWatch = engineWatchOfThisProcess();
  const transport = new HttpTransport({
    ...(settings.limits.maxConcurrency !== undefined && { maxConcurrency: settings.limits.maxConcurrency }),
    ...(settings.limits.requestsPerSecond !== undefined && { requestsPerSecond: settings.limits.requestsPerSecond }),
    ...(settings.limits.deadlineMs !== undefined && { deadlineMs: settings.limits.deadlineMs }),
    ...(engineWatch && { beforeWrite: engineWatch.beforeWrite }),
  });
  void runtime?.transport.close();
  runtime = {
    fingerprint,
    settings,
    transport,
    metadata: metadataSource(transport, settings.endpoints.issuer),
    clientLocks: new KeyedMutex(),
    connections: new Map(),
  };
  return runtime;
}
