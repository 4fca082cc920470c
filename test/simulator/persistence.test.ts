import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimulatorHandle } from "../../simulator";
import { adminApi, clientBody, requestToken, roles, rsaKeyPair, startTestSimulator, useSimulator } from "./helpers";

describe("--state FILE: persistence across restarts", () => {
  let dir: string;
  let file: string;
  const running: SimulatorHandle[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mp-sim-state-"));
    file = join(dir, "nested", "state.json");
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<SimulatorHandle> {
    const sim = await startTestSimulator({ stateFile: file });
    running.push(sim);
    return sim;
  }

  it("keeps clients, keys, scopes, grants, admin credentials and the signing key across a restart", async () => {
    const first = await start();
    const { owner, consumer } = roles(first);
    const ownerApi = await adminApi(first, owner);
    const consumerApi = await adminApi(first, consumer);
    await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "persisted", description: "x" });
    await ownerApi.put(`/scopes/access/${consumer.orgno}?scope=eksempel:persisted`);
    const key = rsaKeyPair("persisted-key");
    const client = await consumerApi.post("/clients", clientBody({ scopes: ["eksempel:persisted"], jwks: { keys: [key.publicJwk] } }));
    expect(client.status).toBe(200);
    const signingKid = ((await (await fetch(first.jwksUri)).json()) as { keys: { kid: string }[] }).keys[0]!.kid;
    await first.close();

    const second = await start();
    expect(second.orgs).toEqual(first.orgs);
    const ownerAgain = await adminApi(second, owner);
    const consumerAgain = await adminApi(second, consumer);
    // the same client; only jwks_uri follows the new port
    const jwksUri = `${second.apiBaseUrl}/clients/${client.body.client_id}/jwks`;
    expect((await consumerAgain.get(`/clients/${client.body.client_id}`)).body).toEqual({ ...client.body, jwks_uri: jwksUri });
    expect((await ownerAgain.get("/scopes/access?scope=eksempel:persisted")).body).toEqual([
      expect.objectContaining({ consumer_orgno: consumer.orgno, state: "APPROVED" }),
    ]);
    const token = await requestToken(second, { clientId: client.body.client_id, privateJwk: key.privateJwk, scope: "eksempel:persisted" });
    expect(token.status).toBe(200);
    expect(((await (await fetch(second.jwksUri)).json()) as { keys: { kid: string }[] }).keys[0]!.kid).toBe(signingKid);
    expect(second.ca.certificatePem).toBe(first.ca.certificatePem);
  });

  it("writes after each change, atomically (no temp files left), readable only by the owner", async () => {
    const sim = await start();
    const consumerApi = await adminApi(sim, roles(sim).consumer);
    const created = await consumerApi.post("/clients", clientBody());
    expect(created.status).toBe(200);
    const state = JSON.parse(readFileSync(file, "utf8")) as { clients: { client_id: string }[] };
    expect(state.clients.map((c) => c.client_id)).toContain(created.body.client_id);
    expect(readdirSync(join(dir, "nested"))).toEqual(["state.json"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("has committed and written a change whose response was dropped", async () => {
    const sim = await start();
    const consumerApi = await adminApi(sim, roles(sim).consumer);
    await sim.control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
    await expect(consumerApi.post("/clients", clientBody({ client_name: "dropped-but-saved" }))).rejects.toBeDefined();
    const state = JSON.parse(readFileSync(file, "utf8")) as { clients: { client_name?: string }[] };
    expect(state.clients.map((c) => c.client_name)).toContain("dropped-but-saved");
  });

  it("writes portal edits too", async () => {
    const sim = await start();
    await sim.control.portal(roles(sim).consumer.orgno).createClient(clientBody({ client_id: "from-portal" }));
    expect(readFileSync(file, "utf8")).toContain("from-portal");
  });

  it("refuses a file that is not a simulator state", async () => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "nested"), { recursive: true });
    writeFileSync(file, JSON.stringify({ hello: "world" }));
    await expect(startTestSimulator({ stateFile: file })).rejects.toThrow(/is not a state file of this simulator/);
  });
});

describe("in memory by default", () => {
  const sim = useSimulator();

  it("starts fresh each time: a second simulator has other admin keys", async () => {
    const other = await startTestSimulator();
    try {
      expect(other.orgs.map((o) => o.orgno)).toEqual(sim().orgs.map((o) => o.orgno));
      expect(other.orgs[0]!.adminKey.n).not.toBe(sim().orgs[0]!.adminKey.n);
    } finally {
      await other.close();
    }
  });
});
