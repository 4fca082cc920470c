/**
 * Seeded random faults for one engine run of the soak. Every rule has a `count`, so the faults are spent
 * after a few hits and re-running the operation converges; which requests they hit depends on the engine's
 * scheduling, the rules themselves (and the simulator's draws, seeded too) on the seed alone.
 */
import type { FaultRule } from "../../simulator/types";

export type FaultLabel = "latency spike" | "429 + Retry-After" | "500" | "502" | "503" | "connection reset" | "drop after commit";

const API = "/api/v1/*";
const TOKEN = "/token";

function between(random: () => number, low: number, high: number): number {
  return low + random() * (high - low);
}

function oneOf<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const MAKERS: Record<FaultLabel, (random: () => number) => FaultRule> = {
  "latency spike": (r) => ({
    kind: "latency",
    path: API,
    latencyMs: Math.round(between(r, 300, 2000)),
    probability: between(r, 0.1, 0.3),
    count: 5,
  }),
  "429 + Retry-After": (r) => ({
    kind: "status",
    status: 429,
    retryAfterSeconds: 1,
    path: oneOf(r, [API, API, TOKEN]),
    probability: between(r, 0.1, 0.3),
    count: oneOf(r, [1, 2, 3]),
  }),
  "500": (r) => ({ kind: "status", status: 500, path: API, probability: between(r, 0.05, 0.2), count: oneOf(r, [1, 2]) }),
  "502": (r) => ({
    kind: "status",
    status: 502,
    path: oneOf(r, [API, API, TOKEN]),
    probability: between(r, 0.05, 0.2),
    count: oneOf(r, [1, 2]),
  }),
  "503": (r) => ({ kind: "status", status: 503, path: API, probability: between(r, 0.05, 0.2), count: oneOf(r, [1, 2]) }),
  "connection reset": (r) => ({
    kind: "reset",
    path: oneOf(r, [API, API, TOKEN]),
    probability: between(r, 0.05, 0.2),
    count: oneOf(r, [1, 2]),
  }),
  "drop after commit": (r) => ({
    kind: "drop-after-commit",
    method: oneOf(r, ["POST", "PUT", "DELETE", undefined]),
    path: oneOf(r, [API, API, API, TOKEN]),
    probability: between(r, 0.1, 0.4),
    count: oneOf(r, [1, 2]),
  }),
};

export const FAULT_LABELS = Object.keys(MAKERS) as FaultLabel[];

export interface PlannedFault {
  label: FaultLabel;
  rule: FaultRule;
}

/** One to three fault rules of distinct kinds, from the seeded generator. */
export function faultPlan(random: () => number): PlannedFault[] {
  const count = 1 + Math.floor(random() * 3);
  const labels = shuffled(random, FAULT_LABELS).slice(0, count);
  return labels.map((label) => {
    const rule = MAKERS[label](random);
    if (rule.method === undefined) delete rule.method;
    return { label, rule };
  });
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** What the simulator logged for a request a fault hit, in the plan's words. */
export function labelOfHit(entry: { fault?: string; status: number }): FaultLabel | undefined {
  switch (entry.fault) {
    case "latency":
      return "latency spike";
    case "reset":
      return "connection reset";
    case "drop-after-commit":
      return "drop after commit";
    case "status":
      return entry.status === 429 ? "429 + Retry-After" : (String(entry.status) as FaultLabel);
    default:
      return undefined;
  }
}
