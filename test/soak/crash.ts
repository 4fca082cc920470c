/**
 * The crash soak: runs of a program with clients, generated keys, scopes and grants through the real `pulumi`
 * CLI, each with one `kill -9` of the engine at a seeded point of one phase: the first `up` (create), an `up`
 * that changes the program (change) or `destroy`. After the kill the harness records which of the engine's
 * children outlive it and what they still write, stops them, and follows the user's recovery steps
 * (`recovery.ts`: `pulumi cancel` when locked, `pulumi refresh --clear-pending-creates`, the operation again).
 * Then the invariants (`crash-invariants.ts`) are checked against the simulator, a preview must show no change,
 * and the run is finished (destroyed) and checked again. Nothing stops the soak but a harness error: every
 * broken invariant is counted and described in the report.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../../simulator/faults";
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from "../../simulator";
import { makeProject, privateJwkParts, removeProject, secretsIn, stackFor, storedState } from "../e2e/harness";
import { publicKeys } from "../bench/programs";
import { cliArgs, outputOf, runPulumi, startPulumi, type CliResult } from "./cli";
import { changedCrashModel, CRASH_MODEL_FILE, CRASH_PROGRAM, crashModel, type CrashChange, type CrashModel } from "./crash-model";
import { findings, missingAfterUp, observeRun, type CrashFindings } from "./crash-invariants";
import { killNine, survivorsAfter, type ProcessRole } from "./processes";
import { firstError, recover } from "./recovery";

export const CRASH_PHASES = ["create", "change", "destroy"] as const;
export type CrashPhase = (typeof CRASH_PHASES)[number];

export interface CrashSoakOptions {
  seed: number;
  runs: number;
  log: (line: string) => void;
  /** How long the harness watches the engine's children after the kill before it stops them. */
  survivorWatchMs?: number;
  /** More simulator options (e.g. its answer variants), on top of the seed and quiet. */
  simulator?: SimulatorOptions;
}

/** The counts of {@link CrashFindings}, summed over every check of the soak. */
export interface CrashReport extends Omit<CrashFindings, "problems"> {
  command: string;
  generatedAt: string;
  seed: number;
  minutes: number;
  runs: number;
  /** Kills by phase (a kill whose operation finished first is not counted here but in `finishedBeforeKill`). */
  kills: Record<CrashPhase, number>;
  /** Kills before the operation's first API write (during the program's start or the engine's planning). */
  killsBeforeAnyWrite: number;
  finishedBeforeKill: number;
  /** Kills after which a process of that role was still alive when the watch ended. */
  survivors: Record<Exclude<ProcessRole, "engine">, number>;
  /** API writes the simulator served after the engine was dead (by its surviving children). */
  writesAfterKill: number;
  /** Of those, the writes the simulator received after the kill (the rest were in flight, held by its latency). */
  writesSentAfterKill: number;
  recovery: {
    /** Runs that needed `pulumi cancel` (the killed engine's lock). */
    cancels: number;
    refreshes: number;
    /** Pending operations found in the state after kills, by kind. */
    pending: Record<string, number>;
    /** The interrupted operation succeeded when run again after the recovery steps. */
    converged: number;
    /** It failed again: the stack needs more than Pulumi's advice. */
    stuck: number;
    /** The kill left a state file the CLI cannot read ("failed to load checkpoint: EOF"). */
    unreadableState: number;
    /** … repaired by copying the backend's `<stack>.json.bak` back (a hand edit Pulumi does not advise). */
    restoredBackups: number;
  };
  /** Invariant checks made (after the recovered operation, and after the run's destroy). */
  checks: number;
  /** Checks that found nothing wrong. */
  cleanChecks: number;
  /** A preview right after the recovered `up` showed changes, or the program is not all at Digdir. */
  notConverged: number;
  secretLeaks: number;
  /** Distinct private forms of generated keys the scan looked for (besides the admin keys'). */
  generatedSecretsWatched: number;
  changes: Partial<Record<CrashChange, number>>;
  /** What went wrong, run by run, in words (secret-free). */
  problems: string[];
}

export class CrashSoakFailure extends Error {}

type Counted =
  "duplicates" | "orphanClients" | "orphanKeys" | "orphanKeysWithoutPrivateHalf" | "orphanScopes" | "orphanGrants" | "stateMismatches";
const COUNTED: readonly Counted[] = [
  "duplicates",
  "orphanClients",
  "orphanKeys",
  "orphanKeysWithoutPrivateHalf",
  "orphanScopes",
  "orphanGrants",
  "stateMismatches",
];

export function emptyCrashReport(command: string, seed: number): CrashReport {
  return {
    command,
    generatedAt: "",
    seed,
    minutes: 0,
    runs: 0,
    kills: { create: 0, change: 0, destroy: 0 },
    killsBeforeAnyWrite: 0,
    finishedBeforeKill: 0,
    survivors: { "language host": 0, program: 0, provider: 0, other: 0 },
    writesAfterKill: 0,
    writesSentAfterKill: 0,
    recovery: { cancels: 0, refreshes: 0, pending: {}, converged: 0, stuck: 0, unreadableState: 0, restoredBackups: 0 },
    checks: 0,
    cleanChecks: 0,
    duplicates: 0,
    orphanClients: 0,
    orphanKeys: 0,
    orphanKeysWithoutPrivateHalf: 0,
    orphanScopes: 0,
    orphanGrants: 0,
    stateMismatches: 0,
    notConverged: 0,
    secretLeaks: 0,
    generatedSecretsWatched: 0,
    changes: {},
    problems: [],
  };
}

/** Where to kill: after the k-th API write of the operation (plus a jitter), or, with k = 0, after a delay. */
export interface KillPoint {
  afterWrites: number;
  jitterMs: number;
}

/**
 * A seeded kill point among the `expectedWrites` writes the operation should make: after one of them but the
 * last (the last one's jitter reaches the end), or in one case of ten before any write, during the program's start.
 */
export function killPoint(random: () => number, expectedWrites: number): KillPoint {
  const beforeAny = random() < 0.1;
  return {
    afterWrites: beforeAny ? 0 : 1 + Math.floor(random() * Math.max(1, expectedWrites - 1)),
    jitterMs: Math.round(beforeAny ? 1000 + random() * 6000 : random() * 2 * WRITE_LATENCY_MS),
  };
}

/**
 * Latency of every API request during the killed operation, as a real API has: writes are in flight long enough
 * for kills to land inside them (the simulator holds a request before it commits it).
 */
export const WRITE_LATENCY_MS = 300;

/** Writes an operation makes between two programs, one per resource created, changed or deleted (a lower bound). */
export function expectedWrites(before: CrashModel | undefined, after: CrashModel | undefined): number {
  const resources = (m: CrashModel | undefined) => {
    const map = new Map<string, string>();
    if (!m) return map;
    for (const s of m.subscopes) map.set(`scope ${s}`, "");
    for (const g of m.grants) map.set(`grant ${g.subscope}/${g.orgno}`, "");
    for (const c of m.clients) {
      map.set(`client ${c.name}`, JSON.stringify([c.clientName, c.subscopes]));
      for (const k of c.keys) map.set(`key ${c.name}/${k.name}`, "");
    }
    return map;
  };
  const a = resources(before);
  const b = resources(after);
  let count = 0;
  for (const [name, value] of b) if (a.get(name) !== value) count++;
  for (const name of a.keys()) if (!b.has(name)) count++;
  return count;
}

export async function runCrashSoak(options: CrashSoakOptions, command: string): Promise<CrashReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const report = emptyCrashReport(command, options.seed);
  const sim = await startSimulator({ ...options.simulator, faultSeed: options.seed, quiet: true });
  const [owner, consumer, third] = sim.orgs as [
    SimulatorHandle["orgs"][number],
    SimulatorHandle["orgs"][number],
    SimulatorHandle["orgs"][number],
  ];
  const secrets = sim.orgs.flatMap((o) => privateJwkParts(o.adminKey));
  const adminSecrets = secrets.length;
  const keyPool = (await publicKeys(6)).map((k) => ({ ...k }));
  try {
    for (let run = 1; run <= options.runs; run++) {
      const phase = CRASH_PHASES[(run - 1) % CRASH_PHASES.length]!;
      await crashRun({
        sim,
        owner: owner.orgno,
        consumer: consumer.orgno,
        third: third.orgno,
        run,
        phase,
        random,
        keyPool,
        secrets,
        report,
        options,
      });
      report.runs = run;
    }
  } finally {
    await sim.close();
  }
  report.generatedSecretsWatched = new Set(secrets.slice(adminSecrets)).size;
  report.generatedAt = new Date().toISOString();
  report.minutes = Math.round((Date.now() - started) / 600) / 100;
  return report;
}

interface RunContext {
  sim: SimulatorHandle;
  owner: string;
  consumer: string;
  third: string;
  run: number;
  phase: CrashPhase;
  random: () => number;
  keyPool: Record<string, unknown>[];
  /** Secrets to look for in every output: admin keys' private members, and each generated key's once known. */
  secrets: string[];
  report: CrashReport;
  options: CrashSoakOptions;
}

async function crashRun(ctx: RunContext): Promise<void> {
  const { sim, run, phase, random, report, options } = ctx;
  const base = crashModel(random, run, ctx.consumer, ctx.third, ctx.keyPool);
  const changed = phase === "change" ? changedCrashModel(random, base, run, ctx.third, ctx.keyPool) : undefined;
  for (const change of changed?.changes ?? []) report.changes[change] = (report.changes[change] ?? 0) + 1;
  const dir = makeProject(`crash-${run}`, { "index.ts": CRASH_PROGRAM });
  const outputs: string[] = [];
  const problem = (text: string) => {
    const line = `run ${run} (kill in ${phase}): ${withoutSecrets(text, ctx.secrets)}`;
    report.problems.push(line);
    options.log(`  broken: ${line}`);
  };
  try {
    const { envVars: env } = await stackFor(dir, sim, { owner: ctx.owner, consumer: ctx.consumer });
    const cli = async (args: string[]) => {
      const result = await runPulumi(dir, env, cliArgs(args, "test"));
      outputs.push(outputOf(result));
      return result;
    };
    const write = (model: CrashModel) => writeFileSync(join(dir, CRASH_MODEL_FILE), JSON.stringify(model));
    const kidsGiven = (model: CrashModel) =>
      new Set(model.clients.flatMap((c) => c.keys.flatMap((k) => (k.publicKey ? [String(k.publicKey["kid"])] : []))));
    const allGiven = new Set([...kidsGiven(base), ...(changed ? kidsGiven(changed.model) : [])]);
    const check = async (after: "up" | "destroy", model: CrashModel, what: string) => {
      const observed = await observeRun(sim, dir, env, "test", ctx.owner, ctx.consumer, run);
      const found = findings(observed, allGiven);
      if (after === "destroy") {
        const left = Object.entries(observed.state).filter(([, ids]) => ids.length > 0);
        if (left.length > 0)
          found.problems.push(`the stack still holds ${left.map(([type, ids]) => `${ids.length} ${type}`).join(", ")} after destroy`);
      }
      let notConverged = false;
      if (after === "up") {
        const missing = missingAfterUp(observed, model);
        const preview = await cli(["preview", "--expect-no-changes"]);
        if (preview.code !== 0) missing.push(`a preview right after the up shows changes or fails: ${firstError(preview)}`);
        notConverged = missing.length > 0;
        found.problems.push(...missing);
      }
      count(report, found, notConverged);
      for (const p of found.problems) problem(`${what}: ${p}`);
    };
    const plainly = async (args: string[], what: string) => {
      const result = await cli(args);
      if (result.code !== 0) problem(`${what} failed: ${firstError(result)}`);
      else if (args[0] === "up") ctx.secrets.push(...(await generatedSecrets(dir, env)));
      return result.code === 0;
    };

    options.log(`run ${run}/${options.runs}: kill -9 during ${phase}${changed ? ` (${changed.changes.join(", ")})` : ""}`);
    write(base);
    if (phase !== "create" && !(await plainly(["up"], "the first up"))) return;
    if (changed) write(changed.model);
    const operation = phase === "destroy" ? "destroy" : "up";
    const writes =
      phase === "create"
        ? expectedWrites(undefined, base)
        : phase === "change"
          ? expectedWrites(base, changed!.model)
          : expectedWrites(base, undefined);
    const killed = await killDuring(
      sim,
      dir,
      env,
      cliArgs([operation], "test"),
      killPoint(random, writes),
      options.survivorWatchMs ?? 3000,
      report,
    );
    outputs.push(outputOf(killed.result));
    if (!killed.result.killed) {
      report.finishedBeforeKill++;
      options.log(`  the ${operation} finished (exit ${killed.result.code}) before the kill point`);
    } else {
      report.kills[phase]++;
      options.log(
        `  killed after ${killed.writesBefore} writes; alive ${(options.survivorWatchMs ?? 3000) / 1000} s later: ${killed.survivors.join(", ") || "none"}; writes after the kill: ${killed.writesAfter}`,
      );
      const recovery = await recover(dir, env, "test", operation);
      outputs.push(...recovery.results.map(outputOf));
      report.recovery.refreshes += recovery.steps.filter((s) => s.command.startsWith("pulumi refresh")).length;
      if (recovery.locked) report.recovery.cancels++;
      if (recovery.unreadableState !== undefined) {
        report.recovery.unreadableState++;
        if (recovery.restoredBackup) report.recovery.restoredBackups++;
        problem(`the state was unreadable after the kill: ${recovery.unreadableState}`);
      }
      for (const [kind, n] of Object.entries(recovery.pending)) report.recovery.pending[kind] = (report.recovery.pending[kind] ?? 0) + n;
      const pending =
        Object.entries(recovery.pending)
          .map(([what, n]) => `${n} ${what}`)
          .join(", ") || "none";
      options.log(`  pending operations: ${pending}; recovery: ${recovery.steps.map((s) => `${s.command} → ${s.code}`).join("; ")}`);
      if (recovery.converged) report.recovery.converged++;
      else {
        report.recovery.stuck++;
        const last = recovery.steps[recovery.steps.length - 1]!;
        problem(`stuck: ${last.command} failed after the recovery steps: ${last.note ?? ""}`);
      }
      if (operation === "up" && recovery.converged) ctx.secrets.push(...(await generatedSecrets(dir, env)));
    }
    const final = changed?.model ?? base;
    await check(operation, final, `after the ${phase === "destroy" ? "destroy" : "up"} the kill interrupted`);
    if (operation === "up") {
      await plainly(["destroy"], "the run's destroy");
      await check("destroy", final, "after the run's destroy");
    }
  } finally {
    const leaks = [...secretsIn(outputs.join("\n"), ctx.secrets), ...secretsIn(safeStoredState(dir), ctx.secrets)];
    report.secretLeaks += leaks.length;
    // The leak is counted and located, never quoted.
    if (leaks.length > 0) report.problems.push(`run ${run}: ${leaks.length} secret slices in the engine's output or the stored state`);
    removeProject(dir);
  }
}

function count(report: CrashReport, found: CrashFindings, notConverged: boolean): void {
  report.checks++;
  for (const key of COUNTED) report[key] += found[key];
  if (notConverged) report.notConverged++;
  if (found.problems.length === 0) report.cleanChecks++;
}

interface Killed {
  result: CliResult;
  writesBefore: number;
  writesAfter: number;
  /** Roles of the engine's descendants still alive when the watch ended. */
  survivors: string[];
}

/**
 * Runs the operation and kills the engine at the kill point, watching the simulator's request log for the
 * operation's writes. Records which descendants outlive the engine and what they write meanwhile, then stops
 * them (each by its pid), as the language host's health check will once the engine is gone.
 */
async function killDuring(
  sim: SimulatorHandle,
  dir: string,
  env: Record<string, string>,
  args: string[],
  point: KillPoint,
  watchMs: number,
  report: CrashReport,
): Promise<Killed> {
  const since = await sim.control.lastSeq();
  const latency = await sim.control.addFault({ kind: "latency", path: "/api/v1/*", latencyMs: WRITE_LATENCY_MS, probability: 1 });
  try {
    return await watchAndKill(sim, dir, env, args, point, watchMs, report, since);
  } finally {
    await sim.control.removeFault(latency);
  }
}

async function watchAndKill(
  sim: SimulatorHandle,
  dir: string,
  env: Record<string, string>,
  args: string[],
  point: KillPoint,
  watchMs: number,
  report: CrashReport,
  from: number,
): Promise<Killed> {
  let since = from;
  const isWrite = (e: { kind: string; method: string }) => e.kind === "api" && e.method !== "GET";
  const engine = startPulumi(dir, env, args);
  let finished = false;
  void engine.done.then(() => (finished = true));
  let writes = 0;
  const startedAt = Date.now();
  while (!finished) {
    for (const entry of await sim.control.requestLog({ since })) {
      since = entry.seq;
      if (isWrite(entry)) writes++;
    }
    const reached = point.afterWrites === 0 ? Date.now() - startedAt >= point.jitterMs : writes >= point.afterWrites;
    if (reached) break;
    await sleep(20);
  }
  if (finished) return { result: await engine.done, writesBefore: writes, writesAfter: 0, survivors: [] };
  if (point.afterWrites > 0) await sleep(point.jitterMs);
  if (writes === 0) report.killsBeforeAnyWrite++;
  const killSeq = await sim.control.lastSeq();
  const killedAt = Date.now();
  const children = engine.kill();
  const result = await engine.done;
  const alive = await survivorsAfter(children, watchMs);
  const roles = [...new Set(alive.map((p) => p.role))].sort();
  for (const role of roles) if (role !== "engine") report.survivors[role]++;
  const written = (await sim.control.requestLog({ since: killSeq })).filter(isWrite);
  const writesAfter = written.length;
  report.writesAfterKill += writesAfter;
  // The log records a request when it is answered; it arrived durationMs earlier (the soak never moves the clock).
  report.writesSentAfterKill += written.filter((e) => Date.parse(e.time) - e.durationMs > killedAt).length;
  for (const p of alive) killNine(p.pid);
  await survivorsAfter(alive, 2000);
  return { result, writesBefore: writes, writesAfter, survivors: roles };
}

/** What of every generated key the stack holds must never be printed: its private members, its base64 and PEM forms. */
async function generatedSecrets(dir: string, env: Record<string, string>): Promise<string[]> {
  const exported = await runPulumi(dir, env, ["stack", "export", "--show-secrets", "--stack", "test", "--non-interactive"]);
  if (exported.code !== 0) return [];
  const found: string[] = [];
  const plain = (value: unknown): unknown => {
    // A secret output exported with --show-secrets: { <signature>: ..., plaintext: <the value as JSON> }.
    if (value !== null && typeof value === "object" && "plaintext" in value && typeof value.plaintext === "string")
      return JSON.parse(value.plaintext);
    return value;
  };
  const visit = (value: unknown, key?: string): void => {
    value = plain(value);
    if (typeof value === "string") {
      if (key === "privateKeyJwk") found.push(...privateJwkParts(value));
      if (key === "privateKeyBase64" || key === "privateKeyPem") found.push(value.replace(/-----[A-Z ]+-----|\s/g, ""));
    } else if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(JSON.parse(exported.stdout));
  return found;
}

function safeStoredState(dir: string): string {
  try {
    return storedState(dir);
  } catch {
    return "";
  }
}

function withoutSecrets(text: string, secrets: readonly string[]): string {
  return secretsIn(text, secrets).length > 0 ? "(text withheld: it holds secret material)" : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
