/**
 * Each fault kind of the simulator against the API client: retryable faults recover, a create whose response
 * is lost leaves exactly one object, and non-retryable errors surface at once with the right type.
 */
import { randomUUID } from "node:crypto";
import { ApiError, CreateOutcomeUnknownError, NetworkError } from "../../../provider/api/errors";
import { MASKINPORTEN_INTEGRATION_TYPE, JWT_BEARER_GRANT, type ClientRequest } from "../../../provider/api/wire";
import { OPEN_CATALOGUE_SCOPE, type FaultRule, type SimulatorOrg } from "../../../simulator";
import { connectAs } from "../../helpers/api";
import { CONSUMER_WITH_SCOPE_ADMIN } from "../../helpers/simulator-variant";
import { rsaKeyPair, useSimulator } from "../../simulator/helpers";
import type { Connection } from "../../../provider/api/connection";

const sim = useSimulator({ faultSeed: 7 });
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;

let conn: Connection;
beforeEach(async () => {
  conn = connectAs(sim(), consumer());
  await conn.api.listClients(); // token and metadata in place, so faults hit only what a test aims at
  await sim().control.resetRequests();
});
afterEach(async () => {
  await sim().control.clearFaults();
  await conn.close();
});

function clientBody(name: string): ClientRequest {
  return {
    client_name: name,
    integration_type: MASKINPORTEN_INTEGRATION_TYPE,
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: [JWT_BEARER_GRANT],
    scopes: [OPEN_CATALOGUE_SCOPE],
  };
}

async function clientsNamed(name: string) {
  return (await sim().control.portal(consumer().orgno).listClients(true)).filter((c) => c.client_name === name);
}

async function requestsTo(route: string): Promise<number> {
  return (await sim().control.counters()).byRoute[route] ?? 0;
}

describe("retryable faults recover", () => {
  const cases: [string, FaultRule][] = [
    ["latency", { method: "GET", path: "/api/v1/clients", kind: "latency", latencyMs: 150, count: 1 }],
    ["429 with Retry-After", { method: "GET", path: "/api/v1/clients", kind: "status", status: 429, retryAfterSeconds: 1, count: 1 }],
    ["502", { method: "GET", path: "/api/v1/clients", kind: "status", status: 502, count: 2 }],
    ["503", { method: "GET", path: "/api/v1/clients", kind: "status", status: 503, count: 2 }],
    ["504", { method: "GET", path: "/api/v1/clients", kind: "status", status: 504, count: 1 }],
    ["connection reset", { method: "GET", path: "/api/v1/clients", kind: "reset", count: 2 }],
    ["response dropped after commit", { method: "GET", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 }],
  ];
  it.each(cases)("%s on a read", async (_name, rule) => {
    await sim().control.addFault(rule);
    await expect(conn.api.listClients()).resolves.toEqual(expect.any(Array));
    expect(await requestsTo("GET /api/v1/clients")).toBe(1 + (rule.kind === "latency" ? 0 : rule.count!));
  });

  it("a fault on the token endpoint", async () => {
    conn.tokens.invalidate((await conn.tokens.token(["idporten:dcr.read"])).accessToken);
    await sim().control.addFault({ path: "/token", kind: "drop-after-commit", count: 1 });
    await expect(conn.api.listClients()).resolves.toEqual(expect.any(Array));
    const counters = await sim().control.counters();
    expect(counters.token).toBe(2); // the dropped one consumed its jti; the retry signs a new assertion
  });
});

describe("a create whose outcome is unknown leaves exactly one object", () => {
  const cases: [string, FaultRule][] = [
    ["response dropped after commit", { method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 }],
    ["connection reset before handling", { method: "POST", path: "/api/v1/clients", kind: "reset", count: 1 }],
    ["502 from a gateway", { method: "POST", path: "/api/v1/clients", kind: "status", status: 502, count: 1 }],
    [
      "429, refused before processing",
      { method: "POST", path: "/api/v1/clients", kind: "status", status: 429, retryAfterSeconds: 0, count: 1 },
    ],
    ["500, which may come after the work was done", { method: "POST", path: "/api/v1/clients", kind: "status", status: 500, count: 1 }],
  ];
  it.each(cases)("client: %s", async (_name, rule) => {
    const name = `fault-${randomUUID().slice(0, 8)}`;
    await sim().control.addFault(rule);
    const created = await conn.api.createClient(clientBody(name), (c) => c.client_name === name);
    const found = await clientsNamed(name);
    expect(found.map((c) => c.client_id)).toEqual([created.client_id]);
  });

  it("client: when the lookup fails too, a CreateOutcomeUnknownError naming the client; a client_id given is never sent", async () => {
    const name = `fault-${randomUUID().slice(0, 8)}`;
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
    await sim().control.addFault({ method: "GET", path: "/api/v1/clients", kind: "status", status: 500, count: 1 });
    const err = await conn.api
      .createClient({ ...clientBody(name), client_id: "chosen-by-the-caller" }, (c) => c.client_name === name)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreateOutcomeUnknownError);
    expect((err as CreateOutcomeUnknownError).message).toContain(name);
    const made = await clientsNamed(name);
    expect(made).toHaveLength(1);
    expect(made[0]!.client_id).not.toBe("chosen-by-the-caller");
  });

  it("client: without a way to recognise it, a lost answer is a CreateOutcomeUnknownError and is not sent again", async () => {
    const name = `fault-${randomUUID().slice(0, 8)}`;
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
    await expect(conn.api.createClient(clientBody(name))).rejects.toBeInstanceOf(CreateOutcomeUnknownError);
    expect(await clientsNamed(name)).toHaveLength(1);
  });

  it("scope: response dropped after commit", async () => {
    const ownerConn = connectAs(sim(), owner());
    const subscope = `fault-${randomUUID().slice(0, 8)}`;
    await sim().control.addFault({ method: "POST", path: "/api/v1/scopes", kind: "drop-after-commit", count: 1 });
    const scope = await ownerConn.api.createScope({ prefix: "eksempel", subscope, description: "x" });
    expect(scope.name).toBe(`eksempel:${subscope}`);
    const all = await sim().control.portal(owner().orgno).listScopes(true);
    expect(all.filter((s) => s.name === scope.name)).toHaveLength(1);
    await ownerConn.close();
  });

  it("JWKS: the whole-set POST is repeated safely and verified", async () => {
    const client = await conn.api.createClient(clientBody(`jwks-${randomUUID().slice(0, 8)}`));
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients/*/jwks", kind: "drop-after-commit", count: 1 });
    const keys = await conn.api.modifyJwks(client.client_id, () => [rsaKeyPair("dropped-once").publicJwk]);
    expect(keys.map((k) => k.kid)).toEqual(["dropped-once"]);
  });

  it("grant: the PUT is idempotent", async () => {
    const ownerConn = connectAs(sim(), owner());
    const scope = await ownerConn.api.createScope({ prefix: "eksempel", subscope: `g-${randomUUID().slice(0, 8)}`, description: "x" });
    await sim().control.addFault({ method: "PUT", path: "/api/v1/scopes/access/*", kind: "drop-after-commit", count: 1 });
    expect((await ownerConn.api.grantAccess(scope.name, consumer().orgno)).state).toBe("APPROVED");
    await ownerConn.close();
  });
});

describe("non-retryable errors surface at once", () => {
  it("500 on a read is returned as ApiError after one request", async () => {
    await sim().control.addFault({ method: "GET", path: "/api/v1/clients", kind: "status", status: 500, count: 1 });
    const err = await conn.api.listClients().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(500);
    expect(await requestsTo("GET /api/v1/clients")).toBe(1);
  });

  it("a 400 is not retried", async () => {
    await conn.api.createClient({ ...clientBody("bad"), scopes: [] }).catch((e: unknown) => e);
    expect(await requestsTo("POST /api/v1/clients")).toBe(1);
  });

  describe("for a consumer that holds scopes.read (it relies on consumerAdminScopes: standard)", () => {
    const scoped = useSimulator({ faultSeed: 7, variant: CONSUMER_WITH_SCOPE_ADMIN });

    it("a server that keeps failing ends in NetworkError within the deadline", async () => {
      const scopedConn = connectAs(scoped(), scoped().orgs[1]!);
      await scoped().control.addFault({ method: "GET", path: "/api/v1/scopes", kind: "reset" });
      const err = await scopedConn.api.listScopes().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).attempts).toBe(5);
      await scopedConn.close();
    });
  });
});
