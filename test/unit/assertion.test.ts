import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";
import { createGrantAssertion, DEFAULT_ASSERTION_LIFETIME_SECONDS, type GrantAssertionOptions } from "../../provider/api/assertion";
import { loadCredential, type Credential, type CredentialSpec } from "../../provider/api/credentials";
import { generateKeyPair, toPublicJwk, type GeneratedKey } from "../../provider/keys";
import { businessPki, makePkcs12, pemBody, type TestPki } from "../helpers/certificates";
import { expectRejection } from "../helpers/rejections";

const AUDIENCE = "https://test.maskinporten.no/";
const CLIENT_ID = "4f9a7c1e-2b6d-4c3a-9e8f-1a2b3c4d5e6f";
const SCOPES = ["idporten:dcr.read", "idporten:dcr.write"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let key: GeneratedKey;
let pki: TestPki;
beforeAll(async () => {
  key = await generateKeyPair({ modulusLength: 2048, kid: "admin-TEST.2026-01-31" });
  pki = businessPki({ orgno: "991825827" });
});

async function verifyWithJwk(jwt: string, jwk: jose.JWK) {
  return jose.jwtVerify(jwt, await jose.importJWK(jwk, jwk.alg), {
    issuer: CLIENT_ID,
    audience: AUDIENCE,
    algorithms: ["RS256", "RS384", "RS512"],
  });
}

describe("round trip: generate, export each private form, load, sign, verify with the public JWK", () => {
  const forms: [string, () => CredentialSpec][] = [
    ["private JWK JSON", () => ({ privateKey: key.privateJwkJson })],
    ["the altinn-jwks base64 private JWK", () => ({ privateKey: key.privateJwkBase64 })],
    ["PKCS#8 PEM", () => ({ privateKey: key.privateKeyPem, kid: key.kid })],
    [
      "PKCS#1 PEM",
      () => ({ privateKey: createPrivateKey(key.privateKeyPem).export({ type: "pkcs1", format: "pem" }) as string, kid: key.kid }),
    ],
  ];

  it.each(forms)("%s", async (_name, spec) => {
    const credential = await loadCredential({ clientId: CLIENT_ID, ...spec() });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await createGrantAssertion({ credential, audience: AUDIENCE, scopes: SCOPES, now });
    const { payload, protectedHeader } = await verifyWithJwk(jwt, key.publicJwk);
    expect(protectedHeader).toEqual({ alg: "RS256", kid: "admin-TEST.2026-01-31" });
    expect(payload).toEqual({
      aud: AUDIENCE,
      iss: CLIENT_ID,
      scope: "idporten:dcr.read idporten:dcr.write",
      iat: now,
      exp: now + DEFAULT_ASSERTION_LIFETIME_SECONDS,
      jti: expect.stringMatching(UUID),
    });
  });

  it.each(["RS384", "RS512"] as const)("signs with the JWK's alg %s", async (alg) => {
    const credential = await loadCredential({ clientId: CLIENT_ID, privateKey: JSON.stringify({ ...key.privateJwk, alg }) });
    const jwt = await createGrantAssertion({ credential, audience: AUDIENCE, scopes: SCOPES });
    const { protectedHeader } = await verifyWithJwk(jwt, { ...key.publicJwk, alg });
    expect(protectedHeader.alg).toBe(alg);
  });

  it("the altinn-jwks example signs what its `export maskinporten` key verifies", async () => {
    const fixture = (name: string) => readFileSync(join(__dirname, "../fixtures", name), "utf8").trim();
    const credential = await loadCredential({ clientId: CLIENT_ID, privateKey: fixture("altinn-jwks-testklient.base64") });
    const jwt = await createGrantAssertion({ credential, audience: AUDIENCE, scopes: ["altinn:serviceowner"] });
    const { jwk } = await toPublicJwk(fixture("altinn-jwks-testklient.maskinporten.json"), { field: "publicKey" });
    const { protectedHeader, payload } = await verifyWithJwk(jwt, jwk);
    expect(protectedHeader).toEqual({ alg: "RS256", kid: "testklient-TEST.2024-07-10" });
    expect(payload.scope).toBe("altinn:serviceowner");
  });
});

describe("a business certificate signs with x5c and no kid", () => {
  it.each([
    [
      "PKCS#12",
      (): CredentialSpec => ({
        p12: makePkcs12({
          key: pki.leaf.key,
          certificatesPem: [pki.leaf.certificatePem, pki.intermediate.certificatePem],
          password: "pw-123456",
        }).toString("base64"),
        p12Password: "pw-123456",
      }),
    ],
    [
      "PEM",
      (): CredentialSpec => ({
        certificatePem: pki.leaf.certificatePem + pki.intermediate.certificatePem,
        certificateKeyPem: pki.leaf.key.privateKeyPem,
      }),
    ],
  ])("from %s", async (_name, spec) => {
    const credential = await loadCredential({ clientId: CLIENT_ID, ...spec() });
    const jwt = await createGrantAssertion({ credential, audience: AUDIENCE, scopes: SCOPES });
    const header = jose.decodeProtectedHeader(jwt);
    expect(header).toEqual({ alg: "RS256", x5c: [pki.leaf.certificatePem, pki.intermediate.certificatePem].map(pemBody) });
    const leafPem = `-----BEGIN CERTIFICATE-----\n${header.x5c![0]}\n-----END CERTIFICATE-----`;
    const { payload } = await jose.jwtVerify(jwt, await jose.importX509(leafPem, "RS256"), { issuer: CLIENT_ID, audience: AUDIENCE });
    expect(payload.scope).toBe("idporten:dcr.read idporten:dcr.write");
  });
});

describe("createGrantAssertion claims", () => {
  let credential: Credential;
  beforeAll(async () => {
    credential = await loadCredential({ clientId: CLIENT_ID, privateKey: key.privateJwkJson });
  });
  const create = (options: Partial<GrantAssertionOptions> = {}) =>
    createGrantAssertion({ credential, audience: AUDIENCE, scopes: SCOPES, ...options });

  it("adds resource as given, a string or a list", async () => {
    expect(jose.decodeJwt(await create({ resource: "https://api.example.no/" })).resource).toBe("https://api.example.no/");
    expect(jose.decodeJwt(await create({ resource: ["a", "b"] })).resource).toEqual(["a", "b"]);
    expect(jose.decodeJwt(await create())).not.toHaveProperty("resource");
  });

  it("uses a fresh jti every time, or the given one", async () => {
    const [a, b] = await Promise.all([create(), create()]);
    expect(jose.decodeJwt(a!).jti).not.toBe(jose.decodeJwt(b!).jti);
    expect(jose.decodeJwt(await create({ jti: "my-jti" })).jti).toBe("my-jti");
  });

  it("takes now and the lifetime, up to Maskinporten's 120 seconds", async () => {
    const payload = jose.decodeJwt(await create({ now: 1_800_000_000, lifetimeSeconds: 120 }));
    expect(payload).toMatchObject({ iat: 1_800_000_000, exp: 1_800_000_120 });
  });

  it.each([
    [{ lifetimeSeconds: 121 }, "lifetimeSeconds", /from 1 to 120/],
    [{ lifetimeSeconds: 0 }, "lifetimeSeconds", /from 1 to 120/],
    [{ lifetimeSeconds: 1.5 }, "lifetimeSeconds", /whole number/],
    [{ now: Date.now() }, "now", /whole seconds/],
    [{ scopes: [] }, "scopes", /at least one scope/],
    [{ scopes: ["a b"] }, "scopes[0]", /without spaces/],
    [{ scopes: ["ok:scope", ""] }, "scopes[1]", /without spaces/],
    [{ audience: "" }, "audience", /is required/],
    [{ resource: [] }, "resource", /non-empty audience/],
    [{ resource: "" }, "resource", /non-empty audience/],
    [{ jti: "" }, "jti", /never reused/],
  ] as [Partial<GrantAssertionOptions>, string, RegExp][])("refuses %p", async (options, field, message) => {
    const error = await expectRejection(create(options), { code: "INVALID_CONFIG", field, secrets: [key.privateJwk.d] });
    expect(error.message).toMatch(message);
  });
});
