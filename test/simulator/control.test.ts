import { SimulatorControl, SimulatorControlError } from "../../simulator";
import {
  adminApi,
  adminToken,
  api,
  clientBody,
  expectApiError,
  expectOAuthError,
  nowSeconds,
  requestToken,
  roles,
  rsaKeyPair,
  useSimulator,
  type ApiCaller,
} from "./helpers";

describe("request log and counters", () => {
  const sim = useSimulator();

  it("counts token requests, API reads and writes, by route, and records who called", async () => {
    const { consumer } = roles(sim());
    await sim().control.resetRequests();
    const token = await adminToken(sim(), consumer);
    const caller = api(sim(), token);
    await caller.get("/clients");
    const created = await caller.post("/clients", clientBody());
    await caller.get(`/clients/${created.body.client_id}`);
    await requestToken(sim(), { clientId: "unknown", privateJwk: consumer.adminKey, scope: "x:y" });
    await fetch(`${sim().url}/.well-known/oauth-authorization-server`);

    const counters = await sim().control.counters();
    expect(counters).toMatchObject({ total: 6, token: 2, tokenIssued: 1, apiReads: 2, apiWrites: 1, metadata: 1, portal: 0, faults: 0 });
    expect(counters.byRoute).toEqual({
      "POST /token": 2,
      "GET /api/v1/clients": 1,
      "POST /api/v1/clients": 1,
      "GET /api/v1/clients/{client_id}": 1,
      "GET /.well-known/oauth-authorization-server": 1,
    });
    expect(counters.byStatus).toEqual({ "200": 5, "400": 1 });

    const entries = await sim().control.requestLog();
    expect(entries).toHaveLength(6);
    expect(entries[0]).toEqual({
      seq: expect.any(Number),
      time: expect.any(String),
      method: "POST",
      path: "/token",
      route: "/token",
      status: 200,
      kind: "token",
      orgno: consumer.orgno,
      clientId: consumer.adminClientId,
      durationMs: expect.any(Number),
    });
    expect(entries[1]).toMatchObject({ kind: "api", route: "/api/v1/clients", orgno: consumer.orgno, clientId: consumer.adminClientId });
    expect(entries[3]).toMatchObject({ path: `/api/v1/clients/${created.body.client_id}`, route: "/api/v1/clients/{client_id}" });
    expect(entries[4]).toMatchObject({ kind: "token", status: 400, clientId: "unknown" });
  });

  it("filters by kind and since, and resets", async () => {
    const since = await sim().control.lastSeq();
    await adminApi(sim(), roles(sim()).consumer);
    expect((await sim().control.requestLog({ since })).map((e) => e.kind)).toEqual(["token"]);
    expect(await sim().control.requestLog({ since, kind: "api" })).toEqual([]);
    await sim().control.resetRequests();
    expect(await sim().control.requestLog()).toEqual([]);
    expect((await sim().control.counters()).total).toBe(0);
  });

  it("counts faulted requests", async () => {
    await sim().control.resetRequests();
    await sim().control.addFault({ path: "/token", kind: "status", status: 500, count: 1 });
    await requestToken(sim(), { clientId: "x", privateJwk: rsaKeyPair().privateJwk, scope: "a:b" });
    expect(await sim().control.counters()).toMatchObject({ total: 1, token: 1, tokenIssued: 0, faults: 1 });
    expect((await sim().control.requestLog())[0]).toMatchObject({ fault: "status", status: 500 });
  });

  it("works from the base URL alone (another process)", async () => {
    const control = new SimulatorControl(`${sim().url}/`);
    expect(await control.health()).toEqual({ ok: true });
    expect(await control.info()).toEqual(sim().startupInfo());
  });
});

describe("portal: out-of-band edits", () => {
  const sim = useSimulator();
  let consumerApi: ApiCaller;
  let ownerApi: ApiCaller;

  beforeAll(async () => {
    consumerApi = await adminApi(sim(), roles(sim()).consumer);
    ownerApi = await adminApi(sim(), roles(sim()).owner);
  });

  it("changes a client as the organisation's admin would in the web portal; logged as portal, not API", async () => {
    const { consumer } = roles(sim());
    const created = await consumerApi.post("/clients", clientBody({ description: "from code" }));
    const id = created.body.client_id as string;
    await sim().control.resetRequests();
    const portal = sim().control.portal(consumer.orgno);
    const updated = await portal.updateClient(id, { description: "edited in the portal" });
    expect(updated.description).toBe("edited in the portal");
    expect((await consumerApi.get(`/clients/${id}`)).body.description).toBe("edited in the portal");
    const counters = await sim().control.counters();
    expect(counters).toMatchObject({ portal: 2, apiReads: 1, apiWrites: 0 });
    expect(counters.byRoute["PUT /__sim/portal/{orgno}/api/v1/clients/{client_id}"]).toBe(1);
    const entries = await sim().control.requestLog({ kind: "portal" });
    expect(entries.map((e) => `${e.method} ${e.status}`)).toEqual(["GET 200", "PUT 200"]);
    expect(entries[1]).toMatchObject({ orgno: consumer.orgno });
  });

  it("deletes keys, deactivates clients, scopes and grants", async () => {
    const { owner, consumer } = roles(sim());
    const key = rsaKeyPair("portal-key");
    const client = await consumerApi.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }));
    const id = client.body.client_id as string;
    const consumerPortal = sim().control.portal(consumer.orgno);
    expect((await consumerPortal.deleteKey(id, "portal-key")).keys).toEqual([]);
    expectOAuthError(
      await requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open" }),
      "invalid_grant",
      /No key/,
    );
    expect((await consumerPortal.deleteClient(id)).active).toBe(false);

    const ownerPortal = sim().control.portal(owner.orgno);
    await ownerPortal.createScope({ prefix: "eksempel", subscope: "portal", description: "x" });
    expect((await ownerPortal.grantAccess("eksempel:portal", consumer.orgno)).state).toBe("APPROVED");
    expect((await ownerPortal.revokeAccess("eksempel:portal", consumer.orgno)).state).toBe("DENIED");
    expect((await ownerPortal.deactivateScope("eksempel:portal")).active).toBe(false);
    expect((await ownerApi.get("/scopes")).body.map((s: { name: string }) => s.name)).not.toContain("eksempel:portal");
    expect((await ownerPortal.updateScope("eksempel:portal", { active: true })).active).toBe(true);
  });

  it("obeys the API's rules (400, 403) and 404s an unknown organisation", async () => {
    const { owner, consumer } = roles(sim());
    const portal = sim().control.portal(consumer.orgno);
    const bad = await portal.request("POST", "/clients", clientBody({ scopes: [] }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 400, error_description: expect.stringMatching(/scopes is empty/) });
    const ownerClient = await ownerApi.post("/clients", clientBody());
    await expect(portal.getClient(ownerClient.body.client_id)).rejects.toMatchObject({ status: 403 });
    await expect(portal.createScope({ prefix: "eksempel", subscope: "x", description: "x" })).rejects.toThrow(SimulatorControlError);
    const unknown = await sim().control.portal("974760673").request("GET", "/clients");
    expect(unknown.status).toBe(404);
    expect(await sim().control.portal(owner.orgno).listClients()).toEqual(
      expect.arrayContaining([expect.objectContaining({ client_orgno: owner.orgno })]),
    );
  });

  it("lets Digdir grant its restricted catalogue scope", async () => {
    const { consumer } = roles(sim());
    expectApiError(await consumerApi.post("/clients", clientBody({ scopes: ["difitest:restricted"] })), 400);
    await sim().control.portal(sim().digdirOrgno).grantAccess("difitest:restricted", consumer.orgno);
    expect((await consumerApi.post("/clients", clientBody({ scopes: ["difitest:restricted"] }))).status).toBe(200);
  });
});

describe("clock offset", () => {
  const sim = useSimulator({ clockOffsetSeconds: 3600 });

  afterEach(async () => {
    await sim().control.setClockOffset(3600);
  });

  it("starts with the configured offset and reports it", async () => {
    const clock = await sim().control.clock();
    expect(clock.offsetSeconds).toBe(3600);
    expect(Math.abs(clock.nowSeconds - nowSeconds(3600))).toBeLessThanOrEqual(2);
  });

  it("judges iat by the simulator's clock", async () => {
    const { consumer } = roles(sim());
    const wallClock = await requestToken(sim(), {
      clientId: consumer.adminClientId,
      privateJwk: consumer.adminKey,
      scope: "idporten:dcr.read",
    });
    expectOAuthError(wallClock, "invalid_grant", /iat is -3[56]\d\d s from the server clock/);
    const simClock = await requestToken(sim(), {
      clientId: consumer.adminClientId,
      privateJwk: consumer.adminKey,
      scope: "idporten:dcr.read",
      now: nowSeconds(3600),
    });
    expect(simClock.status).toBe(200);
  });

  it("stamps created/last_updated with the simulator's time", async () => {
    const { consumer } = roles(sim());
    const token = await requestToken(sim(), {
      clientId: consumer.adminClientId,
      privateJwk: consumer.adminKey,
      scope: consumer.adminScopes.join(" "),
      now: nowSeconds(3600),
    });
    const created = await api(sim(), token.body.access_token).post("/clients", clientBody());
    const stamp = Date.parse(created.body.created) / 1000;
    expect(Math.abs(stamp - nowSeconds(3600))).toBeLessThanOrEqual(2);
  });

  it("expires keys: a key whose exp has passed stops working at the token endpoint (MP-121)", async () => {
    const { consumer } = roles(sim());
    await sim().control.setClockOffset(0);
    const consumerApi = await adminApi(sim(), consumer);
    const key = rsaKeyPair("short-lived");
    const client = await consumerApi.post("/clients", clientBody({ jwks: { keys: [{ ...key.publicJwk, exp: nowSeconds(600) }] } }));
    const id = client.body.client_id as string;
    expect((await requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open" })).status).toBe(200);
    await sim().control.advanceClock(700);
    const expired = await requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open", now: nowSeconds(700) });
    expectOAuthError(expired, "invalid_grant", /Expired key \(MP-121\): key "short-lived" expired at/, "MP-121");
  });

  it("expires access tokens for the API", async () => {
    const { consumer } = roles(sim());
    await sim().control.setClockOffset(0);
    const caller = await adminApi(sim(), consumer);
    expect((await caller.get("/clients")).status).toBe(200);
    await sim().control.advanceClock(121);
    expectApiError(await caller.get("/clients"), 401, /access token has expired/);
  });

  it("checks certificate validity at the simulator's clock", async () => {
    const { consumer } = roles(sim());
    await sim().control.setClockOffset(0);
    const consumerApi = await adminApi(sim(), consumer);
    const client = await consumerApi.post("/clients", clientBody());
    const cert = await sim().ca.issueBusinessCertificate(consumer.orgno, { notAfter: new Date(Date.now() + 24 * 3600 * 1000) });
    const x5c = [cert.certificatePem.replace(/-----[A-Z ]+-----|\s/g, "")];
    const grant = (now: number) =>
      requestToken(sim(), { clientId: client.body.client_id, x5c, privateKeyPem: cert.privateKeyPem, scope: "difitest:open", now });
    expect((await grant(nowSeconds())).status).toBe(200);
    await sim().control.advanceClock(2 * 24 * 3600);
    expectOAuthError(await grant(nowSeconds(2 * 24 * 3600)), "invalid_grant", /expired at/, "MP-120");
  });
});

describe("key propagation delay", () => {
  const sim = useSimulator({ propagationDelayMs: 300 });

  async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("a new key works only after the delay; a removed key keeps working until the delay passed", async () => {
    const consumerApi = await adminApi(sim(), roles(sim()).consumer);
    const client = await consumerApi.post("/clients", clientBody());
    const id = client.body.client_id as string;
    const key = rsaKeyPair("propagating");
    const token = () => requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open" });

    const added = Date.now();
    await consumerApi.post(`/clients/${id}/jwks`, { keys: [key.publicJwk] });
    const early = await token();
    if (Date.now() - added < 250) {
      expectOAuthError(early, "invalid_grant", /registered on client .* yet: key changes take a while/);
    }
    await waitFor(async () => (await token()).status === 200);
    expect(Date.now() - added).toBeGreaterThanOrEqual(290);

    const removed = Date.now();
    await consumerApi.del(`/clients/${id}/jwks`);
    const stillWorks = await token();
    if (Date.now() - removed < 250) expect(stillWorks.status).toBe(200);
    await waitFor(async () => (await token()).status === 400);
    expect(Date.now() - removed).toBeGreaterThanOrEqual(290);
  });

  it("can be changed at runtime", async () => {
    await sim().control.setPropagationDelay(0);
    const consumerApi = await adminApi(sim(), roles(sim()).consumer);
    const key = rsaKeyPair();
    const client = await consumerApi.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }));
    expect(
      (await requestToken(sim(), { clientId: client.body.client_id, privateJwk: key.privateJwk, scope: "difitest:open" })).status,
    ).toBe(200);
  });
});

describe("organisations, state and reset", () => {
  const sim = useSimulator();

  it("adds an organisation at runtime with working admin credentials", async () => {
    const org = await sim().control.addOrganisation({ orgno: "974760673", name: "Runtime AS", prefixes: ["runtime"] });
    expect(org).toMatchObject({ orgno: "974760673", name: "Runtime AS", prefixes: ["runtime"], adminClientId: "oidc_974760673_api" });
    expect(org.adminKey).toHaveProperty("d");
    const caller = await adminApi(sim(), org);
    expect((await caller.get("/prefix")).body).toEqual(["runtime"]);
    expect((await caller.post("/scopes", { prefix: "runtime", subscope: "x", description: "x" })).status).toBe(200);
    expect(sim().orgs.map((o) => o.orgno)).toContain("974760673");
    await expect(sim().control.addOrganisation({ orgno: "974760673", name: "Again" })).rejects.toMatchObject({ status: 400 });
    await expect(sim().control.addOrganisation({ orgno: "974760674", name: "Bad" })).rejects.toThrow(/mod-11/);
    await expect(sim().control.addOrganisation({ orgno: "889640782", name: "Taken", prefixes: ["eksempel"] })).rejects.toThrow(
      /already owned/,
    );
  });

  it("exposes the whole state without private keys", async () => {
    const state = await sim().control.state();
    expect(state.orgs.map((o) => o.orgno)).toEqual(expect.arrayContaining([sim().digdirOrgno, roles(sim()).owner.orgno]));
    expect(state.clients.length).toBeGreaterThanOrEqual(3);
    expect(state.scopes.map((s) => s.name)).toEqual(expect.arrayContaining(["idporten:dcr.read", "difitest:open"]));
    expect(JSON.stringify(state)).not.toMatch(/"d":/);
  });

  it("resets to the seeded state, keeping organisations and credentials", async () => {
    const { consumer } = roles(sim());
    const caller = await adminApi(sim(), consumer);
    const created = await caller.post("/clients", clientBody());
    expect(created.status).toBe(200);
    await sim().control.reset();
    const again = await adminApi(sim(), consumer);
    expectApiError(await again.get(`/clients/${created.body.client_id}`), 404);
    expect((await again.get("/clients")).body.map((c: { client_id: string }) => c.client_id)).toEqual([
      consumer.adminClientId,
      consumer.certificateClientId,
    ]);
  });

  it("seeds three organisations with valid numbers, admin clients and admin scopes", async () => {
    const { owner, consumer, supplier } = roles(sim());
    expect(owner).toMatchObject({ orgno: "311000004", prefixes: ["eksempel"] });
    expect(consumer.orgno).toBe("312000008");
    expect(supplier.adminScopes).toContain("idporten:dcr.supplier");
    expect(owner.adminScopes).not.toContain("idporten:dcr.supplier");
    expect(owner.adminKey).toMatchObject({ kty: "RSA", kid: expect.any(String), alg: "RS256", d: expect.any(String) });
    const info = sim().startupInfo();
    expect(info).toMatchObject({
      issuer: sim().issuer,
      token_endpoint: sim().tokenEndpoint,
      jwks_uri: sim().jwksUri,
      api_base_url: sim().apiBaseUrl,
      url: sim().url,
    });
    expect(info.orgs[0]).toEqual({
      orgno: owner.orgno,
      name: owner.name,
      prefixes: owner.prefixes,
      admin_client_id: owner.adminClientId,
      admin_key: owner.adminKey,
      admin_scopes: owner.adminScopes,
      certificate_client_id: owner.certificateClientId,
    });
  });
});
