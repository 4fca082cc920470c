import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCredential, type CredentialSpec } from "../../provider/api/credentials";
import { generateKeyPair, type GeneratedKey } from "../../provider/keys";
import { businessPki, issueCertificate, makePkcs12, pemBody, type TestPki } from "../helpers/certificates";
import { expectRejection } from "../helpers/rejections";

const CLIENT_ID = "4f9a7c1e-2b6d-4c3a-9e8f-1a2b3c4d5e6f";
const PASSWORD = "Hemmelig-Passord-1";

let key: GeneratedKey;
let pki: TestPki;
let p12: Buffer;
let dir: string;
let p12Path: string;

beforeAll(async () => {
  key = await generateKeyPair({ modulusLength: 2048, kid: "admin-TEST.2026-01-31" });
  pki = businessPki({ orgno: "991825827" });
  p12 = makePkcs12({ key: pki.leaf.key, certificatesPem: [pki.leaf.certificatePem, pki.intermediate.certificatePem], password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), "maskinporten-credentials-"));
  p12Path = join(dir, "virksomhet.p12");
  writeFileSync(p12Path, p12);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secrets = () => [
  pemBody(key.privateKeyPem),
  key.privateJwk.d,
  key.privateJwkBase64,
  PASSWORD,
  p12.toString("base64"),
  pemBody(pki.leaf.key.privateKeyPem),
];

describe("loadCredential: a registered key", () => {
  it.each([
    ["the altinn-jwks base64 private JWK", () => ({ privateKey: key.privateJwkBase64 })],
    ["private JWK JSON", () => ({ privateKey: key.privateJwkJson })],
    ["PEM with maskinporten:kid", () => ({ privateKey: key.privateKeyPem, kid: key.kid })],
  ])("from %s", async (_name, spec) => {
    const credential = await loadCredential({ clientId: CLIENT_ID, ...spec() });
    expect(credential).toEqual({
      kind: "key",
      clientId: CLIENT_ID,
      key: expect.anything(),
      kid: key.kid,
      alg: "RS256",
      publicJwk: key.publicJwk,
    });
  });

  it("lets maskinporten:kid override the kid inside a JWK", async () => {
    const credential = await loadCredential({ clientId: CLIENT_ID, privateKey: key.privateJwkJson, kid: "other-kid" });
    expect(credential).toMatchObject({ kind: "key", kid: "other-kid" });
  });

  it("names the config keys in key errors", async () => {
    const error = await expectRejection(loadCredential({ clientId: CLIENT_ID, privateKey: key.privateKeyPem }), {
      code: "INVALID_KEY",
      field: "maskinporten:kid",
      secrets: secrets(),
    });
    expect(error.message).toContain("maskinporten:privateKey");
    await expectRejection(loadCredential({ clientId: CLIENT_ID, privateKey: key.publicKeyPem }), {
      code: "PUBLIC_KEY_GIVEN",
      field: "maskinporten:privateKey",
      secrets: [pemBody(key.publicKeyPem)],
    });
  });

  it("uses a profile's prefix in every name", async () => {
    const fieldPrefix = "maskinporten:profiles.prod.";
    const error = await expectRejection(loadCredential({ clientId: CLIENT_ID, privateKey: key.privateKeyPem }, { fieldPrefix }), {
      code: "INVALID_KEY",
      field: "maskinporten:profiles.prod.kid",
      secrets: secrets(),
    });
    expect(error.message).toContain("maskinporten:profiles.prod.privateKey");
    await expectRejection(loadCredential({ privateKey: key.privateJwkJson }, { fieldPrefix }), {
      code: "INVALID_CONFIG",
      field: "maskinporten:profiles.prod.clientId",
      secrets: secrets(),
    });
  });
});

describe("loadCredential: a business certificate", () => {
  it.each([
    ["a PKCS#12 path", () => ({ p12: p12Path, p12Password: PASSWORD })],
    ["PKCS#12 base64", () => ({ p12: p12.toString("base64"), p12Password: PASSWORD })],
    [
      "PEM certificate and key",
      () => ({ certificatePem: pki.leaf.certificatePem + pki.intermediate.certificatePem, certificateKeyPem: pki.leaf.key.privateKeyPem }),
    ],
  ])("from %s", async (_name, spec) => {
    const credential = await loadCredential({ clientId: CLIENT_ID, ...spec() });
    expect(credential).toEqual({
      kind: "certificate",
      clientId: CLIENT_ID,
      key: expect.anything(),
      x5c: [pki.leaf.certificatePem, pki.intermediate.certificatePem].map(pemBody),
      orgno: "991825827",
      alg: "RS256",
      subject: expect.stringContaining("NTRNO-991825827"),
      notAfter: expect.any(Date),
    });
  });

  it("names the config keys in certificate errors", async () => {
    await expectRejection(loadCredential({ clientId: CLIENT_ID, p12: p12Path, p12Password: "wrong-password" }), {
      code: "BAD_PASSWORD",
      field: "maskinporten:p12Password",
      secrets: [...secrets(), "wrong-password"],
    });
    const other = await generateKeyPair({ modulusLength: 2048 });
    const error = await expectRejection(
      loadCredential({ clientId: CLIENT_ID, certificatePem: pki.leaf.certificatePem, certificateKeyPem: other.privateKeyPem }),
      {
        code: "CERTIFICATE_KEY_MISMATCH",
        field: "maskinporten:certificatePem",
        secrets: [pemBody(other.privateKeyPem)],
      },
    );
    expect(error.message).toContain("maskinporten:certificateKeyPem");
  });

  it("checks validity at `now`", async () => {
    const notAfter = new Date(Date.UTC(2025, 0, 1));
    const old = issueCertificate({
      commonName: "GAMMEL AS",
      orgno: "991825827",
      issuer: pki.intermediate,
      notBefore: new Date(Date.UTC(2024, 0, 1)),
      notAfter,
    });
    const spec = { clientId: CLIENT_ID, certificatePem: old.certificatePem, certificateKeyPem: old.key.privateKeyPem };
    await expectRejection(loadCredential(spec), {
      code: "CERTIFICATE_EXPIRED",
      field: "maskinporten:certificatePem",
      secrets: [pemBody(old.key.privateKeyPem)],
    });
    await expect(loadCredential(spec, { now: new Date(Date.UTC(2024, 6, 1)) })).resolves.toMatchObject({ kind: "certificate", notAfter });
  });
});

describe("loadCredential: exactly one credential", () => {
  const cases: [string, () => CredentialSpec, string, RegExp][] = [
    [
      "nothing",
      () => ({ clientId: CLIENT_ID }),
      "maskinporten:privateKey",
      /no credential is configured.*maskinporten:p12 with maskinporten:p12Password/,
    ],
    ["only empty strings", () => ({ clientId: CLIENT_ID, privateKey: " ", p12: "" }), "maskinporten:privateKey", /no credential/],
    [
      "a key and a PKCS#12",
      () => ({ clientId: CLIENT_ID, privateKey: key.privateJwkJson, p12: p12Path, p12Password: PASSWORD }),
      "maskinporten:p12",
      /several credentials are configured \(maskinporten:privateKey, maskinporten:p12\)/,
    ],
    [
      "a PKCS#12 and PEM",
      () => ({ clientId: CLIENT_ID, p12: p12Path, p12Password: PASSWORD, certificatePem: "x" }),
      "maskinporten:certificatePem",
      /several credentials/,
    ],
    [
      "a PKCS#12 without password",
      () => ({ clientId: CLIENT_ID, p12: p12Path }),
      "maskinporten:p12Password",
      /is required with maskinporten:p12/,
    ],
    [
      "a password without PKCS#12",
      () => ({ clientId: CLIENT_ID, privateKey: key.privateJwkJson, p12Password: PASSWORD }),
      "maskinporten:p12Password",
      /is set but maskinporten:p12 is not/,
    ],
    [
      "a kid with a certificate",
      () => ({ clientId: CLIENT_ID, p12: p12Path, p12Password: PASSWORD, kid: "k" }),
      "maskinporten:kid",
      /used only with maskinporten:privateKey/,
    ],
    [
      "a certificate without its key",
      () => ({ clientId: CLIENT_ID, certificatePem: pki.leaf.certificatePem }),
      "maskinporten:certificateKeyPem",
      /is required with maskinporten:certificatePem/,
    ],
    [
      "a certificate key without the certificate",
      () => ({ clientId: CLIENT_ID, certificateKeyPem: pki.leaf.key.privateKeyPem }),
      "maskinporten:certificatePem",
      /is required with maskinporten:certificateKeyPem/,
    ],
    ["no client id", () => ({ privateKey: key.privateJwkJson }), "maskinporten:clientId", /is required/],
    ["a client id with spaces", () => ({ clientId: "my client", privateKey: key.privateJwkJson }), "maskinporten:clientId", /whitespace/],
  ];

  it.each(cases)("refuses %s", async (_name, spec, field, message) => {
    const error = await expectRejection(loadCredential(spec()), { code: "INVALID_CONFIG", field, secrets: secrets() });
    expect(error.message).toMatch(message);
  });

  it("treats an empty p12Password as the empty password, not as missing", async () => {
    await expectRejection(loadCredential({ clientId: CLIENT_ID, p12: p12Path, p12Password: "" }), {
      code: "BAD_PASSWORD",
      field: "maskinporten:p12Password",
      secrets: secrets(),
    });
  });

  it("trims the client id", async () => {
    expect((await loadCredential({ clientId: ` ${CLIENT_ID}\n`, privateKey: key.privateJwkJson })).clientId).toBe(CLIENT_ID);
  });
});
