import { generateKeyPairSync } from "node:crypto";
import * as jose from "jose";
import {
  adminApi,
  api,
  adminToken,
  clientBody,
  expectApiError,
  requestToken,
  roles,
  rsaKeyPair,
  useSimulator,
  type ApiCaller,
} from "./helpers";

describe("self-service API: bearer token", () => {
  const sim = useSimulator();

  it("answers 401 without a token, with WWW-Authenticate and an ApiErrorResponse", async () => {
    const res = await api(sim(), undefined).get("/clients");
    expectApiError(res, 401, /missing bearer token/);
    expect(res.body.error).toBe("invalid_token");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 401 to a malformed Authorization header", async () => {
    const res = await api(sim(), undefined).send("GET", "/clients", undefined, { authorization: "Basic dXNlcjpwYXNz" });
    expectApiError(res, 401, /Bearer <access token>/);
  });

  it("answers 401 to a token signed by someone else, without echoing it", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = await new jose.SignJWT({
      scope: "idporten:dcr.read",
      consumer: { authority: "iso6523-actorid-upis", ID: "0192:312000008" },
    })
      .setProtectedHeader({ alg: "RS256", kid: "forged" })
      .setIssuer(sim().issuer)
      .setIssuedAt()
      .setExpirationTime("2m")
      .sign(privateKey);
    const res = await api(sim(), forged).get("/clients");
    expectApiError(res, 401, /not a token issued by this Maskinporten/);
    expect(JSON.stringify(res.body)).not.toContain(forged);
  });

  it("accepts a token of this simulator", async () => {
    const res = await api(sim(), await adminToken(sim(), roles(sim()).consumer)).get("/clients");
    expect(res.status).toBe(200);
  });
});

describe("self-service API: admin scopes per operation", () => {
  const sim = useSimulator();
  const { dcrRead, dcrWrite, dcrModify, scopesRead, scopesWrite } = {
    dcrRead: "idporten:dcr.read",
    dcrWrite: "idporten:dcr.write",
    dcrModify: "idporten:dcr.modify",
    scopesRead: "idporten:scopes.read",
    scopesWrite: "idporten:scopes.write",
  };

  it("needs idporten:dcr.read to read clients", async () => {
    const { consumer } = roles(sim());
    const without = await adminApi(sim(), consumer, [dcrWrite]);
    const res = await without.get("/clients");
    expectApiError(res, 403, "missing scope idporten:dcr.read: the access token must carry it");
    expect(res.body.error).toBe("insufficient_scope");
    expect((await (await adminApi(sim(), consumer, [dcrRead])).get("/clients")).status).toBe(200);
  });

  it("needs idporten:dcr.write to create and delete clients", async () => {
    const { consumer } = roles(sim());
    const readOnly = await adminApi(sim(), consumer, [dcrRead, dcrModify]);
    expectApiError(await readOnly.post("/clients", clientBody()), 403, /^missing scope idporten:dcr\.write:/);
    const writer = await adminApi(sim(), consumer, [dcrWrite]);
    const created = await writer.post("/clients", clientBody());
    expect(created.status).toBe(200);
    expectApiError(await readOnly.del(`/clients/${created.body.client_id}`), 403, /missing scope idporten:dcr\.write/);
    expect((await writer.del(`/clients/${created.body.client_id}`)).status).toBe(200);
  });

  it("accepts dcr.write or dcr.modify for key changes and client updates", async () => {
    const { consumer } = roles(sim());
    const writer = await adminApi(sim(), consumer, [dcrWrite]);
    const created = await writer.post("/clients", clientBody());
    const id = created.body.client_id as string;
    const modifier = await adminApi(sim(), consumer, [dcrModify]);
    expect((await modifier.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair().publicJwk] })).status).toBe(200);
    expect((await modifier.put(`/clients/${id}`, clientBody({ description: "changed" }))).status).toBe(200);
    const reader = await adminApi(sim(), consumer, [dcrRead]);
    expectApiError(
      await reader.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair().publicJwk] }),
      403,
      "missing scope idporten:dcr.write or idporten:dcr.modify: the access token must carry it",
    );
  });

  it("needs idporten:scopes.write to change scopes and grants, scopes.read (or write) to read them", async () => {
    const { owner, consumer } = roles(sim());
    const reader = await adminApi(sim(), owner, [scopesRead]);
    expectApiError(
      await reader.post("/scopes", { prefix: "eksempel", subscope: "a", description: "A" }),
      403,
      /missing scope idporten:scopes\.write/,
    );
    expect((await reader.get("/scopes")).status).toBe(200);
    expect((await reader.get("/prefix")).status).toBe(200);
    const writer = await adminApi(sim(), owner, [scopesWrite]);
    expect((await writer.post("/scopes", { prefix: "eksempel", subscope: "a", description: "A" })).status).toBe(200);
    expect((await writer.get("/scopes")).status).toBe(200);
    expectApiError(await reader.put(`/scopes/access/${consumer.orgno}?scope=eksempel:a`), 403, /missing scope idporten:scopes\.write/);
    expect((await writer.put(`/scopes/access/${consumer.orgno}?scope=eksempel:a`)).status).toBe(200);
    const clientsOnly = await adminApi(sim(), owner, [dcrRead]);
    expectApiError(await clientsOnly.get("/scopes"), 403, /missing scope idporten:scopes\.read or idporten:scopes\.write/);
  });

  it("refuses the API to a token without admin scopes", async () => {
    const { consumer } = roles(sim());
    const writer = await adminApi(sim(), consumer);
    const key = rsaKeyPair();
    const created = await writer.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }));
    const token = await requestToken(sim(), { clientId: created.body.client_id, privateJwk: key.privateJwk, scope: "difitest:open" });
    expectApiError(await api(sim(), token.body.access_token).get("/clients"), 403, /missing scope idporten:dcr\.read/);
  });
});

describe("self-service API: objects of other organisations", () => {
  const sim = useSimulator();
  let ownerApi: ApiCaller;
  let consumerApi: ApiCaller;
  let supplierApi: ApiCaller;
  let ownerClientId: string;

  beforeAll(async () => {
    const { owner, consumer, supplier } = roles(sim());
    ownerApi = await adminApi(sim(), owner);
    consumerApi = await adminApi(sim(), consumer);
    supplierApi = await adminApi(sim(), supplier);
    ownerClientId = (await ownerApi.post("/clients", clientBody())).body.client_id;
  });

  it("answers 403 naming the owner for another organisation's client, on every client route", async () => {
    const { owner, consumer } = roles(sim());
    const expected = new RegExp(`belongs to organisation ${owner.orgno} \\(${owner.name}\\), not to yours \\(${consumer.orgno}\\)`);
    expectApiError(await consumerApi.get(`/clients/${ownerClientId}`), 403, expected);
    expectApiError(await consumerApi.put(`/clients/${ownerClientId}`, clientBody()), 403, expected);
    expectApiError(await consumerApi.del(`/clients/${ownerClientId}`), 403, expected);
    expectApiError(await consumerApi.get(`/clients/${ownerClientId}/jwks`), 403, expected);
    expectApiError(await consumerApi.post(`/clients/${ownerClientId}/jwks`, { keys: [rsaKeyPair().publicJwk] }), 403, expected);
    expectApiError(await consumerApi.del(`/clients/${ownerClientId}/jwks/x`), 403, expected);
    expect((await ownerApi.get(`/clients/${ownerClientId}`)).status).toBe(200);
  });

  it("lists only the caller's own clients", async () => {
    const list = await consumerApi.get("/clients");
    expect(list.status).toBe(200);
    expect(list.body.map((c: { client_id: string }) => c.client_id)).not.toContain(ownerClientId);
  });

  it("refuses client_orgno of another organisation without idporten:dcr.supplier", async () => {
    const { owner, consumer } = roles(sim());
    const res = await consumerApi.post("/clients", clientBody({ client_orgno: owner.orgno }));
    expectApiError(
      res,
      403,
      new RegExp(`client_orgno ${owner.orgno} is not your organisation \\(${consumer.orgno}\\).*idporten:dcr\\.supplier`),
    );
  });

  it("lets a supplier create and manage a client for another organisation", async () => {
    const { consumer, supplier } = roles(sim());
    const created = await supplierApi.post("/clients", clientBody({ client_orgno: consumer.orgno }));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ client_orgno: consumer.orgno, supplier_orgno: supplier.orgno });
    const id = created.body.client_id as string;
    expect((await supplierApi.get(`/clients/${id}`)).status).toBe(200);
    expect((await supplierApi.get("/clients")).body.map((c: { client_id: string }) => c.client_id)).toContain(id);
    expect((await consumerApi.get("/clients")).body.map((c: { client_id: string }) => c.client_id)).toContain(id);
    const key = rsaKeyPair();
    expect((await supplierApi.post(`/clients/${id}/jwks`, { keys: [key.publicJwk] })).status).toBe(200);
    const token = await requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open" });
    expect(token.status).toBe(200);
    expect(jose.decodeJwt(token.body.access_token)).toMatchObject({
      consumer: { authority: "iso6523-actorid-upis", ID: `0192:${consumer.orgno}` },
      supplier: { authority: "iso6523-actorid-upis", ID: `0192:${supplier.orgno}` },
    });
  });

  it("validates client_orgno with the mod-11 check digit", async () => {
    const res = await supplierApi.post("/clients", clientBody({ client_orgno: "312000009" }));
    expectApiError(res, 400, /mod-11/);
    expect(res.body.errors).toEqual([expect.objectContaining({ isFieldError: true, fieldIdentifier: "client_orgno" })]);
  });
});
