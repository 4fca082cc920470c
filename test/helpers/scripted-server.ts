/**
 * A tiny HTTP server on 127.0.0.1 that plays a script: each request takes the next behaviour from a queue
 * (or the fallback), and every request is recorded, so tests can count what reached the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** The client's port: equal ports mean a reused (keep-alive) connection. */
  remotePort: number | undefined;
}

export type Behaviour =
  | { kind: "respond"; status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Destroy the socket as soon as the request line and headers arrive, before reading the body. */
  | { kind: "destroy-on-arrival" }
  /** Read the whole request body, then destroy the socket without answering. */
  | { kind: "destroy-after-body"; delayMs?: number }
  /** Send status, headers and part of the body, then destroy the socket or stall (never send the rest). */
  | { kind: "partial-body"; status: number; then: "destroy" | "stall" }
  /** Read the request and never answer (until the server closes). */
  | { kind: "hang" }
  | { kind: "dynamic"; fn: (req: RecordedRequest) => Behaviour };

export const respond = (status: number, body?: unknown, headers?: Record<string, string>, delayMs?: number): Behaviour => ({
  kind: "respond",
  status,
  ...(body !== undefined && { body }),
  ...(headers !== undefined && { headers }),
  ...(delayMs !== undefined && { delayMs }),
});
export const destroyOnArrival = (): Behaviour => ({ kind: "destroy-on-arrival" });
export const destroyAfterBody = (delayMs?: number): Behaviour =>
  delayMs === undefined ? { kind: "destroy-after-body" } : { kind: "destroy-after-body", delayMs };
export const partialBody = (then: "destroy" | "stall" = "destroy", status = 200): Behaviour => ({
  kind: "partial-body",
  status,
  then,
});
export const hang = (): Behaviour => ({ kind: "hang" });
export const dynamic = (fn: (req: RecordedRequest) => Behaviour): Behaviour => ({ kind: "dynamic", fn });

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Requests being handled now, and the most at once so far. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Appends behaviours to the script. */
  script(...behaviours: Behaviour[]): void;
  /** What requests get once the script is used up. Default `respond(200, {})`. */
  fallback: Behaviour;
  close(): Promise<void>;
}

export async function startScriptedServer(options: { port?: number } = {}): Promise<ScriptedServer> {
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const state = { fallback: respond(200, {}) as Behaviour };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    // Also emitted when the socket closes before the response ends.
    res.on("close", finish);

    let behaviour = queue.shift() ?? state.fallback;
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: "",
      remotePort: req.socket.remotePort,
    };
    requests.push(recorded);

    if (behaviour.kind === "destroy-on-arrival") {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      recorded.body = Buffer.concat(chunks).toString("utf8");
      while (behaviour.kind === "dynamic") behaviour = behaviour.fn(recorded);
      play(behaviour, req, res);
    });
  };

  const play = (b: Behaviour, req: IncomingMessage, res: ServerResponse) => {
    switch (b.kind) {
      case "respond": {
        const send = () => {
          const text = b.body === undefined ? "" : typeof b.body === "string" ? b.body : JSON.stringify(b.body);
          const headers: Record<string, string> = {
            ...(typeof b.body === "string" ? {} : { "content-type": "application/json" }),
            ...b.headers,
          };
          res.writeHead(b.status, headers);
          res.end(text);
        };
        if (b.delayMs) later(b.delayMs, send);
        else send();
        return;
      }
      case "destroy-after-body":
        if (b.delayMs) later(b.delayMs, () => req.socket.destroy());
        else req.socket.destroy();
        return;
      case "partial-body":
        res.writeHead(b.status, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"partial":', () => {
          if (b.then === "destroy") later(10, () => req.socket.destroy());
        });
        return;
      case "hang":
      case "destroy-on-arrival":
      case "dynamic":
        return;
    }
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    script: (...behaviours) => void queue.push(...behaviours),
    get fallback() {
      return state.fallback;
    },
    set fallback(b: Behaviour) {
      state.fallback = b;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (at the moment of return). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A clock whose time moves only when something sleeps on it; records every requested sleep. */
export interface FakeClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  readonly sleeps: number[];
  advance(ms: number): void;
}

/** `onSleep` runs inside each sleep (e.g. to start a server the next attempt will reach). */
export function fakeClock(start = Date.parse("2025-01-01T00:00:00Z"), onSleep?: (ms: number) => Promise<void> | void): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    // Sleeps are taken as if one after another: each moves time on by its own length.
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      // Yield first, so whatever was due "now" runs before time moves on.
      await new Promise<void>((resolve) => setImmediate(resolve));
      now += ms;
      await onSleep?.(ms);
      signal?.throwIfAborted();
    },
  };
}
