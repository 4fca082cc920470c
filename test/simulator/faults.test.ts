import { SimulatorControlError, type SimulatorHandle } from "../../simulator";
import { FaultInjector } from "../../simulator/faults";
import {
  adminApi,
  adminToken,
  api,
  clientBody,
  clientIdsNamed,
  expectApiError,
  requestToken,
  roles,
  startTestSimulator,
  useSimulator,
  type ApiCaller,
} from "./helpers";

/** Whether a request failed at the network level (fetch rejects; its error comes from another realm under Jest). */
async function attempt(p: Promise<unknown>): Promise<{ failed: boolean; error?: unknown }> {
  try {
    await p;
    return { failed: false };
  } catch (error) {
    return { failed: true, error };
  }
}

function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code;
}

describe("fault injection", () => {
  const sim = useSimulator();
  let consumerApi: ApiCaller;

  beforeAll(async () => {
    consumerApi = await adminApi(sim(), roles(sim()).consumer);
  });

  afterEach(async () => {
    await sim().control.clearFaults();
  });

  it("latency delays the matching request, which then succeeds", async () => {
    await sim().control.addFault({ method: "GET", path: "/api/v1/clients", kind: "latency", latencyMs: 300 });
    const since = await sim().control.lastSeq();
    const started = Date.now();
    const res = await consumerApi.get("/clients");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(200);
    const [entry] = await sim().control.requestLog({ since });
    expect(entry).toMatchObject({ method: "GET", route: "/api/v1/clients", status: 200, fault: "latency" });
  });

  it("429 with Retry-After, once (count 1), as an ApiErrorResponse", async () => {
    await sim().control.addFault({ path: "/api/v1/clients", kind: "status", status: 429, retryAfterSeconds: 7, count: 1 });
    const first = await consumerApi.get("/clients");
    expectApiError(first, 429, /simulated fault/);
    expect(first.headers.get("retry-after")).toBe("7");
    expect((await consumerApi.get("/clients")).status).toBe(200);
    const [rule] = await sim().control.faults();
    expect(rule).toMatchObject({ hits: 1, count: 1 });
  });

  it.each([500, 502, 503, 504] as const)("status %i instead of handling the request (nothing is committed)", async (status) => {
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "status", status, count: 1 });
    const res = await consumerApi.post("/clients", clientBody({ client_name: `never-${status}` }));
    expectApiError(res, status);
    expect(await clientIdsNamed(consumerApi, `never-${status}`)).toEqual([]);
  });

  it("status faults at /token answer in OAuth style", async () => {
    await sim().control.addFault({ path: "/token", kind: "status", status: 503, count: 1 });
    const { consumer } = roles(sim());
    const res = await requestToken(sim(), { clientId: consumer.adminClientId, privateJwk: consumer.adminKey, scope: "idporten:dcr.read" });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "temporarily_unavailable", error_description: "simulated fault: 503" });
  });

  it("reset destroys the connection before handling: nothing is committed", async () => {
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "reset", count: 1 });
    const outcome = await attempt(consumerApi.post("/clients", clientBody({ client_name: "reset-victim" })));
    expect(outcome.failed).toBe(true);
    expect(["ECONNRESET", "UND_ERR_SOCKET"]).toContain(networkCode(outcome.error));
    expect(await clientIdsNamed(consumerApi, "reset-victim")).toEqual([]);
    const entries = await sim().control.requestLog({ kind: "api" });
    expect(entries.find((e) => e.fault === "reset")).toMatchObject({ method: "POST", status: 0 });
  });

  it("drop-after-commit runs the handler, commits, then drops the response", async () => {
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
    const outcome = await attempt(consumerApi.post("/clients", clientBody({ client_name: "committed-but-unanswered" })));
    expect(outcome.failed).toBe(true);
    expect(await clientIdsNamed(consumerApi, "committed-but-unanswered")).toHaveLength(1);
    // the retry a careless client would make now creates a second client, as Digdir assigns the ids
    expect((await consumerApi.post("/clients", clientBody({ client_name: "committed-but-unanswered" }))).status).toBe(200);
    expect(await clientIdsNamed(consumerApi, "committed-but-unanswered")).toHaveLength(2);
  });

  it("matches by method and by glob path", async () => {
    await sim().control.addFault({ method: "DELETE", path: "/api/v1/clients/*/jwks*", kind: "status", status: 500 });
    const created = await consumerApi.post("/clients", clientBody());
    expect(created.status).toBe(200);
    const id = created.body.client_id as string;
    expect((await consumerApi.get(`/clients/${id}`)).status).toBe(200);
    expectApiError(await consumerApi.del(`/clients/${id}/jwks`), 500);
    expectApiError(await consumerApi.del(`/clients/${id}/jwks/some-kid`), 500);
    expect((await consumerApi.del(`/clients/${id}`)).status).toBe(200);
  });

  it("probability 0 never fires and 1 always does", async () => {
    await sim().control.addFault({ path: "/api/v1/prefix", kind: "status", status: 503, probability: 0 });
    for (let i = 0; i < 5; i++) expect((await consumerApi.get("/prefix")).status).toBe(200);
    await sim().control.clearFaults();
    await sim().control.addFault({ path: "/api/v1/prefix", kind: "status", status: 503, probability: 1 });
    for (let i = 0; i < 5; i++) expect((await consumerApi.get("/prefix")).status).toBe(503);
  });

  it("count limits the hits", async () => {
    await sim().control.addFault({ path: "/api/v1/prefix", kind: "status", status: 502, count: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await consumerApi.get("/prefix")).status);
    expect(statuses).toEqual([502, 502, 502, 200, 200]);
  });

  it("never applies to /__sim/ itself", async () => {
    await sim().control.addFault({ kind: "status", status: 503 });
    await sim().control.addFault({ kind: "reset" });
    await expect(sim().control.health()).resolves.toEqual({ ok: true });
    expect((await sim().control.faults()).length).toBe(2);
  });

  it("removes one rule by id, and rejects invalid rules with 400", async () => {
    const id = await sim().control.addFault({ path: "/api/v1/prefix", kind: "status", status: 503 });
    expectApiError(await consumerApi.get("/prefix"), 503);
    await sim().control.removeFault(id);
    expect((await consumerApi.get("/prefix")).status).toBe(200);
    await expect(sim().control.addFault({ kind: "status", status: 418 as never })).rejects.toMatchObject({ status: 400 });
    await expect(sim().control.addFault({ kind: "explode" as never })).rejects.toThrow(SimulatorControlError);
    await expect(sim().control.addFault({ kind: "latency", latencyMs: 5, probability: 2 })).rejects.toThrow(/probability/);
  });
});

describe("fault probabilities are reproducible with faultSeed", () => {
  async function pattern(seed: number): Promise<number[]> {
    const sim: SimulatorHandle = await startTestSimulator({ faultSeed: seed });
    try {
      const caller = api(sim, await adminToken(sim, roles(sim).consumer));
      await sim.control.addFault({ path: "/api/v1/prefix", kind: "status", status: 503, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await caller.get("/prefix")).status);
      return statuses;
    } finally {
      await sim.close();
    }
  }

  it("gives the same hits for the same seed, and a mix of both outcomes", async () => {
    const [a, b] = await Promise.all([pattern(42), pattern(42)]);
    expect(a).toEqual(b);
    expect(a).toContain(200);
    expect(a).toContain(503);
  });

  it("FaultInjector: a different seed gives a different sequence", () => {
    const run = (seed: number) => {
      const f = new FaultInjector(seed);
      f.add({ kind: "status", status: 500, probability: 0.5 });
      return Array.from({ length: 32 }, () => (f.decide("GET", "/x") ? 1 : 0)).join("");
    };
    expect(run(1)).toBe(run(1));
    expect(run(1)).not.toBe(run(2));
  });
});
