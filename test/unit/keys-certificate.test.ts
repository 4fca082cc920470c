import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import forge from "node-forge";
import { loadBusinessCertificate } from "../../provider/keys";
import { businessPki, issueCertificate, makePkcs12, pemBody, rsaKey, type Issued, type TestPki } from "../helpers/certificates";
import { expectRejection } from "../helpers/rejections";

const FIELD = "maskinporten:p12";
const PASSWORD_FIELD = "maskinporten:p12Password";
const PEM_FIELD = "maskinporten:certificatePem";
const KEY_FIELD = "maskinporten:certificateKeyPem";
const PASSWORD = "Sommer-Ferie-2026!";
const DAY = 24 * 60 * 60 * 1000;
const fixturePath = (name: string) => join(__dirname, "../fixtures", name);

let pki: TestPki;
let dir: string;
beforeAll(() => {
  pki = businessPki({ orgno: "991825827" });
  dir = mkdtempSync(join(tmpdir(), "maskinporten-p12-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chainPems = () => [pki.leaf, pki.intermediate, pki.root].map((c) => c.certificatePem);
const p12Of = (leaf: Issued, extra: Issued[] = [], options: { algorithm?: "3des" | "aes256"; password?: string } = {}) =>
  makePkcs12({
    key: leaf.key,
    certificatesPem: [leaf, ...extra].map((c) => c.certificatePem),
    password: options.password ?? PASSWORD,
    algorithm: options.algorithm,
  });
const options = { field: FIELD, passwordField: PASSWORD_FIELD };
const pemOptions = { field: PEM_FIELD, keyField: KEY_FIELD };
const secretsOf = (issued: Issued, p12?: Buffer) => [pemBody(issued.key.privateKeyPem), PASSWORD, ...(p12 ? [p12.toString("base64")] : [])];

describe("loadBusinessCertificate from PKCS#12", () => {
  describe.each(["3des", "aes256"] as const)("encrypted with %s", (algorithm) => {
    let p12: Buffer;
    beforeAll(() => {
      p12 = p12Of(pki.leaf, [pki.intermediate, pki.root], { algorithm });
    });

    it.each([
      [
        "a path",
        () => {
          const path = join(dir, `virksomhet-${algorithm}.p12`);
          writeFileSync(path, p12);
          return path;
        },
      ],
      ["base64", () => p12.toString("base64")],
      ["base64 with line breaks", () => p12.toString("base64").replace(/(.{76})/g, "$1\n")],
      ["a Buffer", () => p12],
      ["a Uint8Array", () => new Uint8Array(p12)],
    ])("given as %s", async (_name, make) => {
      const loaded = await loadBusinessCertificate({ p12: make(), password: PASSWORD }, options);
      const leaf = new X509Certificate(pki.leaf.certificatePem);
      expect(loaded).toEqual({
        key: expect.anything(),
        x5c: chainPems().map(pemBody),
        orgno: "991825827",
        subject: "C=NO, O=TEST VIRKSOMHET AS, organizationIdentifier=NTRNO-991825827, CN=TEST VIRKSOMHET",
        notBefore: leaf.validFromDate,
        notAfter: leaf.validToDate,
      });
      expect(leaf.checkPrivateKey(loaded.key)).toBe(true);
    });
  });

  it("finds the leaf by its key and orders the chain, whatever the order in the file", async () => {
    const p12 = makePkcs12({
      key: pki.leaf.key,
      certificatesPem: [pki.root, pki.leaf, pki.intermediate].map((c) => c.certificatePem),
      password: PASSWORD,
    });
    const loaded = await loadBusinessCertificate({ p12, password: PASSWORD }, options);
    expect(loaded.x5c).toEqual(chainPems().map(pemBody));
  });

  it("reads an SEID 1 certificate (serialNumber=<orgno>)", async () => {
    const leaf = issueCertificate({ commonName: "GAMMEL VIRKSOMHET", orgno: "889640782", orgnoStyle: "seid1", issuer: pki.intermediate });
    const loaded = await loadBusinessCertificate({ p12: p12Of(leaf, [pki.intermediate]), password: PASSWORD }, options);
    expect(loaded.orgno).toBe("889640782");
    expect(loaded.x5c).toEqual([leaf.certificatePem, pki.intermediate.certificatePem].map(pemBody));
  });

  it("keeps certificate bytes exactly, so the x5c signatures still verify", async () => {
    const loaded = await loadBusinessCertificate({ p12: p12Of(pki.leaf, [pki.intermediate, pki.root]), password: PASSWORD }, options);
    const [leaf, intermediate, root] = loaded.x5c.map((b64) => new X509Certificate(Buffer.from(b64, "base64")));
    expect(leaf!.verify(intermediate!.publicKey)).toBe(true);
    expect(intermediate!.verify(root!.publicKey)).toBe(true);
  });
});

describe("loadBusinessCertificate reads PKCS#12 files made by OpenSSL", () => {
  const now = new Date("2030-01-01T00:00:00Z");

  it.each([
    ["OpenSSL 3 default (PBES2 AES-256, SHA-256 MAC)", "openssl-modern.p12", "hemmelig-passord", "991825827"],
    ["-legacy (RC2-40 and 3DES, SHA-1 MAC)", "openssl-legacy.p12", "hemmelig-passord", "991825827"],
    ["a non-ASCII password (PBES2 uses its UTF-8 bytes)", "openssl-utf8.p12", "blåbær-æøå", "889640782"],
  ])("%s", async (_name, file, password, orgno) => {
    const loaded = await loadBusinessCertificate({ p12: fixturePath(file), password }, { ...options, now });
    expect(loaded.orgno).toBe(orgno);
    expect(loaded.x5c).toHaveLength(2);
    const [leaf, ca] = loaded.x5c.map((b64) => new X509Certificate(Buffer.from(b64, "base64")));
    expect(leaf!.checkPrivateKey(loaded.key)).toBe(true);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
  });

  it("refuses a wrong non-ASCII password", async () => {
    await expectRejection(loadBusinessCertificate({ p12: fixturePath("openssl-utf8.p12"), password: "blåbær-æøa" }, { ...options, now }), {
      code: "BAD_PASSWORD",
      field: PASSWORD_FIELD,
      secrets: ["blåbær-æøa"],
    });
  });

  it("refuses an EC key", async () => {
    const error = await expectRejection(
      loadBusinessCertificate({ p12: fixturePath("openssl-ec.p12"), password: "hemmelig-passord" }, { ...options, now }),
      { code: "UNSUPPORTED_KEY_TYPE", field: FIELD, secrets: ["hemmelig-passord"] },
    );
    expect(error.message).toContain("EC key");
  });

  it("refuses an EC key given as PEM", async () => {
    const input = {
      certificatePem: readFileSync(fixturePath("openssl-ec.crt.pem"), "utf8"),
      privateKeyPem: readFileSync(fixturePath("openssl-ec.key.pem"), "utf8"),
    };
    await expectRejection(loadBusinessCertificate(input, { ...pemOptions, now }), {
      code: "UNSUPPORTED_KEY_TYPE",
      field: KEY_FIELD,
      secrets: [pemBody(input.privateKeyPem)],
    });
  });
});

describe("loadBusinessCertificate from PEM", () => {
  it("reads the certificate chain and key", async () => {
    const loaded = await loadBusinessCertificate(
      { certificatePem: chainPems().join("\n"), privateKeyPem: pki.leaf.key.privateKeyPem },
      pemOptions,
    );
    expect(loaded.orgno).toBe("991825827");
    expect(loaded.x5c).toEqual(chainPems().map(pemBody));
  });

  it("refuses a certificate and key that do not belong together, naming both", async () => {
    const other = rsaKey();
    const error = await expectRejection(
      loadBusinessCertificate({ certificatePem: pki.leaf.certificatePem, privateKeyPem: other.privateKeyPem }, pemOptions),
      { code: "CERTIFICATE_KEY_MISMATCH", field: PEM_FIELD, secrets: [pemBody(other.privateKeyPem)] },
    );
    expect(error.message).toContain(KEY_FIELD);
  });

  it("refuses a public key where the private key belongs", async () => {
    const publicPem = pki.leaf.key.publicKey.export({ type: "spki", format: "pem" }) as string;
    await expectRejection(loadBusinessCertificate({ certificatePem: pki.leaf.certificatePem, privateKeyPem: publicPem }, pemOptions), {
      code: "PUBLIC_KEY_GIVEN",
      field: KEY_FIELD,
      secrets: [pemBody(publicPem)],
    });
  });

  it("refuses a key where the certificate belongs", async () => {
    const keyPem = pki.leaf.key.privateKeyPem;
    await expectRejection(loadBusinessCertificate({ certificatePem: keyPem, privateKeyPem: keyPem }, pemOptions), {
      code: "UNREADABLE_KEY",
      field: PEM_FIELD,
      secrets: [pemBody(keyPem)],
    });
  });
});

describe("loadBusinessCertificate refuses, naming the field and never the secret", () => {
  it("a wrong password", async () => {
    const p12 = p12Of(pki.leaf);
    const error = await expectRejection(loadBusinessCertificate({ p12, password: "Vinter-Ferie-2026!" }, options), {
      code: "BAD_PASSWORD",
      field: PASSWORD_FIELD,
      secrets: [...secretsOf(pki.leaf, p12), "Vinter-Ferie-2026!"],
    });
    expect(error.message).toContain(FIELD);
  });

  it("a wrong password for a file without a MAC", async () => {
    const asn1 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(pki.leaf.key.privateKeyPem),
      [forge.pki.certificateFromPem(pki.leaf.certificatePem)],
      PASSWORD,
      {
        useMac: false,
        algorithm: "3des",
      },
    );
    const p12 = Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
    await expectRejection(loadBusinessCertificate({ p12, password: "not-the-password" }, options), {
      code: "BAD_PASSWORD",
      field: PASSWORD_FIELD,
      secrets: secretsOf(pki.leaf, p12),
    });
  });

  it("an expired certificate, with its dates", async () => {
    const notBefore = new Date(Date.UTC(2024, 0, 1));
    const notAfter = new Date(Date.UTC(2025, 0, 1));
    const leaf = issueCertificate({ commonName: "UTLØPT AS", orgno: "991825827", issuer: pki.intermediate, notBefore, notAfter });
    const error = await expectRejection(loadBusinessCertificate({ p12: p12Of(leaf), password: PASSWORD }, options), {
      code: "CERTIFICATE_EXPIRED",
      field: FIELD,
      secrets: secretsOf(leaf),
    });
    expect(error.message).toContain("expired on 2025-01-01T00:00:00.000Z");
    expect(error.message).toContain("valid from 2024-01-01T00:00:00.000Z");
  });

  it("a certificate not yet valid, with its dates", async () => {
    const notBefore = new Date(Date.now() + 10 * DAY);
    const leaf = issueCertificate({ commonName: "FREMTIDIG AS", orgno: "991825827", issuer: pki.intermediate, notBefore });
    const input = { certificatePem: leaf.certificatePem, privateKeyPem: leaf.key.privateKeyPem };
    const error = await expectRejection(loadBusinessCertificate(input, pemOptions), {
      code: "CERTIFICATE_NOT_YET_VALID",
      field: PEM_FIELD,
      secrets: secretsOf(leaf),
    });
    expect(error.message).toContain(`not valid before ${new Date(Math.floor(notBefore.getTime() / 1000) * 1000).toISOString()}`);
    await expect(loadBusinessCertificate(input, { ...pemOptions, now: new Date(Date.now() + 11 * DAY) })).resolves.toBeDefined();
  });

  it("a certificate without an organisation number", async () => {
    const leaf = issueCertificate({ commonName: "PERSON", issuer: pki.intermediate });
    const error = await expectRejection(loadBusinessCertificate({ p12: p12Of(leaf), password: PASSWORD }, options), {
      code: "NO_ORGNO_IN_CERTIFICATE",
      field: FIELD,
      secrets: secretsOf(leaf),
    });
    expect(error.message).toContain("CN=PERSON");
    expect(error.message).toContain("virksomhetssertifikat");
  });

  it("a certificate whose organisation number fails mod-11", async () => {
    const leaf = issueCertificate({ commonName: "FEIL AS", orgno: "991825828", issuer: pki.intermediate });
    const error = await expectRejection(loadBusinessCertificate({ p12: p12Of(leaf), password: PASSWORD }, options), {
      code: "NO_ORGNO_IN_CERTIFICATE",
      field: FIELD,
      secrets: secretsOf(leaf),
    });
    expect(error.message).toContain('"991825828" is not valid (nine digits passing the mod-11 check)');
  });

  it("a 1024-bit key", async () => {
    const leaf = issueCertificate({ commonName: "LITEN AS", orgno: "991825827", issuer: pki.intermediate, key: rsaKey(1024) });
    await expectRejection(loadBusinessCertificate({ p12: p12Of(leaf), password: PASSWORD }, options), {
      code: "KEY_TOO_SMALL",
      field: FIELD,
      secrets: secretsOf(leaf),
    });
  });

  it("a PKCS#12 without a private key", async () => {
    const asn1 = forge.pkcs12.toPkcs12Asn1(null, [forge.pki.certificateFromPem(pki.leaf.certificatePem)], PASSWORD);
    const p12 = Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
    await expectRejection(loadBusinessCertificate({ p12, password: PASSWORD }, options), {
      code: "PUBLIC_KEY_GIVEN",
      field: FIELD,
      secrets: [PASSWORD, p12.toString("base64")],
    });
  });

  it("a PKCS#12 whose key is not the certificate's", async () => {
    const key = rsaKey();
    const p12 = makePkcs12({ key, certificatesPem: [pki.leaf.certificatePem], password: PASSWORD });
    await expectRejection(loadBusinessCertificate({ p12, password: PASSWORD }, options), {
      code: "CERTIFICATE_KEY_MISMATCH",
      field: FIELD,
      secrets: [PASSWORD, p12.toString("base64"), pemBody(key.privateKeyPem)],
    });
  });

  it("a path that does not exist, naming it", async () => {
    const path = join(dir, "finnes-ikke.p12");
    const error = await expectRejection(loadBusinessCertificate({ p12: path, password: PASSWORD }, options), {
      code: "UNREADABLE_KEY",
      field: FIELD,
      secrets: [PASSWORD],
    });
    expect(error.message).toContain(path);
  });

  it.each([
    ["text that is neither a path nor base64", "not a path, and not base64 either!"],
    ["base64 of something else", Buffer.from("this is not a PKCS#12 file at all").toString("base64")],
    ["a PKCS#12 cut short", () => p12Of(pki.leaf).subarray(0, 600).toString("base64")],
  ])("%s, without echoing it", async (_name, make) => {
    const p12 = typeof make === "function" ? make() : make;
    await expectRejection(loadBusinessCertificate({ p12, password: PASSWORD }, options), {
      code: "UNREADABLE_KEY",
      field: FIELD,
      secrets: [p12, PASSWORD],
    });
  });

  it("defaults the password and key field names from the field", async () => {
    await expectRejection(loadBusinessCertificate({ p12: p12Of(pki.leaf), password: "wrong-pass" }, { field: "p12" }), {
      code: "BAD_PASSWORD",
      field: "p12Password",
      secrets: ["wrong-pass", ...secretsOf(pki.leaf)],
    });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    await expectRejection(
      loadBusinessCertificate({ certificatePem: pki.leaf.certificatePem, privateKeyPem: ec }, { field: "certificate" }),
      {
        code: "UNSUPPORTED_KEY_TYPE",
        field: "certificateKey",
        secrets: [pemBody(ec)],
      },
    );
  });
});
