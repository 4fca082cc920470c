/**
 * The least time a phase can take when every request takes `latencyMs`, given the requests this package
 * makes:
 *
 *   bound = latency × max(critical path, requests ÷ concurrency)
 *
 * - critical path: the longest chain of requests where each waits for the one before (below, per phase);
 * - requests ÷ concurrency: at most `concurrency` requests are in flight at once (the provider's transport
 *   allows 8, and the engine runs 8 resource operations at a time by default), each taking `latencyMs`.
 *
 * Either alone is a lower bound, so their maximum is too. Latency also overlaps with the engine's own work,
 * so a phase can add less than the bound to its time without latency; it cannot take less than the bound.
 */
import type { Phase } from "./phases";

/** Longest chain of dependent requests per phase of program A, with what the links are. */
export const CRITICAL_PATH: Record<Phase, { requests: number; chain: string }> = {
  up: {
    requests: 10,
    chain:
      "metadata → owner token → scope lookup → scope POST → grant PUT → supplier token → client POST → " +
      "JWKS GET → JWKS POST → JWKS GET (read back)",
  },
  preview: { requests: 0, chain: "no requests" },
  noopUp: { requests: 0, chain: "no requests" },
  refresh: { requests: 3, chain: "metadata → token → one shared list read (clients, scopes or grants)" },
  destroy: {
    requests: 9,
    chain: "metadata → supplier token → JWKS GET → JWKS DELETE → JWKS GET → client DELETE → owner token → grant DELETE → scope DELETE",
  },
};

export function latencyBoundMs(phase: Phase, requests: number, latencyMs: number, concurrency: number): number {
  return latencyMs * Math.max(CRITICAL_PATH[phase].requests, requests / concurrency);
}
