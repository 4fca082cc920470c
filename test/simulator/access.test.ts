import { wire } from "../../provider/api/wire";
import {
  adminApi,
  clientBody,
  expectApiError,
  expectOAuthError,
  requestToken,
  roles,
  rsaKeyPair,
  useSimulator,
  type ApiCaller,
} from "./helpers";

describe("self-service API: /scopes/access (grants)", () => {
  const sim = useSimulator();
  let ownerApi: ApiCaller;
  let consumerApi: ApiCaller;
  const SCOPE = "eksempel:grants";

  beforeAll(async () => {
    ownerApi = await adminApi(sim(), roles(sim()).owner);
    consumerApi = await adminApi(sim(), roles(sim()).consumer);
    expect((await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "grants", description: "granted in tests" })).status).toBe(200);
  });

  it("walks the whole handshake: no access → grant → client and token → revoke (DENIED) → token refused → grant again", async () => {
    const { owner, consumer } = roles(sim());
    expectApiError(await consumerApi.post("/clients", clientBody({ scopes: [SCOPE] })), 400, /has no access to scope "eksempel:grants"/);

    const granted = await ownerApi.put(`/scopes/access/${consumer.orgno}?scope=${SCOPE}`);
    expect(granted.status).toBe(200);
    expect(wire().scopeAccess.parse(granted.body)).toEqual({
      scope: SCOPE,
      state: "APPROVED",
      owner_orgno: owner.orgno,
      owner_organization_name: owner.name,
      consumer_orgno: consumer.orgno,
      consumer_organization_name: consumer.name,
      created: expect.any(String),
      last_updated: expect.any(String),
    });

    const key = rsaKeyPair();
    const client = await consumerApi.post("/clients", clientBody({ scopes: [SCOPE], jwks: { keys: [key.publicJwk] } }));
    expect(client.status).toBe(200);
    const token = () => requestToken(sim(), { clientId: client.body.client_id, privateJwk: key.privateJwk, scope: SCOPE });
    expect((await token()).status).toBe(200);

    const revoked = await ownerApi.del(`/scopes/access/${consumer.orgno}?scope=${SCOPE}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ scope: SCOPE, state: "DENIED", created: granted.body.created });
    // reference, "Evidence from production callers": a revoked grant is `forbidden` (MP-250), not invalid_scope
    expectOAuthError(await token(), "forbidden", /^Consumer has not been granted access to the scope eksempel:grants/, "MP-250");
    expectApiError(await consumerApi.post("/clients", clientBody({ scopes: [SCOPE] })), 400, /the grant is DENIED/);

    const listed = await ownerApi.get(`/scopes/access?scope=${SCOPE}`);
    expect(listed.body).toEqual([expect.objectContaining({ consumer_orgno: consumer.orgno, state: "DENIED" })]);

    const again = await ownerApi.put(`/scopes/access/${consumer.orgno}?scope=${SCOPE}`);
    expect(again.body).toMatchObject({ state: "APPROVED", created: granted.body.created });
    expect((await token()).status).toBe(200);
  });

  it("granting twice changes nothing", async () => {
    const orgno = "889640782";
    const first = await ownerApi.put(`/scopes/access/${orgno}?scope=${SCOPE}`);
    const second = await ownerApi.put(`/scopes/access/${orgno}?scope=${SCOPE}`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it("grants to any valid organisation number, known to the simulator or not", async () => {
    const res = await ownerApi.put(`/scopes/access/974760673?scope=${SCOPE}`);
    expect(res.status).toBe(200);
    expect(res.body.consumer_orgno).toBe("974760673");
    expect(res.body).not.toHaveProperty("consumer_organization_name");
  });

  it("answers 400 to an organisation number failing mod-11, in the path and in ?consumer_orgno=", async () => {
    const res = await ownerApi.put(`/scopes/access/974760674?scope=${SCOPE}`);
    expectApiError(res, 400, /not a valid organisation number: its last digit fails the mod-11 check/);
    expect(res.body.errors[0].fieldIdentifier).toBe("consumer_orgno");
    expectApiError(await ownerApi.put(`/scopes/access/12345?scope=${SCOPE}`), 400, /nine digits/);
    expectApiError(await ownerApi.get("/scopes/access?consumer_orgno=974760674"), 400, /mod-11/);
  });

  it("answers 404 for an unknown scope and for revoking a grant that never existed; 400 without ?scope=", async () => {
    expectApiError(await ownerApi.put(`/scopes/access/974760673?scope=eksempel:nope`), 404, /does not exist/);
    expectApiError(await ownerApi.del(`/scopes/access/991825827?scope=${SCOPE}`), 404, /has never been granted/);
    expectApiError(await ownerApi.put(`/scopes/access/974760673`), 400, /scope is required/);
  });

  it("answers 403 when granting or revoking another organisation's scope", async () => {
    const { consumer } = roles(sim());
    expectApiError(
      await consumerApi.put(`/scopes/access/${consumer.orgno}?scope=difitest:restricted`),
      403,
      /belongs to organisation 991825827/,
    );
    expectApiError(await consumerApi.del(`/scopes/access/${consumer.orgno}?scope=${SCOPE}`), 403, /belongs to organisation 311000004/);
  });

  it("lists grants given by scope or by consumer, and 400 with neither", async () => {
    const { consumer } = roles(sim());
    await ownerApi.put(`/scopes/access/${consumer.orgno}?scope=${SCOPE}`);
    const byScope = await ownerApi.get(`/scopes/access?scope=${SCOPE}`);
    expect(byScope.status).toBe(200);
    expect(byScope.body.map((g: { consumer_orgno: string }) => g.consumer_orgno)).toEqual(
      expect.arrayContaining([consumer.orgno, "889640782"]),
    );
    const byConsumer = await ownerApi.get(`/scopes/access?consumer_orgno=${consumer.orgno}`);
    expect(byConsumer.body).toEqual([expect.objectContaining({ scope: SCOPE, consumer_orgno: consumer.orgno })]);
    expectApiError(await ownerApi.get("/scopes/access"), 400, /give \?scope=/);
    expectApiError(await consumerApi.get(`/scopes/access?scope=${SCOPE}`), 403);
  });

  it("lists grants received with /scopes/access/all, including Digdir's admin scopes", async () => {
    const { consumer } = roles(sim());
    await ownerApi.put(`/scopes/access/${consumer.orgno}?scope=${SCOPE}`);
    const res = await consumerApi.get("/scopes/access/all");
    expect(res.status).toBe(200);
    const scopes = res.body.map((g: { scope: string }) => g.scope);
    expect(scopes).toEqual(expect.arrayContaining([SCOPE, "idporten:dcr.read", "idporten:scopes.write"]));
    expect(res.body.every((g: { consumer_orgno: string }) => g.consumer_orgno === consumer.orgno)).toBe(true);
    expect((await ownerApi.get("/scopes/access/all")).body.map((g: { scope: string }) => g.scope)).not.toContain(SCOPE);
  });

  it("keeps grants when the scope is deactivated", async () => {
    const { consumer } = roles(sim());
    await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "kept", description: "x" });
    await ownerApi.put(`/scopes/access/${consumer.orgno}?scope=eksempel:kept`);
    await ownerApi.del("/scopes?scope=eksempel:kept");
    const res = await ownerApi.get("/scopes/access?scope=eksempel:kept");
    expect(res.body).toEqual([expect.objectContaining({ consumer_orgno: consumer.orgno, state: "APPROVED" })]);
  });
});
