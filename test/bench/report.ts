/** The benchmark's tables and its targets, from a `BenchReport`. */
import { CRITICAL_PATH } from "./latency-bound";
import { PHASE_TITLES, PHASES } from "./phases";
import type { BenchReport } from "./run";
import { ratio, seconds, type Table } from "./table";

export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

/** Admin tokens live 120 s and are renewed 20 s before they expire: one per credential per 100 s of a phase. */
const TOKEN_RENEWAL_MS = 100_000;
/** A shared list read lives 5 s in the provider process. */
const SHARED_READ_TTL_MS = 5_000;

/** The bare engine's pace: A's time of these phases within this factor of B's (issue 18), at sizes from `SPEED_TARGET_FROM_N` on. */
export const SPEED_TARGET_RATIO = 1.25;
export const SPEED_TARGETED_PHASES = ["up", "preview", "noopUp", "destroy"] as const;
/** Below this size a phase is a few seconds, and the fixed cost of a run (CLI, program, provider start) and noise dominate. */
export const SPEED_TARGET_FROM_N = 200;
/** A's checkpoint per resource within this factor of B's, the do-nothing program with its natural state. */
export const STATE_TARGET_RATIO = 1.5;

/**
 * Admin tokens ask only for the scope an operation needs (provider/api/admin-scopes.ts), so a credential that reads
 * and writes holds two scope sets; an admin client that lacks the first alternative of a need (scopes.read before
 * scopes.write) costs one refused request more.
 */
const SCOPE_SETS_PER_CREDENTIAL = 2;
const REFUSED_ALTERNATIVES_PER_CREDENTIAL = 1;

function tokensAllowed(credentials: number, ms: number): number {
  return credentials * (SCOPE_SETS_PER_CREDENTIAL * Math.max(1, Math.ceil(ms / TOKEN_RENEWAL_MS)) + REFUSED_ALTERNATIVES_PER_CREDENTIAL);
}

/**
 * What a refresh of program A needs: the metadata, its tokens, one read of each list (the supplier's clients, the
 * owner's scopes, the grants of the one scope) again for each 5 s the refresh lasts, and one key read per client
 * with managed keys (`GET /clients/{id}/jwks`: Digdir's client list carries no keys).
 */
function refreshAllowed(credentials: number, ms: number, clientsWithKeys: number): number {
  return 1 + tokensAllowed(credentials, ms) + 3 * (1 + Math.floor(ms / SHARED_READ_TTL_MS)) + clientsWithKeys;
}

export function targets(report: BenchReport): Target[] {
  const credentials = report.settings.credentials;
  const result: Target[] = [];
  for (const size of report.sizes) {
    const { up, preview, noopUp, refresh } = size.phases;
    const latencyUp = size.latency?.up;
    const longest = Math.max(up.ms.A!, latencyUp?.ms ?? 0);
    const tokens = tokensAllowed(credentials, longest);
    const refreshMost = refreshAllowed(credentials, refresh.ms.A!, size.n);
    result.push(
      {
        name: `token requests per up, N=${size.n}`,
        target: `at most ${tokens} (a read and a write scope set per credential per 100 s, plus one refused alternative each; the up took ${seconds(longest)} s)`,
        measured: `${up.requests.token}${latencyUp ? ` (${latencyUp.requests.token} with latency)` : ""}`,
        met:
          up.requests.token <= tokensAllowed(credentials, up.ms.A!) &&
          (!latencyUp || latencyUp.requests.token <= tokensAllowed(credentials, latencyUp.ms)),
      },
      {
        name: `requests of a no-op preview and up, N=${size.n}`,
        target: "0 writes (and no reads)",
        measured: `${preview.requests.total} and ${noopUp.requests.total} requests, ${preview.requests.apiWrites + noopUp.requests.apiWrites} writes`,
        met: preview.requests.apiWrites + noopUp.requests.apiWrites === 0,
      },
      {
        name: `requests of a refresh of N=${size.n} clients (${size.resources} resources)`,
        target: `at most ${refreshMost} (1 metadata, its tokens, 3 list reads per 5 s, 1 key read per client)`,
        measured: `${refresh.requests.total} (${refresh.requests.apiReads} reads, ${refresh.requests.token} tokens, ${refresh.requests.metadata} metadata)`,
        met: refresh.requests.total <= refreshMost,
      },
    );
    const { A: stateA, B: stateB } = size.stateBytesPerResource;
    if (stateA !== undefined && stateB !== undefined) {
      result.push({
        name: `state per resource after up, N=${size.n}`,
        target: `within ${STATE_TARGET_RATIO}× of B's (${Math.round(stateB * STATE_TARGET_RATIO)} bytes)`,
        measured: `${stateA} bytes (${ratio(stateA / stateB)} of B's ${stateB})`,
        met: stateA <= stateB * STATE_TARGET_RATIO,
      });
    }
    if (size.n >= SPEED_TARGET_FROM_N) {
      for (const phase of SPEED_TARGETED_PHASES) {
        const { ms, ratio: aOverB } = size.phases[phase];
        result.push({
          name: `${PHASE_TITLES[phase]} against the bare engine, N=${size.n}`,
          target: `within ${SPEED_TARGET_RATIO}× of B`,
          measured: `${ratio(aOverB)} (${seconds(ms.A)} s and ${seconds(ms.B)} s)`,
          met: aOverB <= SPEED_TARGET_RATIO,
        });
      }
    }
  }
  return result;
}

export function economyTable(report: BenchReport): Table {
  const rows = report.sizes.flatMap((size) =>
    PHASES.map((phase) => {
      const r = size.phases[phase].requests;
      return [
        `N=${size.n} ${PHASE_TITLES[phase]}`,
        String(r.total),
        String(r.token),
        String(r.metadata),
        String(r.apiReads),
        String(r.apiWrites),
        (r.total / size.n).toFixed(2),
      ];
    }),
  );
  return {
    title: "Requests per phase (program A, counted by the simulator)",
    head: ["phase", "total", "token", "metadata", "API reads", "API writes", "per client"],
    rows,
  };
}

export function routesTable(report: BenchReport): Table {
  const largest = report.sizes[report.sizes.length - 1]!;
  const routes = [...new Set(PHASES.flatMap((phase) => Object.keys(largest.phases[phase].requests.byRoute)))].sort();
  return {
    title: `Requests per route, N=${largest.n}`,
    head: ["route", ...PHASES.map((p) => PHASE_TITLES[p])],
    rows: routes.map((route) => [route, ...PHASES.map((p) => String(largest.phases[p].requests.byRoute[route] ?? 0))]),
  };
}

export function speedTable(report: BenchReport): Table {
  const padded = report.sizes.some((s) => s.phases.up.ms["B′"] !== undefined);
  const rows = report.sizes.flatMap((size) =>
    PHASES.map((phase) => {
      const { ms, ratio: aOverB } = size.phases[phase];
      return [
        `N=${size.n} ${PHASE_TITLES[phase]}`,
        String(size.repeats),
        seconds(ms.A),
        seconds(size.phases[phase].inFlight.busyMs),
        seconds(ms.B),
        ratio(aOverB),
        ...(padded ? [seconds(ms["B′"]), ratio(ms["B′"] ? ms.A! / ms["B′"] : undefined)] : []),
      ];
    }),
  );
  return {
    title: "Wall time per phase, seconds (median of the cycles): A (this package) next to B (do-nothing dynamic resources), same run",
    head: ["phase", "cycles", "A", "of which requests in flight", "B", "A ÷ B", ...(padded ? ["B′", "A ÷ B′"] : [])],
    rows,
  };
}

export function stateTable(report: BenchReport): Table {
  return {
    title: "Stack state after up: the checkpoint file's bytes per resource",
    head: ["N", "A", "B", "A ÷ B", "B′", "padding of B′"],
    rows: report.sizes.map((s) => {
      const { A: a, B: b } = s.stateBytesPerResource;
      return [
        String(s.n),
        String(a ?? "–"),
        String(b ?? "–"),
        ratio(a !== undefined && b !== undefined ? a / b : undefined),
        String(s.stateBytesPerResource["B′"] ?? "–"),
        String(s.pad ?? "–"),
      ];
    }),
  };
}

export function stateByTypeTable(report: BenchReport): Table {
  const rows = report.sizes.flatMap((size) => {
    const a = size.stateBytesByType?.A ?? [];
    const b = new Map((size.stateBytesByType?.B ?? []).map((t) => [t.type, t.bytesPerResource]));
    return a.map((t) => {
      const bytesB = b.get(t.type);
      return [
        `N=${size.n}`,
        t.type,
        String(t.resources),
        String(t.bytesPerResource),
        String(bytesB ?? "–"),
        ratio(bytesB ? t.bytesPerResource / bytesB : undefined),
      ];
    });
  });
  return {
    title: "State per resource type after up: each resource's entry in the checkpoint, bytes (B's resource in the same role)",
    head: ["N", "type", "resources", "A", "B", "A ÷ B"],
    rows,
  };
}

export function latencyTable(report: BenchReport): Table {
  const rows = report.sizes.flatMap((size) =>
    size.latency
      ? PHASES.filter((p) => size.latency![p].requests.total > 0).map((phase) => {
          const l = size.latency![phase];
          return [
            `N=${size.n} ${PHASE_TITLES[phase]}`,
            String(l.requests.total),
            String(CRITICAL_PATH[phase].requests),
            seconds(l.withoutLatencyMs),
            seconds(l.ms),
            seconds(l.addedMs),
            seconds(l.boundMs),
            ratio(l.addedMs / l.boundMs),
            seconds(l.inFlight.busyMs),
            String(l.inFlight.maxInFlight),
          ];
        })
      : [],
  );
  return {
    title: `Program A with ${report.settings.latencyMs} ms added to every request, seconds`,
    head: [
      "phase",
      "requests",
      "chain",
      "A, no latency",
      "A, latency",
      "added",
      "lower bound",
      "added ÷ bound",
      "requests in flight",
      "most at once",
    ],
    rows,
  };
}

export function throughputTable(report: BenchReport): Table {
  return {
    title: "Simulator throughput on loopback (load generator in a separate process)",
    head: ["request", "connections", "requests", "requests/s", "p50 ms", "p99 ms"],
    rows: report.throughput.map((t) => [
      `${t.name} (${t.route})`,
      String(t.connections),
      String(t.requests),
      String(t.rps),
      String(t.p50Ms),
      String(t.p99Ms),
    ]),
  };
}

export function targetsTable(report: BenchReport): Table {
  return {
    title: "Targets",
    head: ["what", "target", "measured", "met"],
    rows: targets(report).map((t) => [t.name, t.target, t.measured, t.met ? "yes" : "NO"]),
  };
}

/** The highest request rate program A asked of the simulator in any phase, requests per second. */
export function peakDemand(report: BenchReport): number {
  let peak = 0;
  for (const size of report.sizes) {
    for (const phase of PHASES) {
      const { requests, ms } = size.phases[phase];
      if (ms.A) peak = Math.max(peak, requests.total / (ms.A / 1000));
    }
  }
  return Math.round(peak);
}

export function benchTables(report: BenchReport): Table[] {
  return [
    targetsTable(report),
    economyTable(report),
    routesTable(report),
    speedTable(report),
    stateTable(report),
    stateByTypeTable(report),
    latencyTable(report),
    throughputTable(report),
  ];
}
