/**
 * How long the simulator in this process had requests in flight, and how many at most, from Node's HTTP
 * server diagnostics channels: the share of a phase's wall time that waits on the API, whatever the engine
 * does meanwhile. The simulator's own `/__sim/` hooks are left out.
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";

export interface InFlightTotals {
  /** Time with at least one request in flight. */
  busyMs: number;
  maxInFlight: number;
}

const counted = new WeakSet<IncomingMessage>();
let inFlight = 0;
let max = 0;
let busyMs = 0;
let lastChange = 0;
let listening = false;

function advance(): void {
  const now = performance.now();
  if (inFlight > 0) busyMs += now - lastChange;
  lastChange = now;
}

function listen(): void {
  if (listening) return;
  listening = true;
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    if (request.url?.startsWith("/__sim")) return;
    counted.add(request);
    advance();
    inFlight++;
    max = Math.max(max, inFlight);
  });
  subscribe("http.server.response.finish", (message) => {
    const { request } = message as { request: IncomingMessage };
    if (!counted.delete(request)) return;
    advance();
    inFlight--;
  });
}

/** Starts counting afresh; call `read` at the end of what is measured. */
export function resetInFlight(): void {
  listen();
  advance();
  busyMs = 0;
  max = inFlight;
}

export function readInFlight(): InFlightTotals {
  advance();
  return { busyMs, maxInFlight: max };
}
