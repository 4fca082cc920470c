import { NetworkError } from "../../provider/api/errors";
import { HttpTransport, sharedAgentCount, type HttpEvent } from "../../provider/api/http";
import { Limiter } from "../../provider/api/limiter";
import { fakeClock, hang, respond, startScriptedServer, type ScriptedServer } from "../helpers/scripted-server";

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const get = (url: string, extra: { signal?: AbortSignal } = {}) => ({
  method: "GET",
  url,
  retry: "idempotent" as const,
  operation: "read client",
  ...extra,
});

test("100 concurrent requests with maxConcurrency 4 never have more than 4 in flight at the server", async () => {
  server.fallback = respond(200, { ok: true }, undefined, 5);
  const order: string[] = [];
  const t = new HttpTransport({
    maxConcurrency: 4,
    onEvent: (e) => {
      if (e.type === "request") order.push(new URL(e.url).pathname);
    },
  });
  try {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => t.request(get(`${server.origin}/clients/${i}`))));
    expect(results.every((r) => r.status === 200 && r.attempts === 1)).toBe(true);
    expect(server.requests).toHaveLength(100);
    expect(server.maxInFlight).toBe(4);
    // FIFO: requests are sent in the order they were made.
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => `/clients/${i}`));
  } finally {
    await t.close();
  }
});

test("requestsPerSecond spaces request starts evenly (injected clock)", async () => {
  const clock = fakeClock(0);
  const starts: number[] = [];
  const t = new HttpTransport({
    maxConcurrency: 10,
    requestsPerSecond: 5,
    clock,
    onEvent: (e: HttpEvent) => {
      if (e.type === "request") starts.push(clock.now());
    },
  });
  try {
    await Promise.all(Array.from({ length: 6 }, (_, i) => t.request(get(`${server.origin}/x/${i}`))));
    expect(starts).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(server.requests).toHaveLength(6);
  } finally {
    await t.close();
  }
});

test("each retry takes a rate token too", async () => {
  const clock = fakeClock(0);
  const starts: number[] = [];
  server.script(respond(503));
  const t = new HttpTransport({
    requestsPerSecond: 1,
    clock,
    random: () => 0, // no backoff: the rate cap alone spaces the retry
    onEvent: (e) => {
      if (e.type === "request") starts.push(clock.now());
    },
  });
  try {
    await t.request(get(`${server.origin}/x`));
    expect(starts).toEqual([0, 1000]);
  } finally {
    await t.close();
  }
});

test("a request holds its slot through backoff, so retries do not let others pile on", async () => {
  server.script(respond(503), respond(200, {}));
  let second: Promise<unknown> | undefined;
  const clock = fakeClock(0, () => {
    // While the first request backs off, the second must still be queued.
    second ??= t.request(get(`${server.origin}/b`));
  });
  const t = new HttpTransport({ maxConcurrency: 1, clock, random: () => 0.5 });
  try {
    await t.request(get(`${server.origin}/a`));
    await second;
    expect(server.requests.map((r) => r.url)).toEqual(["/a", "/a", "/b"]);
  } finally {
    await t.close();
  }
});

test("a shared limiter bounds several transports together", async () => {
  server.fallback = respond(200, {}, undefined, 5);
  const limiter = new Limiter({ maxConcurrency: 2 });
  const a = new HttpTransport({ limiter });
  const b = new HttpTransport({ limiter });
  try {
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).request(get(`${server.origin}/${i}`))));
    expect(server.maxInFlight).toBe(2);
  } finally {
    await a.close();
    await b.close();
    limiter.close();
  }
});

test("aborting a queued request removes it without sending it", async () => {
  server.script(respond(200, {}, undefined, 50));
  const t = new HttpTransport({ maxConcurrency: 1 });
  try {
    const first = t.request(get(`${server.origin}/first`));
    const ctl = new AbortController();
    const queued = t.request(get(`${server.origin}/queued`, { signal: ctl.signal }));
    ctl.abort();
    await expect(queued).rejects.toMatchObject({ code: "ABORTED", attempts: 0, outcomeUnknown: false });
    await first;
    expect(server.requests.map((r) => r.url)).toEqual(["/first"]);
  } finally {
    await t.close();
  }
});

test("aborting during backoff stops the retries", async () => {
  server.fallback = respond(503);
  const ctl = new AbortController();
  const clock = fakeClock(0, () => ctl.abort());
  const t = new HttpTransport({ clock });
  try {
    await expect(t.request(get(`${server.origin}/x`, { signal: ctl.signal }))).rejects.toMatchObject({
      code: "ABORTED",
    });
    expect(server.requests).toHaveLength(1);
  } finally {
    await t.close();
  }
});

test("close() aborts requests in flight and rejects queued and later ones", async () => {
  server.fallback = hang();
  const t = new HttpTransport({ maxConcurrency: 1 });
  const inFlight = t.request(get(`${server.origin}/a`));
  const queued = t.request(get(`${server.origin}/b`));
  const inFlightRejects = expect(inFlight).rejects.toMatchObject({ code: "CLOSED", attempts: 1 });
  const queuedRejects = expect(queued).rejects.toMatchObject({ code: "CLOSED", attempts: 0 });
  while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
  await t.close();
  await inFlightRejects;
  await queuedRejects;
  await expect(t.request(get(`${server.origin}/c`))).rejects.toBeInstanceOf(NetworkError);
  expect(server.requests.map((r) => r.url)).toEqual(["/a"]);
});

test("transports share one Agent, closed with the last transport", async () => {
  const before = sharedAgentCount();
  const a = new HttpTransport();
  const b = new HttpTransport();
  expect(sharedAgentCount()).toBe(before); // lazily: no Agent until the first request
  await a.request(get(`${server.origin}/1`));
  await b.request(get(`${server.origin}/2`));
  expect(sharedAgentCount()).toBe(before + 1);
  await a.close();
  expect(sharedAgentCount()).toBe(before + 1);
  await b.close();
  expect(sharedAgentCount()).toBe(before);
});

test("keep-alive: sequential requests reuse their connections", async () => {
  const t = new HttpTransport();
  try {
    for (let i = 0; i < 10; i++) await t.request(get(`${server.origin}/${i}`));
    const ports = new Set(server.requests.map((r) => r.remotePort));
    expect(server.requests).toHaveLength(10);
    // undici's pool may open a second socket while the first finishes its response; never one per request.
    expect(ports.size).toBeLessThanOrEqual(2);
  } finally {
    await t.close();
  }
});
