/**
 * The HTTP transport of the Maskinporten API client: undici over one shared keep-alive Agent, a concurrency
 * and rate limit, and retries that never repeat a request that may already have taken effect.
 *
 * Contract:
 * - `request` resolves with the response for every HTTP status, also ≥ 400: the caller maps those with
 *   `apiErrorFrom`/`authErrorFrom`. Retryable statuses are retried first, and the last response is returned
 *   when retrying stops (its `gaveUp` says why).
 * - It rejects with `NetworkError` when no usable response arrived, with `ConfigError` for a URL that would
 *   send credentials in the clear.
 * - What is retried depends on `HttpRequest.retry`:
 *
 *   | failure                                        | idempotent | safe-before-send           | never    |
 *   |------------------------------------------------|------------|----------------------------|----------|
 *   | not connected (refused, connect timeout, EAI_AGAIN) | retried | retried                 | thrown   |
 *   | unknown host, TLS failure (configuration)      | thrown     | thrown                     | thrown   |
 *   | 429 (waits Retry-After within the deadline)    | retried    | retried                    | returned |
 *   | connection lost or timed out after sending     | retried    | thrown, outcome unknown    | thrown   |
 *   | 502, 503, 504                                  | retried    | thrown, outcome unknown    | returned |
 *   | any other status (500 included: it may have been processed) | returned | returned   | returned |
 *
 *   Retries use exponential backoff with full jitter, at most `maxAttempts` attempts, all within the
 *   request's deadline; a Retry-After longer than the time left ends the retries at once.
 * - `NetworkError.outcomeUnknown` is true when a request that is not idempotent may have reached the server.
 *   The caller must then find out whether it took effect (look the object up by its client-chosen id or
 *   natural key) before sending it again; the transport never does so blindly.
 * - A request holds one concurrency slot from its first attempt to its last, backoff included (a struggling
 *   server then sees fewer requests), and takes one rate token per attempt. Time spent queueing for the slot
 *   does not count against the deadline (thousands of queued resources would otherwise time out unsent);
 *   everything after it does. `signal` aborts at any stage.
 */
import type { Agent, Dispatcher } from "undici";
import { NetworkError, type NetworkErrorCode } from "./errors";
import { Limiter, LimiterClosedError, systemClock, type Clock } from "./limiter";
import { redact } from "./redact";
import { originOf, ServerClock } from "./server-time";
import { undici } from "./lazy-modules";
import { assertSecureUrl } from "./url-policy";

export const RETRY_MODES = ["idempotent", "safe-before-send", "never"] as const;
export type RetryMode = (typeof RETRY_MODES)[number];

/**
 * The retry mode a method has in this API: GET, HEAD, PUT and DELETE are idempotent; anything else (POST) is
 * `safe-before-send`. A POST that is idempotent in effect (POST /clients/{id}/jwks replaces the whole set)
 * may be sent as `idempotent` by a caller that knows it.
 */
export function defaultRetryMode(method: string): RetryMode {
  return ["GET", "HEAD", "PUT", "DELETE"].includes(method.toUpperCase()) ? "idempotent" : "safe-before-send";
}

export interface HttpRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /**
   * `idempotent`: GET, PUT, DELETE of this API; retried on every transient failure.
   * `safe-before-send`: retried only when the server certainly did not process it (not connected, 429).
   * `never`: sent once (e.g. a token request whose single-use assertion must be rebuilt to retry).
   */
  retry: RetryMode;
  /** Human name used in messages, e.g. "create client". */
  operation: string;
  signal?: AbortSignal;
  /** Total time for all attempts and backoff, from when the request got its concurrency slot. */
  deadlineMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, otherwise the text; undefined when empty. */
  body: unknown;
  /** From the body's `correlation_id` or a correlation/request id header. */
  correlationId?: string;
  attempts: number;
  method: string;
  url: string;
  /** Set when a retryable status is returned because retrying stopped; says why, for the error message. */
  gaveUp?: string;
}

interface EventBase {
  operation: string;
  method: string;
  /** Without user info; query included (this API puts no secrets there), redacted anyway. */
  url: string;
  attempt: number;
}
/** What the transport reports to `onEvent`. Never holds headers or bodies. */
export type HttpEvent =
  | (EventBase & { type: "request" })
  | (EventBase & { type: "response"; status: number; durationMs: number; correlationId?: string })
  | (EventBase & { type: "network-error"; code: string; possiblySent: boolean; durationMs: number })
  | (EventBase & { type: "retry"; reason: string; delayMs: number })
  | (EventBase & { type: "give-up"; reason: string });

export interface HttpTransportOptions {
  /** Time to establish a TCP/TLS connection. Default 5 s. */
  connectTimeoutMs?: number;
  /** Time from sending to the complete response headers. Default 15 s. */
  headersTimeoutMs?: number;
  /** Longest gap between chunks of the response body. Default 15 s. */
  bodyTimeoutMs?: number;
  /** Default total deadline per request (attempts and backoff). Default 30 s. */
  deadlineMs?: number;
  /** Most attempts per request. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt (full jitter). Default 500 ms. */
  baseDelayMs?: number;
  /** Highest backoff ceiling. Retry-After is not capped by it, only by the deadline. Default 8 s. */
  maxDelayMs?: number;
  /** Most requests in flight from this transport. Default 8. Ignored when `limiter` is given. */
  maxConcurrency?: number;
  /** Most request attempts started per second; default no cap. Ignored when `limiter` is given. */
  requestsPerSecond?: number;
  /** A limiter shared with other transports; not closed by `close()`. */
  limiter?: Limiter;
  /** Largest response body accepted. Default 32 MiB (GET /clients is not paginated). */
  maxResponseBytes?: number;
  userAgent?: string;
  /** Replaces the shared Agent (tests, proxies). Not closed by `close()`. */
  dispatcher?: Dispatcher;
  onEvent?: (event: HttpEvent) => void;
  /**
   * Awaited before every attempt of a request that is not a GET or HEAD; what it throws ends the request
   * unsent. The provider uses it to stop writing once the Pulumi engine that started it is gone.
   */
  beforeWrite?: (write: { method: string; operation: string }) => Promise<void>;
  /** Random number in [0, 1) for jitter. */
  random?: () => number;
  clock?: Clock;
}

export const HTTP_DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  deadlineMs: 30_000,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxConcurrency: 8,
  maxResponseBytes: 32 * 1024 * 1024,
  userAgent: "pulumi-maskinporten",
} as const;

// ---------------------------------------------------------------------------------------------------------
// The shared Agent: one per process (per connect timeout, which undici only takes per Agent), created on
// first use and closed when its last transport closes. Never built at module scope, so Pulumi's closure
// serializer cannot capture it.

interface SharedAgent {
  agent: Agent;
  users: number;
}
let sharedAgents: Map<number, SharedAgent> | undefined;

function acquireSharedAgent(connectTimeoutMs: number): Agent {
  sharedAgents ??= new Map();
  let entry = sharedAgents.get(connectTimeoutMs);
  if (!entry) {
    entry = {
      agent: new (undici().Agent)({
        connect: { timeout: connectTimeoutMs },
        // undici's default; it also honours the server's Keep-Alive hint. A longer idle time would risk
        // reusing a socket the server already closed, which turns a POST into an unknown outcome.
        keepAliveTimeout: 4_000,
        // No pipelining: a failure then belongs to exactly one request.
        pipelining: 1,
      }),
      users: 0,
    };
    sharedAgents.set(connectTimeoutMs, entry);
  }
  entry.users++;
  return entry.agent;
}

async function releaseSharedAgent(connectTimeoutMs: number): Promise<void> {
  const entry = sharedAgents?.get(connectTimeoutMs);
  if (!entry) return;
  if (--entry.users > 0) return;
  sharedAgents?.delete(connectTimeoutMs);
  await entry.agent.close();
}

/** Number of live shared Agents (for tests). */
export function sharedAgentCount(): number {
  return sharedAgents?.size ?? 0;
}

// ---------------------------------------------------------------------------------------------------------

type Attempt = { kind: "response"; response: HttpResponse } | { kind: "error"; error: unknown; deadlineHit: boolean; aborted: boolean };

interface Classified {
  code: NetworkErrorCode;
  /** The request may have been (partly) written: retry only if idempotent. */
  possiblySent: boolean;
  /** Worth another attempt at all. */
  transient: boolean;
  detail: string;
}

const NOT_CONNECTED: Record<string, NetworkErrorCode> = {
  ECONNREFUSED: "CONNECTION_REFUSED",
  UND_ERR_CONNECT_TIMEOUT: "CONNECT_TIMEOUT",
  EAI_AGAIN: "DNS_FAILURE",
  EHOSTUNREACH: "CONNECT_TIMEOUT",
  ENETUNREACH: "CONNECT_TIMEOUT",
  ENETDOWN: "CONNECT_TIMEOUT",
};

const AFTER_SEND: Record<string, NetworkErrorCode> = {
  UND_ERR_HEADERS_TIMEOUT: "HEADERS_TIMEOUT",
  UND_ERR_BODY_TIMEOUT: "BODY_TIMEOUT",
  UND_ERR_SOCKET: "CONNECTION_LOST",
  ECONNRESET: "CONNECTION_LOST",
  EPIPE: "CONNECTION_LOST",
  ETIMEDOUT: "CONNECTION_LOST",
  ECONNABORTED: "CONNECTION_LOST",
  UND_ERR_CLOSED: "CONNECTION_LOST",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "CONNECTION_LOST",
};

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === "string") return e.code;
  // Node's happy-eyeballs connect fails with an AggregateError of the per-address errors.
  if (Array.isArray(e.errors)) return errorCode(e.errors[0]);
  return errorCode(e.cause);
}

function classify(err: unknown): Classified {
  const raw = errorCode(err);
  if (raw === "RESPONSE_TOO_LARGE") {
    return { code: "RESPONSE_TOO_LARGE", possiblySent: true, transient: false, detail: "" };
  }
  if (raw === undefined) return { code: "NETWORK_ERROR", possiblySent: true, transient: false, detail: "" };
  const notConnected = NOT_CONNECTED[raw];
  if (notConnected) return { code: notConnected, possiblySent: false, transient: true, detail: raw };
  if (raw === "ENOTFOUND") return { code: "DNS_FAILURE", possiblySent: false, transient: false, detail: raw };
  if (/^(ERR_TLS_|ERR_SSL_)|CERT|^EPROTO$/.test(raw)) {
    return { code: "TLS_FAILURE", possiblySent: false, transient: false, detail: raw };
  }
  const afterSend = AFTER_SEND[raw];
  if (afterSend) return { code: afterSend, possiblySent: true, transient: true, detail: raw };
  if (raw.startsWith("HPE_")) return { code: "CONNECTION_LOST", possiblySent: true, transient: true, detail: raw };
  return { code: "NETWORK_ERROR", possiblySent: true, transient: false, detail: raw };
}

/** Milliseconds to wait from a Retry-After value (delta-seconds or HTTP-date), or undefined if unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form starts with a day name; this also keeps Date.parse from reading "-5" as a year.
  const at = /^[A-Za-z]{3}/.test(v) ? Date.parse(v) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const GATEWAY_STATUSES = new Set([502, 503, 504]);

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

type FailExtra = Partial<ConstructorParameters<typeof NetworkError>[0]>;

/** setTimeout fires at once for delays beyond 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class TooLargeError extends Error {
  readonly code = "RESPONSE_TOO_LARGE";
}

export class HttpTransport {
  private readonly opts: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    deadlineMs: number;
    maxAttempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    maxResponseBytes: number;
    userAgent: string;
  };
  private readonly limiter: Limiter;
  private readonly ownsLimiter: boolean;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly onEvent: ((event: HttpEvent) => void) | undefined;
  private readonly beforeWrite: HttpTransportOptions["beforeWrite"];
  private readonly injectedDispatcher: Dispatcher | undefined;
  private agent: Dispatcher | undefined;
  private closed = false;
  /** The time of each server this transport talks to, from the `Date` header of every response. */
  readonly serverClock = new ServerClock();
  /** Aborted by `close()`: stops queue waits, backoff sleeps and requests in flight. */
  private readonly closing = new AbortController();

  constructor(options: HttpTransportOptions = {}) {
    const d = HTTP_DEFAULTS;
    this.opts = {
      connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? d.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? d.bodyTimeoutMs,
      deadlineMs: options.deadlineMs ?? d.deadlineMs,
      maxAttempts: options.maxAttempts ?? d.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? d.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? d.maxDelayMs,
      maxResponseBytes: options.maxResponseBytes ?? d.maxResponseBytes,
      userAgent: options.userAgent ?? d.userAgent,
    };
    for (const [key, value] of Object.entries(this.opts)) {
      if (typeof value === "number" && !(value >= 0 && Number.isFinite(value))) {
        throw new RangeError(`HttpTransport option ${key} must be a finite number ≥ 0, got ${value}`);
      }
    }
    if (this.opts.maxAttempts < 1) throw new RangeError("HttpTransport option maxAttempts must be ≥ 1");
    this.clock = options.clock ?? systemClock();
    this.random = options.random ?? Math.random;
    this.onEvent = options.onEvent;
    this.beforeWrite = options.beforeWrite;
    this.injectedDispatcher = options.dispatcher;
    this.ownsLimiter = !options.limiter;
    this.limiter =
      options.limiter ??
      new Limiter({
        maxConcurrency: options.maxConcurrency ?? HTTP_DEFAULTS.maxConcurrency,
        ...(options.requestsPerSecond !== undefined && { requestsPerSecond: options.requestsPerSecond }),
        clock: this.clock,
      });
  }

  /** Sends `req`, retrying as its `retry` mode allows. See the module comment for the contract. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    if (!RETRY_MODES.includes(req.retry)) {
      throw new TypeError(`${req.operation}: retry must be one of ${RETRY_MODES.join(", ")}, got ${String(req.retry)}`);
    }
    const method = req.method.toUpperCase();
    const url = assertSecureUrl(req.url, `the URL of "${req.operation}"`);
    const path = `${url.pathname}${url.search}`;
    const fail = (code: NetworkErrorCode, attempts: number, outcomeUnknown: boolean, extra?: FailExtra) =>
      new NetworkError({ code, operation: req.operation, attempts, outcomeUnknown, method, path, ...extra });
    if (this.closed) throw fail("CLOSED", 0, false);
    const { headers, body } = this.encode(req);
    const { signal, unlink } = linkSignals(req.signal, this.closing.signal);
    const stopped = (err: unknown, attempts: number) =>
      fail(this.closed || err instanceof LimiterClosedError ? "CLOSED" : "ABORTED", attempts, false, { cause: err });

    let release: () => void = () => {};
    try {
      try {
        release = await this.limiter.acquire(signal);
      } catch (err) {
        throw stopped(err, 0);
      }
      const startedAt = this.clock.now();
      const deadlineMs = req.deadlineMs ?? this.opts.deadlineMs;
      const deadlineAt = startedAt + deadlineMs;
      const base: Omit<EventBase, "attempt"> = { operation: req.operation, method, url: redact(url.href) };
      const notIdempotent = req.retry !== "idempotent";

      for (let attempt = 1; ; attempt++) {
        try {
          await this.limiter.rate(signal);
        } catch (err) {
          throw stopped(err, attempt - 1);
        }
        const remaining = deadlineAt - this.clock.now();
        if (remaining <= 0) {
          throw fail("DEADLINE_EXCEEDED", attempt - 1, false, { detail: `${seconds(deadlineMs)} deadline` });
        }

        if (this.beforeWrite && method !== "GET" && method !== "HEAD") await this.beforeWrite({ method, operation: req.operation });
        this.emit({ ...base, attempt, type: "request" });
        const sentAt = this.clock.now();
        const result = await this.attempt(url, method, headers, body, signal, remaining, attempt);
        const durationMs = this.clock.now() - sentAt;

        // Decide: return, throw, or wait `delay` and go again.
        let delay: number;
        let reason: string;
        if (result.kind === "response") {
          const res = result.response;
          this.emit({
            ...base,
            attempt,
            type: "response",
            status: res.status,
            durationMs,
            ...(res.correlationId !== undefined && { correlationId: res.correlationId }),
          });
          const gateway = GATEWAY_STATUSES.has(res.status);
          if (req.retry === "never" || !(res.status === 429 || gateway)) return res;
          if (gateway && req.retry === "safe-before-send") {
            this.emit({ ...base, attempt, type: "give-up", reason: `HTTP ${res.status} after sending` });
            throw fail("GATEWAY_ERROR", attempt, true, { status: res.status, detail: `HTTP ${res.status}` });
          }
          const retryAfter = parseRetryAfter(res.headers["retry-after"], this.clock.now());
          const left = deadlineAt - this.clock.now();
          let gaveUp: string | undefined;
          if (retryAfter !== undefined && retryAfter > left) {
            gaveUp =
              `The server asked to wait ${seconds(retryAfter)} (Retry-After), more than the ` +
              `${seconds(Math.max(0, left))} left of the request's ${seconds(deadlineMs)} deadline`;
          } else if (attempt >= this.opts.maxAttempts) {
            gaveUp = `Gave up after ${attempt} attempts`;
          }
          delay = retryAfter ?? this.backoff(attempt);
          if (!gaveUp && delay >= left) {
            const tries = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
            gaveUp = `Gave up after ${tries}: the next would pass the ${seconds(deadlineMs)} deadline`;
          }
          if (gaveUp) {
            this.emit({ ...base, attempt, type: "give-up", reason: gaveUp });
            return { ...res, gaveUp };
          }
          reason = `HTTP ${res.status}`;
        } else {
          const c = classify(result.error);
          const possiblySent = c.possiblySent;
          this.emit({ ...base, attempt, type: "network-error", code: c.detail || c.code, possiblySent, durationMs });
          const outcomeUnknown = possiblySent && notIdempotent;
          if (result.aborted) {
            throw fail(this.closed ? "CLOSED" : "ABORTED", attempt, outcomeUnknown, { cause: result.error });
          }
          if (result.deadlineHit) {
            throw fail("DEADLINE_EXCEEDED", attempt, outcomeUnknown, {
              detail: `${seconds(deadlineMs)} deadline`,
              cause: result.error,
            });
          }
          const retryable = req.retry !== "never" && c.transient && (!possiblySent || req.retry === "idempotent");
          delay = this.backoff(attempt);
          let stop: string | undefined;
          if (retryable && attempt >= this.opts.maxAttempts) stop = `the last of ${attempt} attempts`;
          else if (retryable && delay >= deadlineAt - this.clock.now()) {
            stop = `the next attempt would pass the ${seconds(deadlineMs)} deadline`;
          }
          if (!retryable || stop) {
            if (stop) this.emit({ ...base, attempt, type: "give-up", reason: stop });
            throw fail(c.code, attempt, outcomeUnknown, {
              detail: [c.detail, stop].filter(Boolean).join("; "),
              cause: result.error,
            });
          }
          reason = c.detail || c.code;
        }

        this.emit({ ...base, attempt, type: "retry", reason, delayMs: delay });
        try {
          await this.clock.sleep(delay, signal);
          signal.throwIfAborted();
        } catch (err) {
          throw stopped(err, attempt);
        }
      }
    } finally {
      release();
      unlink();
    }
  }

  /** Milliseconds since the epoch at the server of `url` (see `ServerClock`); the local clock until it answered. */
  serverTime(url?: string | URL): number {
    return this.serverClock.now(url === undefined ? undefined : originOf(url));
  }

  /**
   * Stops the transport: rejects queued and later requests and aborts those in flight (their callers get
   * `NetworkError` code CLOSED), then releases the shared Agent (closed when no transport uses it).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsLimiter) this.limiter.close();
    this.closing.abort();
    if (this.agent && !this.injectedDispatcher) {
      this.agent = undefined;
      await releaseSharedAgent(this.opts.connectTimeoutMs);
    }
  }

  private dispatcher(): Dispatcher {
    if (this.injectedDispatcher) return this.injectedDispatcher;
    return (this.agent ??= acquireSharedAgent(this.opts.connectTimeoutMs));
  }

  /** Full jitter: uniform in [0, min(maxDelay, base · 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }

  private encode(req: HttpRequest): { headers: Record<string, string>; body: string | undefined } {
    if (req.json !== undefined && req.form !== undefined) {
      throw new TypeError(`${req.operation}: give either json or form, not both`);
    }
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.opts.userAgent };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(req.form).toString();
    }
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    return { headers, body };
  }

  private emit(event: HttpEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(event);
    } catch {
      // A logging hook must not break a request.
    }
  }

  private async attempt(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
    remainingMs: number,
    attempt: number,
  ): Promise<Attempt> {
    const ctl = new AbortController();
    let deadlineHit = false;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      ctl.abort();
    };
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    // Real time, whatever the injected clock: it bounds real I/O.
    const timer = setTimeout(
      () => {
        deadlineHit = true;
        ctl.abort();
      },
      Math.min(remainingMs, MAX_TIMER_MS),
    );
    try {
      const res = await undici().request(url, {
        dispatcher: this.dispatcher(),
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body !== undefined && { body }),
        signal: ctl.signal,
        headersTimeout: this.opts.headersTimeoutMs,
        bodyTimeout: this.opts.bodyTimeoutMs,
      });
      const text = await this.readBody(res);
      const responseHeaders = normalizeHeaders(res.headers);
      this.serverClock.observe(url.origin, responseHeaders);
      const parsed = parseBody(text, responseHeaders["content-type"]);
      const correlationId = correlationIdOf(parsed, responseHeaders);
      return {
        kind: "response",
        response: {
          status: res.statusCode,
          headers: responseHeaders,
          body: parsed,
          ...(correlationId !== undefined && { correlationId }),
          attempts: attempt,
          method,
          url: url.href,
        },
      };
    } catch (error) {
      return { kind: "error", error, deadlineHit, aborted };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  private async readBody(res: Dispatcher.ResponseData): Promise<string> {
    const max = this.opts.maxResponseBytes;
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) {
      res.body.destroy();
      throw new TooLargeError(`response of ${declared} bytes exceeds ${max}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > max) {
        res.body.destroy();
        throw new TooLargeError(`response exceeds ${max} bytes`);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
}

/** A signal that aborts when any of `sources` does; `unlink` removes its listeners (sources may live long). */
function linkSignals(...sources: (AbortSignal | undefined)[]): { signal: AbortSignal; unlink: () => void } {
  const ctl = new AbortController();
  const live = sources.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => ctl.abort((event.target as AbortSignal).reason);
  for (const s of live) {
    if (s.aborted) {
      ctl.abort(s.reason);
      break;
    }
    s.addEventListener("abort", onAbort);
  }
  return { signal: ctl.signal, unlink: () => live.forEach((s) => s.removeEventListener("abort", onAbort)) };
}

function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return undefined;
  const looksJson = /^\s*[[{]/.test(text);
  if ((contentType && /\bjson\b/i.test(contentType)) || looksJson) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

const CORRELATION_HEADERS = ["x-correlation-id", "correlation-id", "x-request-id", "request-id"];

function correlationIdOf(body: unknown, headers: Record<string, string>): string | undefined {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const id = (body as Record<string, unknown>)["correlation_id"];
    if (typeof id === "string" && id) return id;
  }
  for (const name of CORRELATION_HEADERS) {
    const id = headers[name];
    if (id) return id;
  }
  return undefined;
}
