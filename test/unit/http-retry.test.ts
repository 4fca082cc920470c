import { MockAgent, errors as undiciErrors } from "undici";
import { ApiError, NetworkError, apiErrorFrom } from "../../provider/api/errors";
import { HttpTransport, defaultRetryMode, parseRetryAfter, type HttpEvent, type HttpTransportOptions } from "../../provider/api/http";
import {
  destroyAfterBody,
  destroyOnArrival,
  fakeClock,
  freePort,
  hang,
  partialBody,
  respond,
  startScriptedServer,
  type FakeClock,
  type ScriptedServer,
} from "../helpers/scripted-server";

let server: ScriptedServer;
let transports: HttpTransport[];
let clock: FakeClock;
let events: HttpEvent[];

beforeEach(async () => {
  server = await startScriptedServer();
  transports = [];
  clock = fakeClock();
  events = [];
});

afterEach(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await server.close();
});

/** Jitter fixed at half the ceiling: backoff of attempt n is 250 · 2^(n-1) ms with the defaults. */
function transport(options: HttpTransportOptions = {}): HttpTransport {
  const t = new HttpTransport({
    clock,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    headersTimeoutMs: 300,
    bodyTimeoutMs: 300,
    ...options,
  });
  transports.push(t);
  return t;
}

const get = (url: string) => ({ method: "GET", url, retry: "idempotent" as const, operation: "read client" });
const post = (url: string) => ({
  method: "POST",
  url,
  retry: "safe-before-send" as const,
  operation: "create client",
  json: { client_name: "x" },
});

async function rejection(p: Promise<unknown>): Promise<NetworkError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NetworkError);
    return err as NetworkError;
  }
  throw new Error("expected a rejection");
}

describe("retry then success, idempotent GET", () => {
  test.each([
    ["502", respond(502, "bad gateway")],
    ["503", respond(503, { status: 503 })],
    ["504", respond(504, "")],
    ["429", respond(429, { status: 429 })],
    ["connection reset after the request was read", destroyAfterBody()],
    ["socket destroyed on arrival", destroyOnArrival()],
    ["connection lost mid-body", partialBody("destroy")],
    ["body timeout", partialBody("stall")],
    ["headers timeout", hang()],
  ])("%s", async (_name, failure) => {
    server.script(failure);
    server.script(respond(200, { client_id: "abc" }));
    const res = await transport().request(get(`${server.origin}/clients/abc`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ client_id: "abc" });
    expect(res.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([250]);
    expect(events.filter((e) => e.type === "retry")).toHaveLength(1);
  });

  test("connection refused, then the server comes up", async () => {
    const port = await freePort();
    let late: ScriptedServer | undefined;
    clock = fakeClock(undefined, async () => {
      late ??= await startScriptedServer({ port });
    });
    try {
      const res = await transport().request(get(`http://127.0.0.1:${port}/clients`));
      expect(res.status).toBe(200);
      expect(res.attempts).toBe(2);
      expect(late?.requests).toHaveLength(1);
    } finally {
      await late?.close();
    }
  });

  test("connect timeout (from undici's ConnectTimeoutError)", async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    const pool = mock.get("https://api.example.no");
    pool.intercept({ path: "/x", method: "GET" }).replyWithError(new undiciErrors.ConnectTimeoutError());
    pool.intercept({ path: "/x", method: "GET" }).reply(200, { ok: true });
    try {
      const res = await transport({ dispatcher: mock }).request(get("https://api.example.no/x"));
      expect(res.status).toBe(200);
      expect(res.attempts).toBe(2);
      expect(events.find((e) => e.type === "retry")).toMatchObject({ reason: "UND_ERR_CONNECT_TIMEOUT" });
    } finally {
      await mock.close();
    }
  });

  test("backoff grows exponentially under full jitter and is capped", async () => {
    server.fallback = respond(503);
    server.script(respond(503), respond(503), respond(503), respond(503), respond(503), respond(200, {}));
    const res = await transport({ maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 3000, random: () => 0.999 }).request({
      ...get(`${server.origin}/x`),
      deadlineMs: 60_000,
    });
    expect(res.status).toBe(200);
    expect(clock.sleeps).toEqual([999, 1998, 2997, 2997, 2997]);
  });
});

describe("429 and Retry-After", () => {
  test("waits exactly the Retry-After seconds", async () => {
    server.script(respond(429, { status: 429 }, { "retry-after": "7" }), respond(200, {}));
    const res = await transport().request(get(`${server.origin}/x`));
    expect(res.status).toBe(200);
    expect(clock.sleeps).toEqual([7000]);
    expect(server.requests).toHaveLength(2);
  });

  test("waits until a Retry-After HTTP-date", async () => {
    server.script(respond(429, "", { "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), respond(200, {}));
    await transport().request(get(`${server.origin}/x`));
    expect(clock.sleeps).toEqual([3000]);
  });

  test("Retry-After is honoured beyond the backoff cap, within the deadline", async () => {
    server.script(respond(429, "", { "retry-after": "20" }), respond(200, {}));
    await transport({ maxDelayMs: 1000 }).request(get(`${server.origin}/x`));
    expect(clock.sleeps).toEqual([20_000]);
  });

  test("a POST is retried after 429: the server refused it unprocessed", async () => {
    server.script(respond(429, "", { "retry-after": "1" }), respond(200, { client_id: "new" }));
    const res = await transport().request(post(`${server.origin}/clients`));
    expect(res.status).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(server.requests[1]?.body).toBe('{"client_name":"x"}');
  });

  test("Retry-After beyond the deadline fails at once with the reason", async () => {
    server.fallback = respond(200, {});
    server.script(respond(429, { status: 429, correlation_id: "c-429" }, { "retry-after": "120" }));
    const res = await transport().request(get(`${server.origin}/clients`));
    expect(res.status).toBe(429);
    expect(clock.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(res.gaveUp).toMatch(/asked to wait 120 s \(Retry-After\), more than the 30 s left of the request's 30 s deadline/);
    const err = apiErrorFrom(res, { operation: "list clients" });
    expect(err.code).toBe("API_RATE_LIMITED");
    expect(err.message).toMatch(/120 s/);
    expect(err.message).toMatch(/maxConcurrency or requestsPerSecond/);
    expect(err.correlationId).toBe("c-429");
  });

  test("defaultRetryMode", () => {
    expect(["get", "PUT", "DELETE", "HEAD"].map(defaultRetryMode)).toEqual(Array(4).fill("idempotent"));
    expect(defaultRetryMode("POST")).toBe("safe-before-send");
  });

  test("parseRetryAfter: seconds, HTTP-date, past dates and garbage", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 12 ", now)).toBe(12_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("a POST is never blindly repeated", () => {
  test("reset after the server read it: one request, outcome unknown", async () => {
    server.fallback = respond(200, { client_id: "second" });
    server.script(destroyAfterBody());
    const err = await rejection(transport().request(post(`${server.origin}/clients`)));
    expect(err.outcomeUnknown).toBe(true);
    expect(err.code).toBe("CONNECTION_LOST");
    expect(err.attempts).toBe(1);
    expect(err.message).toMatch(/create client \(POST \/clients\) failed after 1 attempt/);
    expect(err.message).toMatch(/outcome is unknown, so look up whether it took effect/);
    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  test("headers timeout after sending: one request, outcome unknown", async () => {
    server.script(hang());
    const err = await rejection(transport().request(post(`${server.origin}/clients`)));
    expect(err).toMatchObject({ code: "HEADERS_TIMEOUT", outcomeUnknown: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  test.each([502, 503, 504])("HTTP %i: one request, outcome unknown", async (status) => {
    server.fallback = respond(200, {});
    server.script(respond(status, "upstream failed"));
    const err = await rejection(transport().request(post(`${server.origin}/clients`)));
    expect(err).toMatchObject({ code: "GATEWAY_ERROR", outcomeUnknown: true, status, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  test("connection refused (nothing sent) is retried, and the POST reaches the server once", async () => {
    const port = await freePort();
    let late: ScriptedServer | undefined;
    clock = fakeClock(undefined, async () => {
      late ??= await startScriptedServer({ port });
    });
    try {
      const res = await transport().request(post(`http://127.0.0.1:${port}/clients`));
      expect(res.status).toBe(200);
      expect(res.attempts).toBe(2);
      expect(late?.requests.map((r) => r.method)).toEqual(["POST"]);
    } finally {
      await late?.close();
    }
  });

  test("refused on every attempt: not sent, so the outcome is known", async () => {
    const port = await freePort();
    const err = await rejection(transport({ maxAttempts: 3 }).request(post(`http://127.0.0.1:${port}/clients`)));
    expect(err).toMatchObject({ code: "CONNECTION_REFUSED", outcomeUnknown: false, attempts: 3 });
    expect(err.message).toMatch(/nothing accepted the connection/);
  });
});

describe('retry: "never"', () => {
  test("a 503 is returned as it is, after one request", async () => {
    server.fallback = respond(200, {});
    server.script(respond(503, { error: "temporarily_unavailable" }));
    const res = await transport().request({ ...post(`${server.origin}/token`), retry: "never" });
    expect(res.status).toBe(503);
    expect(res.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  test("a 429 is returned as it is", async () => {
    server.fallback = respond(200, {});
    server.script(respond(429, "", { "retry-after": "1" }));
    const res = await transport().request({ ...get(`${server.origin}/x`), retry: "never" });
    expect(res.status).toBe(429);
    expect(server.requests).toHaveLength(1);
  });

  test("a reset is not retried and the outcome is unknown", async () => {
    server.script(destroyAfterBody());
    const err = await rejection(transport().request({ ...post(`${server.origin}/token`), retry: "never" }));
    expect(err).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  test("connection refused is not retried either", async () => {
    const port = await freePort();
    const err = await rejection(transport().request({ ...post(`http://127.0.0.1:${port}/token`), retry: "never" }));
    expect(err).toMatchObject({ code: "CONNECTION_REFUSED", outcomeUnknown: false, attempts: 1 });
  });
});

describe("bounds", () => {
  test("the deadline bounds the attempts, and the last response says why", async () => {
    server.fallback = respond(503, { status: 503, correlation_id: "c-503" });
    const res = await transport({ maxAttempts: 100, random: () => 0.999 }).request({
      ...get(`${server.origin}/x`),
      deadlineMs: 1000,
    });
    // 499 ms of backoff, then the next (999 ms) would end after the deadline.
    expect(clock.sleeps).toEqual([499]);
    expect(server.requests).toHaveLength(2);
    expect(res.status).toBe(503);
    expect(res.gaveUp).toMatch(/Gave up after 2 attempts: the next would pass the 1 s deadline/);
    const err = apiErrorFrom(res, { operation: "read client" });
    expect(err.message).toMatch(/Digdir's API failed; retry later/);
    expect(err.message).toMatch(/c-503/);
  });

  test("maxAttempts bounds the attempts", async () => {
    server.fallback = respond(502);
    const res = await transport({ maxAttempts: 3 }).request(get(`${server.origin}/x`));
    expect(res.status).toBe(502);
    expect(server.requests).toHaveLength(3);
    expect(res.attempts).toBe(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  test("the deadline aborts an attempt in flight", async () => {
    server.fallback = hang();
    const err = await rejection(transport({ headersTimeoutMs: 60_000 }).request({ ...get(`${server.origin}/x`), deadlineMs: 150 }));
    expect(err.code).toBe("DEADLINE_EXCEEDED");
    expect(err.outcomeUnknown).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  test("the deadline passing mid-POST leaves the outcome unknown", async () => {
    server.fallback = hang();
    const err = await rejection(transport({ headersTimeoutMs: 60_000 }).request({ ...post(`${server.origin}/clients`), deadlineMs: 150 }));
    expect(err).toMatchObject({ code: "DEADLINE_EXCEEDED", outcomeUnknown: true });
  });
});

describe("statuses that are not retried come back to the caller", () => {
  test("400 with field errors", async () => {
    server.fallback = respond(200, {});
    server.script(
      respond(400, {
        status: 400,
        correlation_id: "c-400",
        errors: [{ errorMessage: "must not be empty", isFieldError: true, objectName: "Client", fieldIdentifier: "scopes" }],
      }),
    );
    const res = await transport().request(post(`${server.origin}/clients`));
    expect(res.status).toBe(400);
    expect(res.correlationId).toBe("c-400");
    expect(server.requests).toHaveLength(1);
    const err = apiErrorFrom(res, { operation: "create client" });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/create client failed \(HTTP 400, POST \/clients\): the API rejected 1 field: scopes: must not be empty/);
  });

  test("403 names the scope", async () => {
    server.fallback = respond(200, {});
    server.script(respond(403, { status: 403, error: "insufficient_scope" }));
    const res = await transport().request({ ...get(`${server.origin}/clients`), operation: "list clients" });
    expect(server.requests).toHaveLength(1);
    const err = apiErrorFrom(res, { operation: "list clients", requiredScope: "idporten:dcr.read" });
    expect(err.message).toMatch(/lacks scope idporten:dcr.read: ask Digdir \(servicedesk@digdir.no\)/);
  });

  test("404 names the resource; correlation id from a header", async () => {
    server.fallback = respond(200, {});
    server.script(respond(404, "", { "x-correlation-id": "hdr-1" }));
    const res = await transport().request(get(`${server.origin}/clients/gone`));
    expect(server.requests).toHaveLength(1);
    expect(res.body).toBeUndefined();
    expect(res.correlationId).toBe("hdr-1");
    const err = apiErrorFrom(res, { operation: "read client", resource: 'client "gone"' });
    expect(err.message).toMatch(/client "gone" not found/);
    expect(err.correlationId).toBe("hdr-1");
  });

  test("500 is not retried (it may have been processed)", async () => {
    server.fallback = respond(200, {});
    server.script(respond(500, { status: 500 }));
    const res = await transport().request(get(`${server.origin}/x`));
    expect(res.status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });
});

describe("requests and responses", () => {
  test("json and form bodies, headers and parsing", async () => {
    server.script(respond(200, "plain text"), respond(200, { ok: 1 }));
    const t = transport();
    const a = await t.request({
      method: "post",
      url: `${server.origin}/token`,
      form: { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: "a.b.c" },
      retry: "never",
      operation: "get token",
    });
    expect(a.body).toBe("plain text");
    const b = await t.request({
      method: "PUT",
      url: new URL(`${server.origin}/clients/x?y=1`),
      json: { a: 1 },
      headers: { Authorization: "Bearer t0ken-value" },
      retry: "idempotent",
      operation: "update client",
    });
    expect(b.body).toEqual({ ok: 1 });
    const [r1, r2] = server.requests;
    expect(r1?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(r1?.body).toBe("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c");
    expect(r2?.method).toBe("PUT");
    expect(r2?.url).toBe("/clients/x?y=1");
    expect(r2?.headers["content-type"]).toBe("application/json");
    expect(r2?.headers["authorization"]).toBe("Bearer t0ken-value");
    expect(r2?.headers["accept"]).toBe("application/json");
    expect(r2?.headers["user-agent"]).toBe("pulumi-maskinporten");
  });

  test("programming errors are refused before sending: unknown retry mode, json and form together", async () => {
    const t = transport();
    await expect(t.request({ ...get(`${server.origin}/x`), retry: "sometimes" as unknown as "never" })).rejects.toThrow(TypeError);
    await expect(t.request({ ...post(`${server.origin}/x`), form: { a: "b" } })).rejects.toThrow(/give either json or form/);
    expect(server.requests).toHaveLength(0);
  });

  test("an oversized response is refused", async () => {
    server.script(respond(200, { big: "x".repeat(5000) }));
    const err = await rejection(transport({ maxResponseBytes: 1000 }).request(get(`${server.origin}/x`)));
    expect(err.code).toBe("RESPONSE_TOO_LARGE");
    expect(server.requests).toHaveLength(1);
  });

  test("events describe requests, responses and retries", async () => {
    server.script(respond(503), respond(200, { correlation_id: "c-1" }));
    await transport().request(get(`${server.origin}/clients?inactive=true`));
    expect(events.map((e) => e.type)).toEqual(["request", "response", "retry", "request", "response"]);
    expect(events[0]).toMatchObject({
      operation: "read client",
      method: "GET",
      url: `${server.origin}/clients?inactive=true`,
      attempt: 1,
    });
    expect(events[2]).toMatchObject({ reason: "HTTP 503", delayMs: 250 });
    expect(events[4]).toMatchObject({ status: 200, correlationId: "c-1", attempt: 2 });
  });

  test("a throwing event hook does not break the request", async () => {
    const res = await transport({
      onEvent: () => {
        throw new Error("boom");
      },
    }).request(get(`${server.origin}/x`));
    expect(res.status).toBe(200);
  });
});
