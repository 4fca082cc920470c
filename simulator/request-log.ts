/**
 * Every request the simulator served (except its own `/__sim/` hooks, portal edits aside), with counters
 * kept exact even when old entries are dropped to bound memory.
 */
import type { RequestCounters, RequestKind, RequestLogEntry } from "./types";

export function emptyCounters(): RequestCounters {
  return {
    total: 0,
    token: 0,
    tokenIssued: 0,
    apiReads: 0,
    apiWrites: 0,
    metadata: 0,
    portal: 0,
    exchange: 0,
    faults: 0,
    byRoute: {},
    byStatus: {},
  };
}

export interface LogQuery {
  /** Only entries with a larger seq. */
  since?: number;
  kind?: RequestKind;
  limit?: number;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private counters = emptyCounters();

  constructor(private readonly limit = 100_000) {}

  record(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    const c = this.counters;
    c.total++;
    if (full.fault) c.faults++;
    switch (full.kind) {
      case "token":
        c.token++;
        if (full.status === 200) c.tokenIssued++;
        break;
      case "api":
        if (full.method === "GET") c.apiReads++;
        else c.apiWrites++;
        break;
      default:
        c[full.kind]++;
    }
    const route = `${full.method} ${full.route}`;
    c.byRoute[route] = (c.byRoute[route] ?? 0) + 1;
    const status = String(full.status);
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    return full;
  }

  query(q: LogQuery = {}): RequestLogEntry[] {
    let result = this.entries;
    if (q.since !== undefined) {
      const since = q.since;
      result = result.filter((e) => e.seq > since);
    }
    if (q.kind !== undefined) result = result.filter((e) => e.kind === q.kind);
    if (q.limit !== undefined) result = result.slice(-q.limit);
    return result;
  }

  snapshotCounters(): RequestCounters {
    const c = this.counters;
    return { ...c, byRoute: { ...c.byRoute }, byStatus: { ...c.byStatus } };
  }

  /** The seq of the last entry, so a test can ask for what happened after a point. */
  get lastSeq(): number {
    return this.seq;
  }

  reset(): void {
    this.entries = [];
    this.counters = emptyCounters();
  }
}
