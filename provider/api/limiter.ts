/**
 * Keeps a process from hammering Digdir: at most `maxConcurrency` requests in flight, and optionally at most
 * `requestsPerSecond` request starts per second. Both queues are FIFO, cost O(1) per waiter (thousands of
 * queued callers are fine) and abortable.
 */
import { setTimeout as delay } from "node:timers/promises";

/** Time, injectable for tests. `sleep` must reject (or resolve early) when `signal` aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
  };
}

export interface LimiterOptions {
  /** Most requests in flight at once. Default 8. */
  maxConcurrency?: number;
  /** Most request starts per second; undefined or 0 for no cap. */
  requestsPerSecond?: number;
  /** Starts allowed back to back before the rate applies. Default 1: evenly spaced. */
  burst?: number;
  clock?: Clock;
}

/** Thrown to waiters when the limiter is closed. */
export class LimiterClosedError extends Error {
  constructor() {
    super("the request limiter was closed");
    this.name = "LimiterClosedError";
  }
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  done: boolean;
  cleanup: () => void;
}

/** A FIFO of waiters with lazy removal of cancelled ones. */
class WaitQueue {
  private items: (Waiter | undefined)[] = [];
  private head = 0;
  live = 0;

  push(w: Waiter): void {
    this.items.push(w);
    this.live++;
  }

  /** The oldest waiter still waiting, without removing it. */
  peek(): Waiter | undefined {
    while (this.head < this.items.length) {
      const w = this.items[this.head];
      if (w && !w.done) return w;
      this.items[this.head++] = undefined;
    }
    this.compact();
    return undefined;
  }

  shift(): Waiter | undefined {
    const w = this.peek();
    if (w) {
      this.items[this.head++] = undefined;
      this.live--;
      this.compact();
    }
    return w;
  }

  /** Marks a waiter as gone; it is skipped when it reaches the head. */
  cancel(w: Waiter): void {
    if (!w.done) {
      w.done = true;
      this.live--;
    }
  }

  drain(): Waiter[] {
    const out = this.items.slice(this.head).filter((w): w is Waiter => !!w && !w.done);
    this.items = [];
    this.head = 0;
    this.live = 0;
    return out;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

export class Limiter {
  readonly maxConcurrency: number;
  readonly requestsPerSecond: number | undefined;
  private readonly burst: number;
  private readonly clock: Clock;
  private active = 0;
  private readonly slots = new WaitQueue();
  private readonly tokens = new WaitQueue();
  /** Theoretical arrival time of the next start (GCRA); starts may run up to `burst - 1` intervals ahead of it. */
  private tat = Number.NEGATIVE_INFINITY;
  private pumping = false;
  private closed = false;
  private readonly pumpAbort = new AbortController();

  constructor(options: LimiterOptions = {}) {
    const max = options.maxConcurrency ?? 8;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxConcurrency must be an integer ≥ 1, got ${max}`);
    const rps = options.requestsPerSecond;
    if (rps !== undefined && (!Number.isFinite(rps) || rps < 0)) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${rps}`);
    }
    const burst = options.burst ?? 1;
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be an integer ≥ 1, got ${burst}`);
    this.maxConcurrency = max;
    this.requestsPerSecond = rps ? rps : undefined;
    this.burst = burst;
    this.clock = options.clock ?? systemClock();
  }

  /** Requests holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a slot or a rate token. */
  get queued(): number {
    return this.slots.live + this.tokens.live;
  }

  /**
   * Waits for a concurrency slot, in arrival order. Resolves to its release function (calling it more than
   * once is harmless). Rejects with the signal's reason when aborted while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    this.assertOpen();
    signal?.throwIfAborted();
    if (this.active < this.maxConcurrency && this.slots.live === 0) {
      this.active++;
      return this.releaser();
    }
    await this.wait(this.slots, signal);
    return this.releaser();
  }

  /** Waits until the rate cap lets one more request start, in arrival order. Immediate without a cap. */
  async rate(signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    signal?.throwIfAborted();
    if (this.requestsPerSecond === undefined) return;
    if (this.tokens.live === 0 && this.waitForToken() <= 0) {
      this.takeToken();
      return;
    }
    const waiting = this.wait(this.tokens, signal);
    void this.pump();
    await waiting;
  }

  /** Runs `fn` holding a slot and a rate token. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      await this.rate(signal);
      return await fn();
    } finally {
      release();
    }
  }

  /** Rejects every waiter and every later call with `LimiterClosedError`. Slots already held stay valid. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pumpAbort.abort();
    for (const w of [...this.slots.drain(), ...this.tokens.drain()]) {
      w.done = true;
      w.cleanup();
      w.reject(new LimiterClosedError());
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new LimiterClosedError();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.slots.shift();
      if (next) {
        // The slot passes straight to the next waiter; `active` stays the same.
        next.done = true;
        next.cleanup();
        next.resolve();
      } else {
        this.active--;
      }
    };
  }

  private wait(queue: WaitQueue, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, done: false, cleanup: () => {} };
      if (signal) {
        const onAbort = () => {
          if (waiter.done) return;
          queue.cancel(waiter);
          reject(abortReason(signal));
        };
        signal.addEventListener("abort", onAbort, { once: true });
        waiter.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      queue.push(waiter);
    });
  }

  private interval(): number {
    return 1000 / (this.requestsPerSecond ?? Number.POSITIVE_INFINITY);
  }

  /** Milliseconds until the next start is allowed (≤ 0: now). */
  private waitForToken(): number {
    return this.tat - (this.burst - 1) * this.interval() - this.clock.now();
  }

  private takeToken(): void {
    this.tat = Math.max(this.tat, this.clock.now()) + this.interval();
  }

  /** Hands out rate tokens to queued waiters as time allows; one pump at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.tokens.peek()) {
        const wait = this.waitForToken();
        if (wait > 0) {
          try {
            await this.clock.sleep(wait, this.pumpAbort.signal);
          } catch {
            return; // closed
          }
          continue;
        }
        const next = this.tokens.shift();
        if (!next) break;
        this.takeToken();
        next.done = true;
        next.cleanup();
        next.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
