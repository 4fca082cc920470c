/**
 * Fault injection: rules match requests by method and path, fire with a probability drawn from a seeded
 * generator (so runs reproduce) and at most `count` times. Latency rules add up; the first terminal rule
 * that fires (status, reset, drop-after-commit) decides what happens to the request.
 */
import type { FaultKind, FaultRule, FaultRuleState } from "./types";

const KINDS: readonly FaultKind[] = ["latency", "status", "reset", "drop-after-commit"];
const STATUSES = [429, 500, 502, 503, 504];

export interface FaultDecision {
  latencyMs: number;
  /** The terminal rule that fired, if any. */
  terminal?: FaultRuleState;
  /** Kinds of all rules that fired, for the log. */
  fired: FaultKind[];
}

/** mulberry32: small, fast and good enough for test probabilities. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A problem with a rule, or undefined when it is valid. */
export function faultRuleProblem(rule: unknown): string | undefined {
  if (typeof rule !== "object" || rule === null) return "a fault rule must be an object";
  const r = rule as Record<string, unknown>;
  if (!KINDS.includes(r["kind"] as FaultKind)) return `kind must be one of ${KINDS.join(", ")}`;
  if (r["method"] !== undefined && typeof r["method"] !== "string") return "method must be a string";
  if (r["path"] !== undefined && (typeof r["path"] !== "string" || !r["path"].startsWith("/")))
    return "path must be a string starting with /";
  if (r["kind"] === "latency" && !(typeof r["latencyMs"] === "number" && r["latencyMs"] >= 0)) return "latency rules need latencyMs >= 0";
  if (r["kind"] === "status" && !STATUSES.includes(r["status"] as number)) return `status rules need status ${STATUSES.join(", ")}`;
  if (r["retryAfterSeconds"] !== undefined && !(typeof r["retryAfterSeconds"] === "number" && r["retryAfterSeconds"] >= 0))
    return "retryAfterSeconds must be a number >= 0";
  const p = r["probability"];
  if (p !== undefined && !(typeof p === "number" && p >= 0 && p <= 1)) return "probability must be between 0 and 1";
  const c = r["count"];
  if (c !== undefined && !(typeof c === "number" && Number.isInteger(c) && c >= 1)) return "count must be a whole number >= 1";
  return undefined;
}

function pathMatcher(pattern: string | undefined): (path: string) => boolean {
  if (pattern === undefined) return () => true;
  if (!pattern.includes("*")) return (path) => path.startsWith(pattern);
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return (path) => re.test(path);
}

interface CompiledRule {
  state: FaultRuleState;
  matches: (method: string, path: string) => boolean;
}

export class FaultInjector {
  private rules: CompiledRule[] = [];
  private random: () => number;
  private nextId = 1;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule): FaultRuleState {
    const problem = faultRuleProblem(rule);
    if (problem) throw new Error(problem);
    const state: FaultRuleState = { ...rule, id: `fault-${this.nextId++}`, hits: 0 };
    const method = rule.method?.toUpperCase();
    const matchPath = pathMatcher(rule.path);
    this.rules.push({ state, matches: (m, p) => (method === undefined || method === m) && matchPath(p) });
    return state;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.state.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRuleState[] {
    return this.rules.map((r) => ({ ...r.state }));
  }

  decide(method: string, path: string): FaultDecision | undefined {
    if (this.rules.length === 0) return undefined;
    let decision: FaultDecision | undefined;
    for (const rule of this.rules) {
      const { state } = rule;
      if (state.count !== undefined && state.hits >= state.count) continue;
      if (!rule.matches(method, path)) continue;
      if (decision?.terminal && state.kind !== "latency") continue;
      if (state.probability !== undefined && this.random() >= state.probability) continue;
      state.hits++;
      decision ??= { latencyMs: 0, fired: [] };
      decision.fired.push(state.kind);
      if (state.kind === "latency") decision.latencyMs += state.latencyMs ?? 0;
      else decision.terminal = state;
    }
    return decision;
  }
}
