import { Limiter, LimiterClosedError } from "../../provider/api/limiter";
import { fakeClock } from "../helpers/scripted-server";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("concurrency", () => {
  test("at most maxConcurrency hold a slot; slots go out in arrival order", async () => {
    const limiter = new Limiter({ maxConcurrency: 3 });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        limiter.run(async () => {
          order.push(i);
          active++;
          peak = Math.max(peak, active);
          await tick();
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(limiter.inFlight).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  test("thousands of queued callers", async () => {
    const limiter = new Limiter({ maxConcurrency: 8 });
    let done = 0;
    await Promise.all(
      Array.from({ length: 5000 }, () =>
        limiter.run(async () => {
          done++;
        }),
      ),
    );
    expect(done).toBe(5000);
    expect(limiter.inFlight).toBe(0);
  });

  test("a release function is idempotent", async () => {
    const limiter = new Limiter({ maxConcurrency: 1 });
    const release = await limiter.acquire();
    const next = limiter.acquire();
    release();
    release();
    const releaseNext = await next;
    expect(limiter.inFlight).toBe(1);
    releaseNext();
    expect(limiter.inFlight).toBe(0);
  });

  test("an aborted waiter leaves the queue and the others keep their order", async () => {
    const limiter = new Limiter({ maxConcurrency: 1 });
    const hold = await limiter.acquire();
    const ctl = new AbortController();
    const got: string[] = [];
    const a = limiter.acquire().then((r) => (got.push("a"), r));
    const b = limiter.acquire(ctl.signal).then((r) => (got.push("b"), r));
    const c = limiter.acquire().then((r) => (got.push("c"), r));
    expect(limiter.queued).toBe(3);
    ctl.abort(new Error("stop b"));
    await expect(b).rejects.toThrow("stop b");
    expect(limiter.queued).toBe(2);
    hold();
    (await a)();
    (await c)();
    expect(got).toEqual(["a", "c"]);
    expect(limiter.inFlight).toBe(0);
  });

  test("an already aborted signal rejects at once", async () => {
    const limiter = new Limiter();
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toBeDefined();
    expect(limiter.inFlight).toBe(0);
  });

  test("close() rejects waiters and later calls; held slots stay valid", async () => {
    const limiter = new Limiter({ maxConcurrency: 1 });
    const release = await limiter.acquire();
    const waiting = limiter.acquire();
    limiter.close();
    await expect(waiting).rejects.toBeInstanceOf(LimiterClosedError);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(LimiterClosedError);
    release();
    expect(limiter.inFlight).toBe(0);
  });

  test("options are validated", () => {
    expect(() => new Limiter({ maxConcurrency: 0 })).toThrow(RangeError);
    expect(() => new Limiter({ maxConcurrency: 1.5 })).toThrow(RangeError);
    expect(() => new Limiter({ requestsPerSecond: -1 })).toThrow(RangeError);
    expect(() => new Limiter({ burst: 0 })).toThrow(RangeError);
    expect(new Limiter({ requestsPerSecond: 0 }).requestsPerSecond).toBeUndefined();
  });
});

describe("requests per second", () => {
  test("starts are spaced 1/rps apart, in order", async () => {
    const clock = fakeClock(0);
    const limiter = new Limiter({ maxConcurrency: 100, requestsPerSecond: 4, clock });
    const starts: [number, number][] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => limiter.rate().then(() => starts.push([i, clock.now()]))));
    expect(starts).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, i * 250]));
    expect(clock.sleeps.every((ms) => ms === 250)).toBe(true);
  });

  test("no waiting while under the rate", async () => {
    const clock = fakeClock(0);
    const limiter = new Limiter({ requestsPerSecond: 2, clock });
    await limiter.rate();
    clock.advance(600);
    await limiter.rate();
    clock.advance(600);
    await limiter.rate();
    expect(clock.sleeps).toEqual([]);
  });

  test("burst lets that many start back to back, then the rate applies", async () => {
    const clock = fakeClock(0);
    const limiter = new Limiter({ requestsPerSecond: 10, burst: 3, clock });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.rate().then(() => starts.push(clock.now()))));
    expect(starts).toEqual([0, 0, 0, 100, 200]);
  });

  test("an aborted rate waiter is dropped; close() stops the rest", async () => {
    const clock = fakeClock(0);
    const limiter = new Limiter({ requestsPerSecond: 1, clock });
    await limiter.rate();
    const ctl = new AbortController();
    const aborted = limiter.rate(ctl.signal);
    ctl.abort();
    await expect(aborted).rejects.toBeDefined();
    const next = limiter.rate();
    await next;
    expect(clock.now()).toBe(1000);
    const pending = limiter.rate();
    limiter.close();
    await expect(pending).rejects.toBeInstanceOf(LimiterClosedError);
  });

  test("without a cap, rate() never waits", async () => {
    const clock = fakeClock(0);
    const limiter = new Limiter({ clock });
    await Promise.all(Array.from({ length: 100 }, () => limiter.rate()));
    expect(clock.sleeps).toEqual([]);
  });
});
