/**
 * `npm run bench`: programs A (this package) and B (do-nothing dynamic resources, and B′, B with A's state
 * size) through the real engine, phase by phase and side by side, against a simulator in this process that
 * counts every request; then A again with latency on every request; then the simulator's throughput.
 */
import { cpus, release, totalmem } from "node:os";
import type { Stack } from "@pulumi/pulumi/automation";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import type { RequestCounters } from "../../simulator/types";
import { makeProject, removeProject, stackFor } from "../e2e/harness";
import { readInFlight, resetInFlight, type InFlightTotals } from "./in-flight";
import { latencyBoundMs } from "./latency-bound";
import { PHASES, runPhase, type Phase } from "./phases";
import { customerOrgnos, PROGRAM_A, PROGRAM_B, publicKeys, resourceCount, writeInput, type BenchInput } from "./programs";
import { median } from "./table";
import { measureThroughput, type ThroughputResult } from "./throughput";

export interface BenchOptions {
  sizes: number[];
  /** Latency added to every request in the second run of A; 0 skips that run. */
  latencyMs: number;
  /** Duration of each throughput measurement; 0 skips them. */
  throughputMs: number;
  connections: number;
  /** Also run B′ (B padded to A's state size). */
  padded: boolean;
  /** Cycles per size below 100 clients, and from 100 on; each phase's time is the median of its cycles. */
  repeats: number;
  repeatsLarge: number;
  log: (line: string) => void;
}

export type ProgramName = "A" | "B" | "B′";

export type RequestCounts = Pick<RequestCounters, "total" | "token" | "tokenIssued" | "metadata" | "apiReads" | "apiWrites" | "byRoute">;

export interface PhaseResult {
  ms: Partial<Record<ProgramName, number>>;
  /** A ÷ B. */
  ratio: number;
  /** Of A's time, how long requests were in flight at the simulator (median), and how many at most. */
  inFlight: InFlightTotals;
  /** A's requests, counted by the simulator (of the cycle with the most, when they differ). */
  requests: RequestCounts;
}

export interface LatencyPhaseResult {
  ms: number;
  /** The same phase without latency (this size's first run). */
  withoutLatencyMs: number;
  addedMs: number;
  boundMs: number;
  inFlight: InFlightTotals;
  requests: RequestCounts;
}

export interface SizeResult {
  n: number;
  resources: number;
  /** Cycles measured; times are medians over them. */
  repeats: number;
  /** Bytes of stack state per resource after `up`. */
  stateBytesPerResource: Partial<Record<ProgramName, number>>;
  /** Padding B′ got per resource. */
  pad?: number;
  phases: Record<Phase, PhaseResult>;
  latency?: Record<Phase, LatencyPhaseResult>;
}

export interface BenchReport {
  command: string;
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; os: string; node: string; pulumi: string };
  settings: { sizes: number[]; repeats: number; repeatsLarge: number; latencyMs: number; credentials: number; engineParallel: number; providerMaxConcurrency: number; sharedReadTtlMs: number };
  sizes: SizeResult[];
  throughput: ThroughputResult[];
}

const CREDENTIALS = 2;
/** The engine's default --parallel, 4 × GOMAXPROCS, and the provider's default maskinporten:maxConcurrency. */
const ENGINE_PARALLEL = 4 * cpus().length;
const PROVIDER_MAX_CONCURRENCY = 8;
const SUPPLIER_SCOPES = "idporten:dcr.read idporten:dcr.write idporten:dcr.supplier";

export async function runBench(options: BenchOptions, command: string): Promise<BenchReport> {
  const sim = await startSimulator({ quiet: true });
  const sizes: SizeResult[] = [];
  try {
    for (const [index, n] of options.sizes.entries()) {
      sizes.push(await benchSize(sim, n, index, options));
    }
  } finally {
    await sim.close();
  }
  options.log("simulator throughput on loopback");
  const throughput = options.throughputMs > 0 ? await measureThroughput({ durationMs: options.throughputMs, connections: options.connections }) : [];
  const { ensurePulumi } = require("../../scripts/ensure-pulumi.js") as { ensurePulumi(o: { quiet: boolean }): Promise<{ version: string }> };
  return {
    command,
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${process.platform} ${release()}`,
      node: process.version,
      pulumi: (await ensurePulumi({ quiet: true })).version,
    },
    settings: {
      sizes: options.sizes,
      repeats: options.repeats,
      repeatsLarge: options.repeatsLarge,
      latencyMs: options.latencyMs,
      credentials: CREDENTIALS,
      engineParallel: ENGINE_PARALLEL,
      providerMaxConcurrency: PROVIDER_MAX_CONCURRENCY,
      sharedReadTtlMs: 5000,
    },
    sizes,
    throughput,
  };
}

interface Program {
  name: ProgramName;
  dir: string;
  stack: Stack;
}

/** Cycles (up … destroy) per size: `repeats` below 100 clients, where noise is large against a phase; `repeatsLarge` from 100 on. */
function repeatsFor(n: number, options: BenchOptions): number {
  return n < 100 ? options.repeats : options.repeatsLarge;
}

async function benchSize(sim: SimulatorHandle, n: number, index: number, options: BenchOptions): Promise<SizeResult> {
  const resources = resourceCount(n);
  const keys = await publicKeys(n);
  const repeats = repeatsFor(n, options);
  // Fresh customers and a fresh scope per cycle, so no cycle meets objects an earlier one deactivated.
  const input = (cycle: number): BenchInput => {
    const orgnos = customerOrgnos(n, 30_000_000 + index * 1_000_000 + cycle * 10_000);
    return { subscope: `bench.n${n}.cycle${cycle}`, customers: orgnos.map((orgno, i) => ({ orgno, publicKey: keys[i]! })) };
  };
  const programs: Program[] = [
    await openProgram(sim, "A", PROGRAM_A),
    await openProgram(sim, "B", PROGRAM_B),
    ...(options.padded ? [await openProgram(sim, "B′", PROGRAM_B)] : []),
  ];
  const [a] = programs as [Program];
  const times = new Map<string, number[]>();
  const inFlight = new Map<Phase, InFlightTotals[]>();
  const requests = {} as Record<Phase, RequestCounts>;
  const stateBytesPerResource: SizeResult["stateBytesPerResource"] = {};
  let pad: number | undefined;
  try {
    // Untimed: the first engine run on a project pays for cold caches (the CLI, plugins, the program's modules).
    for (const program of programs) {
      writeInput(program.dir, input(0));
      await program.stack.preview();
    }
    for (let cycle = 0; cycle < repeats; cycle++) {
      for (const phase of PHASES) {
        for (const program of programs) {
          if (phase === "up") {
            if (program.name === "B′") pad ??= Math.max(0, Math.round((stateBytesPerResource.A! - stateBytesPerResource.B!) / 2));
            writeInput(program.dir, { ...input(cycle), ...(program.name === "B′" && { pad }) });
          }
          options.log(`N=${n} cycle ${cycle + 1}/${repeats} ${program.name} ${phase}`);
          await sim.control.resetRequests();
          resetInFlight();
          push(times, `${program.name} ${phase}`, await runPhase(program.stack, phase, resources));
          const counted = counts(await sim.control.counters());
          if (program === a) {
            requests[phase] = maxTotal(requests[phase], counted);
            inFlight.set(phase, [...(inFlight.get(phase) ?? []), readInFlight()]);
          }
          else if (counted.total > 0) throw new Error(`program ${program.name} made ${counted.total} requests in ${phase}`);
          if (phase === "up" && cycle === 0) stateBytesPerResource[program.name] = await stateBytes(program.stack, resources);
        }
      }
    }
    const phases = {} as Record<Phase, PhaseResult>;
    for (const phase of PHASES) {
      const ms: PhaseResult["ms"] = {};
      for (const program of programs) ms[program.name] = median(times.get(`${program.name} ${phase}`)!);
      phases[phase] = { ms, ratio: ms.A! / ms.B!, inFlight: combined(inFlight.get(phase)!), requests: requests[phase] };
    }
    const latency = options.latencyMs > 0 ? await latencyRun(sim, a, (cycle) => input(repeats + cycle), repeats, phases, options) : undefined;
    return { n, resources, repeats, stateBytesPerResource, ...(pad !== undefined && { pad }), phases, ...(latency && { latency }) };
  } finally {
    for (const program of programs) removeProject(program.dir);
  }
}

async function openProgram(sim: SimulatorHandle, name: ProgramName, text: string): Promise<Program> {
  const dir = makeProject(`bench-${name === "A" ? "a" : name === "B" ? "b" : "b-padded"}`, { "index.ts": text });
  const owner = sim.orgs[0]!;
  const supplier = sim.orgs[2]!;
  const { stack } = await stackFor(dir, sim, name === "A" ? { owner: owner.orgno, supplier: supplier.orgno } : {});
  if (name === "A") await stack.setConfig("maskinporten:profiles.supplier.adminScopes", { value: SUPPLIER_SCOPES }, true);
  return { name, dir, stack };
}

/** A's cycles again, with every request to the simulator delayed by `latencyMs`. */
async function latencyRun(
  sim: SimulatorHandle,
  a: Program,
  input: (cycle: number) => BenchInput,
  repeats: number,
  withoutLatency: Record<Phase, PhaseResult>,
  options: BenchOptions,
): Promise<Record<Phase, LatencyPhaseResult>> {
  const n = input(0).customers.length;
  const times = new Map<string, number[]>();
  const inFlight = new Map<Phase, InFlightTotals[]>();
  const requests = {} as Record<Phase, RequestCounts>;
  await sim.control.addFault({ kind: "latency", latencyMs: options.latencyMs });
  try {
    for (let cycle = 0; cycle < repeats; cycle++) {
      writeInput(a.dir, input(cycle));
      for (const phase of PHASES) {
        options.log(`N=${n} cycle ${cycle + 1}/${repeats} A ${phase} with ${options.latencyMs} ms latency`);
        await sim.control.resetRequests();
        resetInFlight();
        push(times, phase, await runPhase(a.stack, phase, resourceCount(n)));
        requests[phase] = maxTotal(requests[phase], counts(await sim.control.counters()));
        inFlight.set(phase, [...(inFlight.get(phase) ?? []), readInFlight()]);
      }
    }
  } finally {
    await sim.control.clearFaults();
  }
  const concurrency = Math.min(ENGINE_PARALLEL, PROVIDER_MAX_CONCURRENCY);
  const result = {} as Record<Phase, LatencyPhaseResult>;
  for (const phase of PHASES) {
    const ms = median(times.get(phase)!);
    const before = withoutLatency[phase].ms.A!;
    result[phase] = {
      ms,
      withoutLatencyMs: before,
      addedMs: ms - before,
      boundMs: latencyBoundMs(phase, requests[phase].total, options.latencyMs, concurrency),
      inFlight: combined(inFlight.get(phase)!),
      requests: requests[phase],
    };
  }
  return result;
}

/** The median time in flight, and the most requests in flight in any cycle. */
function combined(cycles: InFlightTotals[]): InFlightTotals {
  return { busyMs: median(cycles.map((c) => c.busyMs)), maxInFlight: Math.max(...cycles.map((c) => c.maxInFlight)) };
}

function push(times: Map<string, number[]>, key: string, ms: number): void {
  times.set(key, [...(times.get(key) ?? []), ms]);
}

/** Of the cycles' counts of one phase, the one with the most requests: targets hold for every cycle. */
function maxTotal(kept: RequestCounts | undefined, counted: RequestCounts): RequestCounts {
  return kept === undefined || counted.total > kept.total || counted.token > kept.token ? counted : kept;
}

function counts(c: RequestCounters): RequestCounts {
  return { total: c.total, token: c.token, tokenIssued: c.tokenIssued, metadata: c.metadata, apiReads: c.apiReads, apiWrites: c.apiWrites, byRoute: c.byRoute };
}

/** The stack's state (as `pulumi stack export` gives it) per resource of the program. */
async function stateBytes(stack: Stack, resources: number): Promise<number> {
  const { deployment } = await stack.exportStack();
  return Math.round(JSON.stringify(deployment).length / resources);
}
