/**
 * `npm run bench`: programs A (this package), A+L (A with latency on every request), B (do-nothing dynamic
 * resources) and B′ (B with A's state size) through the real engine, phase by phase and side by side,
 * against a simulator in this process that counts every request; then the simulator's throughput.
 */
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import type { SimulatorHandle } from "../../simulator";
import { startTestSimulator } from "../helpers/simulator-variant";
import type { RequestCounters } from "../../simulator/types";
import { makeProject, removeProject, stackFor } from "../e2e/harness";
import { readInFlight, resetInFlight, type InFlightTotals } from "./in-flight";
import { latencyBoundMs } from "./latency-bound";
import { PHASES, runPhase, type Phase } from "./phases";
import { customerOrgnos, PROGRAM_A, PROGRAM_B, publicKeys, resourceCount, roleOf, writeInput, type BenchInput } from "./programs";
import { stateBytesByType, storedCheckpoint, type TypeStateSize } from "./state-size";
import { median } from "./table";
import { measureThroughput, type ThroughputResult } from "./throughput";

export interface BenchOptions {
  sizes: number[];
  /** Latency added to every request of A+L; 0 skips A+L. */
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

export type ProgramName = "A" | "A+L" | "B" | "B′";

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
  /** The same phase of A, without latency, in the same cycles. */
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
  /** Bytes of the stack's checkpoint file after `up`, per resource of the program. */
  stateBytesPerResource: Partial<Record<ProgramName, number>>;
  /** Bytes of each resource's entry in the checkpoint after `up`, per type of program A (B's by the role it plays). */
  stateBytesByType?: Partial<Record<ProgramName, TypeStateSize[]>>;
  /** Padding B′ got per resource. */
  pad?: number;
  phases: Record<Phase, PhaseResult>;
  latency?: Record<Phase, LatencyPhaseResult>;
}

export interface BenchReport {
  command: string;
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; os: string; node: string; pulumi: string };
  settings: {
    sizes: number[];
    repeats: number;
    repeatsLarge: number;
    latencyMs: number;
    credentials: number;
    engineParallel: number;
    providerMaxConcurrency: number;
    sharedReadTtlMs: number;
  };
  sizes: SizeResult[];
  throughput: ThroughputResult[];
  /** The simulator's preset the run was counted against (`npm run bench -- --variant adverse`); default when absent. */
  simulatorVariant?: string;
}

const CREDENTIALS = 2;
/** The engine's default --parallel, 4 × GOMAXPROCS, and the provider's default maskinporten:maxConcurrency. */
const ENGINE_PARALLEL = 4 * cpus().length;
const PROVIDER_MAX_CONCURRENCY = 8;
const SUPPLIER_SCOPES = "idporten:dcr.read idporten:dcr.write idporten:dcr.supplier";

export async function runBench(options: BenchOptions, command: string): Promise<BenchReport> {
  const sim = await startTestSimulator({ quiet: true });
  const sizes: SizeResult[] = [];
  try {
    for (const [index, n] of options.sizes.entries()) {
      sizes.push(await benchSize(sim, n, index, options));
    }
  } finally {
    await sim.close();
  }
  options.log("simulator throughput on loopback");
  const throughput =
    options.throughputMs > 0 ? await measureThroughput({ durationMs: options.throughputMs, connections: options.connections }) : [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script without types
  const { ensurePulumi } = require("../../scripts/ensure-pulumi.js") as {
    ensurePulumi(o: { quiet: boolean }): Promise<{ version: string }>;
  };
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
  /** Latency the simulator adds to every request while this program runs. */
  latencyMs: number;
  /** Which series of customers and scopes it uses, so no two programs meet each other's objects. */
  series: number;
}

/** Cycles (up … destroy) per size: `repeats` below 100 clients, where noise is large against a phase; `repeatsLarge` from 100 on. */
function repeatsFor(n: number, options: BenchOptions): number {
  return n < 100 ? options.repeats : options.repeatsLarge;
}

/**
 * Each phase runs A, A with latency, B and B′ one after the other, so that what a comparison compares ran
 * under the same load of the machine; each cycle (up … destroy) on fresh customers and a fresh scope.
 */
async function benchSize(sim: SimulatorHandle, n: number, index: number, options: BenchOptions): Promise<SizeResult> {
  const resources = resourceCount(n);
  const keys = await publicKeys(n);
  const repeats = repeatsFor(n, options);
  const input = (series: number, cycle: number): BenchInput => {
    const orgnos = customerOrgnos(n, 30_000_000 + index * 1_000_000 + series * 200_000 + cycle * 1_000);
    return { subscope: `bench.n${n}.s${series}.c${cycle}`, customers: orgnos.map((orgno, i) => ({ orgno, publicKey: keys[i]! })) };
  };
  const programs: Program[] = [
    await openProgram(sim, "A", PROGRAM_A, 0, 0),
    ...(options.latencyMs > 0 ? [await openProgram(sim, "A+L", PROGRAM_A, 1, options.latencyMs)] : []),
    await openProgram(sim, "B", PROGRAM_B, 0, 0),
    ...(options.padded ? [await openProgram(sim, "B′", PROGRAM_B, 0, 0)] : []),
  ];
  const times = new Map<string, number[]>();
  const inFlight = new Map<string, InFlightTotals[]>();
  const requests = new Map<string, RequestCounts>();
  const stateBytesPerResource: SizeResult["stateBytesPerResource"] = {};
  const stateByType: NonNullable<SizeResult["stateBytesByType"]> = {};
  let pad: number | undefined;
  try {
    // Untimed: the first engine run on a project pays for cold caches (the CLI, plugins, the program's modules).
    for (const program of programs) {
      writeInput(program.dir, input(program.series, 0));
      await program.stack.preview();
    }
    for (let cycle = 0; cycle < repeats; cycle++) {
      for (const phase of PHASES) {
        for (const program of programs) {
          const key = `${program.name} ${phase}`;
          if (phase === "up") {
            if (program.name === "B′") pad ??= Math.max(0, Math.round((stateBytesPerResource.A! - stateBytesPerResource.B!) / 2));
            writeInput(program.dir, { ...input(program.series, cycle), ...(program.name === "B′" && { pad }) });
          }
          options.log(`N=${n} cycle ${cycle + 1}/${repeats} ${program.name} ${phase}`);
          await sim.control.resetRequests();
          const fault = program.latencyMs > 0 ? await sim.control.addFault({ kind: "latency", latencyMs: program.latencyMs }) : undefined;
          resetInFlight();
          try {
            push(times, key, await runPhase(program.stack, phase, resources));
          } finally {
            if (fault) await sim.control.removeFault(fault);
          }
          const counted = counts(await sim.control.counters());
          if (program.name.startsWith("A")) {
            requests.set(key, maxTotal(requests.get(key), counted));
            inFlight.set(key, [...(inFlight.get(key) ?? []), readInFlight()]);
          } else if (counted.total > 0) {
            throw new Error(`program ${program.name} made ${counted.total} requests in ${phase}`);
          }
          if (phase === "up" && cycle === 0 && program.name !== "A+L") {
            const { bytes, deployment } = storedCheckpoint(join(program.dir, ".pulumi-local", "backend"), program.stack.name);
            stateBytesPerResource[program.name] = Math.round(bytes / resources);
            stateByType[program.name] = stateBytesByType(deployment, roleOf);
          }
        }
      }
    }
    const phases = {} as Record<Phase, PhaseResult>;
    const latency = {} as Record<Phase, LatencyPhaseResult>;
    const concurrency = Math.min(ENGINE_PARALLEL, PROVIDER_MAX_CONCURRENCY);
    for (const phase of PHASES) {
      const ms: PhaseResult["ms"] = {};
      for (const program of programs) if (program.name !== "A+L") ms[program.name] = median(times.get(`${program.name} ${phase}`)!);
      phases[phase] = { ms, ratio: ms.A! / ms.B!, inFlight: combined(inFlight.get(`A ${phase}`)!), requests: requests.get(`A ${phase}`)! };
      if (options.latencyMs > 0) {
        const withLatency = median(times.get(`A+L ${phase}`)!);
        const counted = requests.get(`A+L ${phase}`)!;
        latency[phase] = {
          ms: withLatency,
          withoutLatencyMs: ms.A!,
          addedMs: withLatency - ms.A!,
          boundMs: latencyBoundMs(phase, counted.total, options.latencyMs, concurrency),
          inFlight: combined(inFlight.get(`A+L ${phase}`)!),
          requests: counted,
        };
      }
    }
    return {
      n,
      resources,
      repeats,
      stateBytesPerResource,
      stateBytesByType: stateByType,
      ...(pad !== undefined && { pad }),
      phases,
      ...(options.latencyMs > 0 && { latency }),
    };
  } finally {
    for (const program of programs) removeProject(program.dir);
  }
}

async function openProgram(sim: SimulatorHandle, name: ProgramName, text: string, series: number, latencyMs: number): Promise<Program> {
  const dir = makeProject(`bench-${{ A: "a", "A+L": "a-latency", B: "b", "B′": "b-padded" }[name]}`, { "index.ts": text });
  const owner = sim.orgs[0]!;
  const supplier = sim.orgs[2]!;
  const isA = name.startsWith("A");
  const { stack } = await stackFor(dir, sim, isA ? { owner: owner.orgno, supplier: supplier.orgno } : {});
  if (isA) await stack.setConfig("maskinporten:profiles.supplier.adminScopes", { value: SUPPLIER_SCOPES }, true);
  return { name, dir, stack, latencyMs, series };
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
  return {
    total: c.total,
    token: c.token,
    tokenIssued: c.tokenIssued,
    metadata: c.metadata,
    apiReads: c.apiReads,
    apiWrites: c.apiWrites,
    byRoute: c.byRoute,
  };
}
