import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";
import { jwkThumbprint, toPublicJwk } from "../../provider/keys";
import { businessPki, issueCertificate, pemBody, rsaKey, type TestPki } from "../helpers/certificates";
import { expectRejection } from "../helpers/rejections";

const FIELD = "publicKey";
const NOW = Math.floor(Date.now() / 1000);
const DAY = 24 * 60 * 60;
const fixture = (name: string) => readFileSync(join(__dirname, "../fixtures", name), "utf8").trim();

let privateKey: KeyObject;
let publicKey: KeyObject;
let publicJwk: jose.JWK;
let privateJwk: jose.JWK;
let pki: TestPki;

beforeAll(() => {
  ({ privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 }));
  publicJwk = publicKey.export({ format: "jwk" }) as jose.JWK;
  privateJwk = privateKey.export({ format: "jwk" }) as jose.JWK;
  pki = businessPki();
});

const b64 = (text: string) => Buffer.from(text).toString("base64");
const spkiPem = () => publicKey.export({ type: "spki", format: "pem" }) as string;
const pkcs1Pem = () => publicKey.export({ type: "pkcs1", format: "pem" }) as string;

describe("toPublicJwk: every public form gives the same normalized key", () => {
  const forms: [string, () => unknown][] = [
    ["a JWK object", () => publicJwk],
    ["JWK JSON", () => JSON.stringify(publicJwk)],
    ["JWK JSON with surrounding whitespace", () => `\n  ${JSON.stringify(publicJwk, null, 2)}\n`],
    ["a JSON array with one key (portal style)", () => JSON.stringify([publicJwk])],
    ["an array object with one key", () => [publicJwk]],
    ["a JWKS with one key", () => JSON.stringify({ keys: [publicJwk] })],
    ["base64 of JWK JSON", () => b64(JSON.stringify(publicJwk))],
    ["base64url of JWK JSON", () => Buffer.from(JSON.stringify(publicJwk)).toString("base64url")],
    ["base64 of a JWKS", () => b64(JSON.stringify({ keys: [publicJwk] }))],
    ["SPKI PEM (BEGIN PUBLIC KEY)", () => spkiPem()],
    ["PKCS#1 PEM (BEGIN RSA PUBLIC KEY)", () => pkcs1Pem()],
    ["PEM with CRLF line ends", () => spkiPem().replace(/\n/g, "\r\n")],
    ["PEM with literal \\n, as in an environment variable", () => spkiPem().replace(/\n/g, "\\n")],
    ["base64 of a PEM", () => b64(spkiPem())],
    ["the base64 body of a PEM (DER)", () => pemBody(spkiPem())],
    ["a Buffer of PEM text", () => Buffer.from(spkiPem())],
    ["DER bytes", () => publicKey.export({ type: "spki", format: "der" })],
    ["a KeyObject", () => publicKey],
  ];

  it.each(forms)("%s", async (_name, make) => {
    const thumbprint = await jose.calculateJwkThumbprint(publicJwk, "sha256");
    const result = await toPublicJwk(make(), { field: FIELD, now: NOW });
    expect(result).toEqual({
      jwk: { kty: "RSA", kid: thumbprint, use: "sig", alg: "RS256", n: publicJwk.n, e: publicJwk.e },
      thumbprint,
    });
    expect(Object.keys(result.jwk)).toEqual(["kty", "kid", "use", "alg", "n", "e"]);
  });

  it("jwkThumbprint is the RFC 7638 thumbprint, whatever other members the JWK has", async () => {
    const expected = await jose.calculateJwkThumbprint({ kty: "RSA", n: publicJwk.n!, e: publicJwk.e! });
    expect(await jwkThumbprint({ ...publicJwk, kid: "x", use: "sig", alg: "RS512" })).toBe(expected);
    expect(await jwkThumbprint(privateJwk)).toBe(expected);
  });
});

describe("toPublicJwk: the altinn-jwks `export maskinporten` output", () => {
  it("keeps its kid and alg and drops the empty key_ops, oth and x5c", async () => {
    const exported = fixture("altinn-jwks-testklient.maskinporten.json");
    const [original] = JSON.parse(exported) as jose.JWK[];
    const { jwk } = await toPublicJwk(exported, { field: FIELD, now: NOW });
    expect(jwk).toEqual({ kty: "RSA", kid: "testklient-TEST.2024-07-10", use: "sig", alg: "RS256", n: original!.n, e: "AQAB" });
  });
});

describe("toPublicJwk: kid, alg and exp", () => {
  it.each([
    // [kid option, kid in the input, expected kid or error]
    [undefined, undefined, "thumbprint"],
    [undefined, "from-input", "from-input"],
    ["given", "from-input", "given"],
    ["testklient-PROD.2026-01-31", undefined, "testklient-PROD.2026-01-31"],
    ["my key", undefined, /kid must be a key id of letters, digits/],
    [undefined, "x".repeat(256), /at most 255 characters/],
  ] as const)("kid option %p with input kid %p gives %p", async (kid, inputKid, expected) => {
    const input = inputKid === undefined ? publicJwk : { ...publicJwk, kid: inputKid };
    const options = { field: FIELD, now: NOW, ...(kid === undefined ? {} : { kid }) };
    if (typeof expected === "string") {
      const { jwk, thumbprint } = await toPublicJwk(input, options);
      expect(jwk.kid).toBe(expected === "thumbprint" ? thumbprint : expected);
    } else {
      const error = await expectRejection(toPublicJwk(input, options), { code: "INVALID_KEY", field: FIELD });
      expect(error.message).toMatch(expected);
    }
  });

  it("takes alg from the options, then the input, then RS256", async () => {
    expect((await toPublicJwk({ ...publicJwk, alg: "RS512" }, { field: FIELD })).jwk.alg).toBe("RS512");
    expect((await toPublicJwk({ ...publicJwk, alg: "RS512" }, { field: FIELD, alg: "RS384" })).jwk.alg).toBe("RS384");
    expect((await toPublicJwk(spkiPem(), { field: FIELD })).jwk.alg).toBe("RS256");
  });

  it("refuses an alg Maskinporten does not sign with", async () => {
    const error = await expectRejection(toPublicJwk({ ...publicJwk, alg: "PS256" }, { field: FIELD }), {
      code: "INVALID_KEY",
      field: FIELD,
    });
    expect(error.message).toContain("alg must be one of RS256, RS384, RS512");
  });

  it("normalizes use to sig and drops members Maskinporten does not want", async () => {
    const { jwk } = await toPublicJwk({ ...publicJwk, use: "enc", key_ops: ["verify"], ext: true }, { field: FIELD });
    expect(Object.keys(jwk)).toEqual(["kty", "kid", "use", "alg", "n", "e"]);
    expect(jwk.use).toBe("sig");
  });

  it("sets exp from a Date or seconds, and keeps an exp of the input otherwise", async () => {
    const inAMonth = NOW + 30 * DAY;
    expect((await toPublicJwk(publicJwk, { field: FIELD, now: NOW, expiresAt: new Date(inAMonth * 1000 + 999) })).jwk.exp).toBe(inAMonth);
    expect((await toPublicJwk(publicJwk, { field: FIELD, now: NOW, expiresAt: inAMonth })).jwk.exp).toBe(inAMonth);
    expect((await toPublicJwk({ ...publicJwk, exp: inAMonth }, { field: FIELD, now: NOW })).jwk.exp).toBe(inAMonth);
    const { jwk } = await toPublicJwk({ ...publicJwk, exp: inAMonth }, { field: FIELD, now: NOW, expiresAt: inAMonth + DAY });
    expect(jwk.exp).toBe(inAMonth + DAY);
    expect(Object.keys(jwk)).toEqual(["kty", "kid", "use", "alg", "n", "e", "exp"]);
  });

  it.each([
    ["more than a year ahead", NOW + 400 * DAY, /exp is more than one year ahead/],
    ["in the past", NOW - DAY, /exp lies in the past/],
    ["in milliseconds", (NOW + DAY) * 1000, /looks like milliseconds/],
    ["an invalid Date", new Date("not a date"), /not a valid date/],
  ])("refuses an expiry %s", async (_name, expiresAt, message) => {
    const error = await expectRejection(toPublicJwk(publicJwk, { field: FIELD, now: NOW, expiresAt }), {
      code: "INVALID_KEY",
      field: FIELD,
    });
    expect(error.message).toMatch(message);
  });
});

describe("toPublicJwk: certificates", () => {
  it("takes the key of a certificate and sets x5c to it", async () => {
    const { jwk, thumbprint } = await toPublicJwk(pki.leaf.certificatePem, { field: FIELD, now: NOW });
    const expected = await toPublicJwk(pki.leaf.key.publicKey.export({ type: "spki", format: "pem" }), { field: FIELD, now: NOW });
    expect(thumbprint).toBe(expected.thumbprint);
    expect(jwk).toEqual({ ...expected.jwk, x5c: [pemBody(pki.leaf.certificatePem)] });
  });

  it("keeps a chain in issuer order, leaf first, and leaves out certificates outside it", async () => {
    const stranger = issueCertificate({ commonName: "Unrelated CA", ca: true });
    const bundle = [pki.leaf, stranger, pki.root, pki.intermediate].map((c) => c.certificatePem).join("\n");
    const { jwk } = await toPublicJwk(bundle, { field: FIELD, now: NOW });
    expect(jwk.x5c).toEqual([pki.leaf, pki.intermediate, pki.root].map((c) => pemBody(c.certificatePem)));
  });

  it("reads a certificate from DER, base64 and a JWK's x5c", async () => {
    const der = pemBody(pki.leaf.certificatePem);
    const fromPem = await toPublicJwk(pki.leaf.certificatePem, { field: FIELD, now: NOW });
    expect(await toPublicJwk(der, { field: FIELD, now: NOW })).toEqual(fromPem);
    const leafJwk = pki.leaf.key.publicKey.export({ format: "jwk" });
    expect(await toPublicJwk({ ...leafJwk, x5c: [der] }, { field: FIELD, now: NOW })).toEqual(fromPem);
  });

  it("refuses a certificate of an EC key", async () => {
    const error = await expectRejection(toPublicJwk(fixture("openssl-ec.crt.pem"), { field: FIELD, now: NOW }), {
      code: "UNSUPPORTED_KEY_TYPE",
      field: FIELD,
    });
    expect(error.message).toContain("EC key");
  });

  it("refuses an x5c that is not a list", async () => {
    await expectRejection(toPublicJwk({ ...publicJwk, x5c: pemBody(pki.leaf.certificatePem) }, { field: FIELD, now: NOW }), {
      code: "INVALID_KEY",
      field: `${FIELD}.x5c`,
    });
  });

  it("refuses a JWK whose x5c certifies another key", async () => {
    const error = await expectRejection(
      toPublicJwk({ ...publicJwk, x5c: [pemBody(pki.leaf.certificatePem)] }, { field: FIELD, now: NOW }),
      { code: "CERTIFICATE_KEY_MISMATCH", field: `${FIELD}.x5c` },
    );
    expect(error.message).toContain("another key");
  });

  it("says so when the key would outlive its certificate", async () => {
    const notAfter = new Date((NOW + 10 * DAY) * 1000);
    const shortLived = issueCertificate({ commonName: "Short", notAfter });
    const error = await expectRejection(toPublicJwk(shortLived.certificatePem, { field: FIELD, now: NOW, expiresAt: NOW + 20 * DAY }), {
      code: "INVALID_KEY",
      field: FIELD,
    });
    expect(error.message).toContain(
      `is after the certificate's end (${new Date(Math.floor(notAfter.getTime() / 1000) * 1000).toISOString()})`,
    );
    await expect(toPublicJwk(shortLived.certificatePem, { field: FIELD, now: NOW, expiresAt: NOW + 5 * DAY })).resolves.toBeDefined();
  });

  it("refuses an expired certificate, and accepts one not yet valid (registered ahead of a rotation)", async () => {
    const expired = issueCertificate({
      commonName: "Old",
      notBefore: new Date((NOW - 400 * DAY) * 1000),
      notAfter: new Date((NOW - DAY) * 1000),
    });
    const error = await expectRejection(toPublicJwk(expired.certificatePem, { field: FIELD, now: NOW }), {
      code: "CERTIFICATE_EXPIRED",
      field: FIELD,
    });
    expect(error.message).toContain("CN=Old");
    const future = issueCertificate({ commonName: "Next", notBefore: new Date((NOW + DAY) * 1000) });
    await expect(toPublicJwk(future.certificatePem, { field: FIELD, now: NOW })).resolves.toBeDefined();
  });
});

describe("toPublicJwk refuses private material of every form, without echoing it", () => {
  const forms: [string, () => unknown][] = [
    ["a private JWK object", () => privateJwk],
    ["private JWK JSON", () => JSON.stringify(privateJwk)],
    ["a JWKS holding a private key", () => JSON.stringify({ keys: [privateJwk] })],
    ["base64 of a private JWK", () => b64(JSON.stringify(privateJwk))],
    ["the altinn-jwks `export key --base64` output", () => fixture("altinn-jwks-testklient.base64")],
    ["PKCS#8 PEM", () => privateKey.export({ type: "pkcs8", format: "pem" })],
    ["PKCS#1 PEM", () => privateKey.export({ type: "pkcs1", format: "pem" })],
    ["an encrypted PKCS#8 PEM", () => privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pass" })],
    ["PKCS#8 DER as base64", () => privateKey.export({ type: "pkcs8", format: "der" }).toString("base64")],
    ["a PEM bundle of certificate and key", () => `${pki.leaf.certificatePem}\n${pki.leaf.key.privateKeyPem}`],
    ["a damaged private PEM", () => (privateKey.export({ type: "pkcs8", format: "pem" }) as string).replace(/[A-Za-z]{20}\n/, "\n")],
    ["a symmetric JWK", () => ({ kty: "oct", k: Buffer.from("a-shared-secret-of-32-bytes-long").toString("base64url") })],
    ["a private KeyObject", () => privateKey],
  ];

  it.each(forms)("%s", async (_name, make) => {
    const input = make();
    const text = typeof input === "string" ? input : JSON.stringify(input);
    const secrets = [text, String(privateJwk.d), String(privateJwk.p)];
    const error = await expectRejection(toPublicJwk(input, { field: FIELD }), { code: "PRIVATE_KEY_GIVEN", field: FIELD, secrets });
    expect(error.message).toContain("give only the public key");
  });
});

describe("toPublicJwk refuses what Maskinporten cannot use", () => {
  it.each([
    ["an EC JWK", () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }), /kty "EC"/],
    [
      "an EC PEM",
      () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }),
      /an EC key \(prime256v1\)/,
    ],
    ["an Ed25519 PEM", () => generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }), /an Ed25519 key/],
    [
      "an RSASSA-PSS PEM",
      () => generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }),
      /RSASSA-PSS/,
    ],
  ])("%s", async (_name, make, message) => {
    const error = await expectRejection(toPublicJwk(make(), { field: FIELD }), { code: "UNSUPPORTED_KEY_TYPE", field: FIELD });
    expect(error.message).toMatch(message);
  });

  it.each([
    ["JWK", (k: KeyObject) => k.export({ format: "jwk" })],
    ["PEM", (k: KeyObject) => k.export({ type: "spki", format: "pem" })],
  ])("a 1024-bit key as %s", async (_name, exportKey) => {
    const small = rsaKey(1024).publicKey;
    const error = await expectRejection(toPublicJwk(exportKey(small), { field: FIELD }), { code: "KEY_TOO_SMALL", field: FIELD });
    expect(error.message).toContain("1024-bit RSA key; Maskinporten requires at least 2048 bits");
  });

  it("a key set with several keys, naming their kids", async () => {
    const other = rsaKey().publicKey.export({ format: "jwk" });
    const error = await expectRejection(
      toPublicJwk(
        JSON.stringify([
          { ...publicJwk, kid: "a" },
          { ...other, kid: "b" },
        ]),
        { field: FIELD },
      ),
      { code: "MULTIPLE_KEYS", field: FIELD },
    );
    expect(error.message).toContain('2 keys ("a", "b")');
    const unsafe = await expectRejection(toPublicJwk([{ ...publicJwk, kid: "x".repeat(300) }, other], { field: FIELD }), {
      code: "MULTIPLE_KEYS",
      field: FIELD,
    });
    expect(unsafe.message).toContain("(no usable kid), (no usable kid)");
  });

  it.each([
    ["an empty key set", { keys: [] }, "INVALID_KEY", /no keys/],
    ["an RSA JWK without n", { kty: "RSA", e: "AQAB" }, "INVALID_KEY", /n or e is missing/],
    ["an empty string", "  ", "UNREADABLE_KEY", /is empty/],
    ["a number", 42, "UNREADABLE_KEY", /got a number/],
    ["null", null, "UNREADABLE_KEY", /got null/],
    ["an object that is not a JWK", { key: "value" }, "UNREADABLE_KEY", /without "kty"/],
    ["plain text", "this is not a key at all!", "UNREADABLE_KEY", /neither JSON, PEM nor base64/],
    ["broken JSON", '{"kty":"RSA","n":"abc', "UNREADABLE_KEY", /JSON that does not parse/],
    ["base64 of something else", b64("just some text that is not a key"), "UNREADABLE_KEY", /is base64, but not of a JWK/],
    [
      "a PEM without END line",
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
      "UNREADABLE_KEY",
      /no complete PEM block/,
    ],
    [
      "a PEM of another kind",
      "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
      "UNREADABLE_KEY",
      /another kind \(CERTIFICATE REQUEST\)/,
    ],
    [
      "a damaged public PEM",
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----",
      "UNREADABLE_KEY",
      /does not parse/,
    ],
  ])("%s", async (_name, input, code, message) => {
    const error = await expectRejection(toPublicJwk(input, { field: FIELD }), { code, field: FIELD });
    expect(error.message).toMatch(message);
  });

  it("a PKCS#12 file, with a hint to load it as a business certificate", async () => {
    const p12 = readFileSync(join(__dirname, "../fixtures/openssl-modern.p12"));
    const error = await expectRejection(toPublicJwk(p12.toString("base64"), { field: FIELD }), {
      code: "UNREADABLE_KEY",
      field: FIELD,
      secrets: [p12.toString("base64")],
    });
    expect(error.message).toContain("PKCS#12");
  });

  it("never echoes a short unreadable string", async () => {
    const secretish = "s3cr3t-v@lue-that-is-no-key";
    await expectRejection(toPublicJwk(secretish, { field: FIELD }), { code: "UNREADABLE_KEY", field: FIELD, secrets: [secretish] });
  });
});
