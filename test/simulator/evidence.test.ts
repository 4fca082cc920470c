/**
 * The behaviours "Evidence from production callers" leaves in no doubt, so the simulator always has them,
 * and the token endpoint as real callers see it. Through real HTTP, under the default preset.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import forge from "node-forge";
import { withTestVariant } from "../helpers/simulator-variant";
import {
  adminApi,
  api,
  clientBody,
  expectApiError,
  expectOAuthError,
  requestToken,
  roles,
  rsaKeyPair,
  testVariantArgs,
  useSimulator,
  type ApiCaller,
  type KeyPair,
} from "./helpers";

const sim = useSimulator({ variant: "default" });
let ownerApi: ApiCaller;
let consumerApi: ApiCaller;

beforeAll(async () => {
  ownerApi = await adminApi(sim(), roles(sim()).owner);
  consumerApi = await adminApi(sim(), roles(sim()).consumer);
});

function x5cOf(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => m[1]!.replace(/\s+/g, ""));
}

describe("scopes as digdirator sends and reads them", () => {
  it('tolerates "name": "" on POST and PUT', async () => {
    const created = await ownerApi.post("/scopes", { name: "", prefix: "eksempel", subscope: "unnamed", description: "x" });
    expect(created.status).toBe(200);
    expect(created.body.name).toBe("eksempel:unnamed");
    expect((await ownerApi.put("/scopes?scope=eksempel:unnamed", { name: "", description: "y" })).body).toMatchObject({
      name: "eksempel:unnamed",
      description: "y",
    });
  });

  it("allows ':' in a subscope, on a client of a granted consumer, and in its token", async () => {
    const scope = "eksempel:aap:afpprivat.read";
    expect((await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "aap:afpprivat.read", description: "x" })).body).toMatchObject({
      name: scope,
      prefix: "eksempel",
      subscope: "aap:afpprivat.read",
    });
    expect((await ownerApi.put(`/scopes/access/${roles(sim()).consumer.orgno}?scope=${scope}`)).status).toBe(200);
    const key = rsaKeyPair();
    const client = await consumerApi.post("/clients", clientBody({ scopes: [scope], jwks: { keys: [key.publicJwk] } }));
    expect(client.status).toBe(200);
    expect((await requestToken(sim(), { clientId: client.body.client_id, privateJwk: key.privateJwk, scope })).body.scope).toBe(scope);
  });

  it("returns whole scope objects that can be put back as read", async () => {
    await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "whole", description: "x" });
    const read = (await ownerApi.get("/scopes/scope?scope=eksempel:whole")).body;
    expect(read).toMatchObject({
      long_description: "",
      at_max_age: 0,
      delegation_source: "",
      protected: false,
      supports_european_businesses: false,
      "description#en": "",
    });
    const { created: _c, last_updated: _u, ...echoed } = read;
    expect((await ownerApi.put("/scopes?scope=eksempel:whole", echoed)).body).toEqual({ ...read, last_updated: expect.any(String) });
  });
});

describe("other answers of the self-service API", () => {
  it("GET /api/v1/delegationsources is public", async () => {
    const res = await api(sim(), undefined).get("/delegationsources");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { name: "altinn", issuer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/authentication\/api\/v1\/openid\/$/) },
    ]);
  });

  it("JWKS answers carry set-level created and last_updated", async () => {
    const id = (await consumerApi.post("/clients", clientBody({ jwks: { keys: [rsaKeyPair("one").publicJwk] } }))).body.client_id;
    const first = (await consumerApi.get(`/clients/${id}/jwks`)).body;
    expect(first).toEqual({
      keys: [expect.objectContaining({ kid: "one" })],
      created: expect.any(String),
      last_updated: expect.any(String),
    });
    const second = (await consumerApi.put(`/clients/${id}/jwks/two`, rsaKeyPair("two").publicJwk)).status;
    expect(second).toBe(200);
    expect((await consumerApi.get(`/clients/${id}/jwks`)).body.created).toBe(first.created);
  });

  it("refuses a key with a public exponent below 3 or an even modulus", async () => {
    const id = (await consumerApi.post("/clients", clientBody())).body.client_id;
    const { publicJwk } = rsaKeyPair("weak");
    expectApiError(
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...publicJwk, e: "AQ" }] }),
      400,
      /keys\[0\]\.e is a public exponent below 3/,
    );
    const n = Buffer.from(publicJwk.n, "base64url");
    n[n.length - 1]! &= 0xfe;
    expectApiError(
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...publicJwk, n: n.toString("base64url") }] }),
      400,
      /keys\[0\]\.n is an even number/,
    );
    // 3 is the smallest exponent allowed
    expect((await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...publicJwk, e: "Aw" }] })).status).toBe(200);
  });
});

describe("certificate-authenticated self-service clients", () => {
  it.each([0, 1, 2])("seeded organisation %i: a PKCS#12 from the handle gets an admin token by x5c and calls the API", async (i) => {
    const org = sim().orgs[i]!;
    const cert = await sim().adminCertificate(org.orgno, { password: "test-password" });
    expect(cert.clientId).toBe(org.certificateClientId);
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(cert.p12Base64)), cert.password);
    const bagType = forge.pki.oids["pkcs8ShroudedKeyBag"]!;
    const bags = p12.getBags({ bagType })[bagType]!;
    const keyPem = createPrivateKey(forge.pki.privateKeyToPem(bags[0]!.key!)).export({ type: "pkcs8", format: "pem" }) as string;
    expect(createPublicKey(keyPem).export({ format: "jwk" }).n).toBe(createPublicKey(cert.privateKeyPem).export({ format: "jwk" }).n);
    const res = await requestToken(sim(), {
      clientId: cert.clientId,
      x5c: x5cOf(cert.chainPem),
      privateKeyPem: keyPem,
      scope: "idporten:dcr.read",
    });
    expect(res.status).toBe(200);
    expect((await api(sim(), res.body.access_token).get("/clients")).status).toBe(200);
  });

  it("the control route hands out the same kind of certificate; an unknown organisation is 400", async () => {
    const { consumer } = roles(sim());
    const cert = await sim().control.adminCertificate(consumer.orgno);
    expect(cert).toMatchObject({ clientId: consumer.certificateClientId, p12Base64: expect.any(String), password: expect.any(String) });
    await expect(sim().control.adminCertificate("974760673")).rejects.toThrow(/has no seeded self-service client/);
  });
});

describe("token endpoint as production callers see it", () => {
  let key: KeyPair;
  let clientId: string;

  beforeAll(async () => {
    key = rsaKeyPair("evidence-key");
    clientId = (await consumerApi.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }))).body.client_id;
  });

  const grant = (overrides: Partial<Parameters<typeof requestToken>[1]> = {}) =>
    requestToken(sim(), { clientId, privateJwk: key.privateJwk, scope: "difitest:open", ...overrides });

  it("accepts sub equal to the client_id and refuses another", async () => {
    expect((await grant({ claims: { sub: clientId } })).status).toBe(200);
    expectOAuthError(await grant({ claims: { sub: "someone-else" } }), "invalid_grant", /sub, when present, must be your client_id/);
  });

  it("accepts kid with x5c: the registered kid decides", async () => {
    const cert = await sim().ca.issueBusinessCertificate(roles(sim()).consumer.orgno);
    expect((await grant({ header: { x5c: x5cOf(cert.chainPem) } })).status).toBe(200);
    expectOAuthError(
      await grant({ header: { kid: "unregistered", x5c: x5cOf(cert.chainPem) } }),
      "invalid_grant",
      /^Unknown key identifier \(kid\) for client\./,
    );
  });

  it("refuses consumer_org equal to the client's own organisation with Maskinporten's text", async () => {
    expectOAuthError(
      await grant({ claims: { consumer_org: roles(sim()).consumer.orgno } }),
      "invalid_grant",
      /^The combination consumer_org in claim and delegation scope on client is invalid \(trace_id/,
    );
  });

  it('answers "Invalid JWT signature" for a signature of another key', async () => {
    expectOAuthError(await grant({ privateJwk: rsaKeyPair(key.kid).privateJwk }), "invalid_grant", /^Invalid JWT signature\./);
  });

  it("answers forbidden (MP-250) for a scope on the client whose grant was revoked, with error_uri and trace_id", async () => {
    const scope = "eksempel:revoked";
    await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "revoked", description: "x" });
    await ownerApi.put(`/scopes/access/${roles(sim()).consumer.orgno}?scope=${scope}`);
    const k = rsaKeyPair();
    const id = (await consumerApi.post("/clients", clientBody({ scopes: [scope], jwks: { keys: [k.publicJwk] } }))).body.client_id;
    expect((await requestToken(sim(), { clientId: id, privateJwk: k.privateJwk, scope })).status).toBe(200);
    await ownerApi.del(`/scopes/access/${roles(sim()).consumer.orgno}?scope=${scope}`);
    const res = await requestToken(sim(), { clientId: id, privateJwk: k.privateJwk, scope });
    expectOAuthError(res, "forbidden", `Consumer has not been granted access to the scope ${scope}`, "MP-250");
    expect(res.body.error_uri).toBe(`${sim().url}/errors/MP-250`);
  });
});

describe("the test hook", () => {
  const saved = process.env["MASKINPORTEN_TEST_SIM_VARIANT"];
  afterEach(() => {
    if (saved === undefined) delete process.env["MASKINPORTEN_TEST_SIM_VARIANT"];
    else process.env["MASKINPORTEN_TEST_SIM_VARIANT"] = saved;
  });

  it("MASKINPORTEN_TEST_SIM_VARIANT becomes the base of the test helpers' simulators; a test's own switches stay on top", () => {
    process.env["MASKINPORTEN_TEST_SIM_VARIANT"] = "adverse";
    expect(withTestVariant({ port: 0 })).toEqual({ port: 0, variant: "adverse" });
    expect(withTestVariant({ variant: { clientIdOnCreate: "honoured" } })).toEqual({
      variant: { base: "adverse", clientIdOnCreate: "honoured" },
    });
    expect(withTestVariant({ variant: "default" })).toEqual({ variant: "default" });
    expect(testVariantArgs()).toEqual(["--variant", "adverse"]);
    process.env["MASKINPORTEN_TEST_SIM_VARIANT"] = '{"base":"adverse","keylessJwks":"404"}';
    expect(testVariantArgs()).toEqual(["--variant", "adverse", "--set", "keylessJwks=404"]);
    delete process.env["MASKINPORTEN_TEST_SIM_VARIANT"];
    expect(withTestVariant({ port: 0 })).toEqual({ port: 0 });
    expect(testVariantArgs()).toEqual([]);
  });
});
