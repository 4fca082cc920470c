import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";
import { generateKeyPair, loadPrivateKey, toPublicJwk, type GeneratedKey } from "../../provider/keys";
import { issueCertificate, pemBody, rsaKey } from "../helpers/certificates";
import { expectRejection } from "../helpers/rejections";

const FIELD = "maskinporten:privateKey";
const KID_FIELD = "maskinporten:kid";
const fixture = (name: string) => readFileSync(join(__dirname, "../fixtures", name), "utf8").trim();

let generated: GeneratedKey;
beforeAll(async () => {
  generated = await generateKeyPair({ modulusLength: 2048, kid: "myclient-TEST.2026-01-31" });
});

const privateKeyObject = () => createPrivateKey(generated.privateKeyPem);
const pkcs1Pem = () => privateKeyObject().export({ type: "pkcs1", format: "pem" }) as string;

describe("loadPrivateKey reads every private form", () => {
  const forms: [string, () => string | object, string | undefined][] = [
    ["a private JWK object", () => generated.privateJwk, undefined],
    ["private JWK JSON", () => generated.privateJwkJson, undefined],
    ["base64 of the private JWK (altinn-jwks export key --base64)", () => generated.privateJwkBase64, undefined],
    ["base64 of the private JWK with line breaks", () => generated.privateJwkBase64.replace(/(.{64})/g, "$1\n"), undefined],
    ["a JWKS with the one private key", () => ({ keys: [generated.privateJwk] }), undefined],
    ["PKCS#8 PEM", () => generated.privateKeyPem, "myclient-TEST.2026-01-31"],
    ["PKCS#1 PEM", pkcs1Pem, "myclient-TEST.2026-01-31"],
    ["PEM with literal \\n", () => generated.privateKeyPem.replace(/\n/g, "\\n"), "myclient-TEST.2026-01-31"],
    ["base64 of a PEM", () => Buffer.from(generated.privateKeyPem).toString("base64"), "myclient-TEST.2026-01-31"],
    ["PKCS#8 DER as base64", () => pemBody(generated.privateKeyPem), "myclient-TEST.2026-01-31"],
    ["a Buffer of PEM", () => Buffer.from(generated.privateKeyPem), "myclient-TEST.2026-01-31"],
    ["a KeyObject", () => privateKeyObject(), "myclient-TEST.2026-01-31"],
  ];

  it.each(forms)("%s", async (_name, make, kid) => {
    const loaded = await loadPrivateKey(make(), { field: FIELD, kidField: KID_FIELD, ...(kid ? { kid } : {}) });
    expect(loaded.kid).toBe("myclient-TEST.2026-01-31");
    expect(loaded.alg).toBe("RS256");
    expect(loaded.publicJwk).toEqual(generated.publicJwk);
    expect(loaded.thumbprint).toBe(generated.thumbprint);
    expect(loaded.key.type).toBe("private");
    expect(loaded.key.export({ format: "jwk" })).toEqual(privateKeyObject().export({ format: "jwk" }));
  });

  it("takes alg from the JWK", async () => {
    const loaded = await loadPrivateKey({ ...generated.privateJwk, alg: "RS512" }, { field: FIELD });
    expect(loaded.alg).toBe("RS512");
    expect(loaded.publicJwk.alg).toBe("RS512");
  });
});

describe("the altinn-jwks example from Digdir's documentation", () => {
  it("loads with its kid, and its public half is the key `export maskinporten` printed", async () => {
    const loaded = await loadPrivateKey(fixture("altinn-jwks-testklient.base64"), { field: FIELD });
    expect(loaded.kid).toBe("testklient-TEST.2024-07-10");
    expect(loaded.alg).toBe("RS256");
    expect(loaded.key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const exported = await toPublicJwk(fixture("altinn-jwks-testklient.maskinporten.json"), { field: "publicKey" });
    expect(loaded.publicJwk).toEqual(exported.jwk);
    expect(loaded.thumbprint).toBe(exported.thumbprint);
  });

  it("loads from the decoded JSON too, empty key_ops, oth and x5c included", async () => {
    const json = Buffer.from(fixture("altinn-jwks-testklient.base64"), "base64").toString("utf8");
    expect(JSON.parse(json)).toMatchObject({ key_ops: [], oth: [], x5c: [] });
    expect((await loadPrivateKey(json, { field: FIELD })).kid).toBe("testklient-TEST.2024-07-10");
    expect((await loadPrivateKey(JSON.parse(json) as object, { field: FIELD })).kid).toBe("testklient-TEST.2024-07-10");
  });
});

describe("loadPrivateKey: kid", () => {
  it.each([
    // [kid option, input, expected kid or error]
    ["given", "jwk", "given"],
    [undefined, "jwk", "myclient-TEST.2026-01-31"],
    ["given", "pem", "given"],
    [undefined, "pem", /maskinporten:kid: is required because maskinporten:privateKey holds no key id/],
    [undefined, "jwk without kid", /is required/],
    ["bad kid!", "pem", /maskinporten:kid: must be a key id/],
  ] as const)("kid option %p with a %s gives %p", async (kid, form, expected) => {
    const { kid: _kid, ...withoutKid } = generated.privateJwk;
    const input = form === "jwk" ? generated.privateJwk : form === "pem" ? generated.privateKeyPem : withoutKid;
    const options = { field: FIELD, kidField: KID_FIELD, ...(kid === undefined ? {} : { kid }) };
    if (typeof expected === "string") {
      expect((await loadPrivateKey(input, options)).kid).toBe(expected);
    } else {
      const error = await expectRejection(loadPrivateKey(input, options), {
        code: "INVALID_KEY",
        field: KID_FIELD,
        secrets: [pemBody(generated.privateKeyPem), generated.privateJwk.d],
      });
      expect(error.message).toMatch(expected);
    }
  });

  it("names the thumbprint a key registered without a kid has", async () => {
    const error = await expectRejection(loadPrivateKey(generated.privateKeyPem, { field: FIELD }), {
      code: "INVALID_KEY",
      field: "kid",
      secrets: [pemBody(generated.privateKeyPem)],
    });
    expect(error.message).toContain(generated.thumbprint);
    expect(error.message).toContain(FIELD);
  });

  it("refuses a bad kid inside a JWK, naming the JWK's member", async () => {
    await expectRejection(loadPrivateKey({ ...generated.privateJwk, kid: "with space" }, { field: FIELD }), {
      code: "INVALID_KEY",
      field: `${FIELD}.kid`,
      secrets: [generated.privateJwk.d, generated.privateJwk.q],
    });
  });
});

describe("loadPrivateKey refuses, naming the field and never the key", () => {
  const secretsOf = (key: KeyObject) => {
    const der = pemBody(key.export({ type: "pkcs8", format: "pem" }) as string);
    if (key.asymmetricKeyType === "rsa-pss") return [der]; // no JWK form
    const jwk = key.export({ format: "jwk" });
    return [der, jwk.d, jwk.p, jwk.q, jwk.dq].filter((s): s is string => typeof s === "string");
  };

  it.each([
    ["a public JWK", () => generated.publicJwk],
    ["public JWK JSON", () => JSON.stringify(generated.publicJwk)],
    ["the altinn-jwks `export maskinporten` output", () => fixture("altinn-jwks-testklient.maskinporten.json")],
    ["an SPKI PEM", () => generated.publicKeyPem],
    ["a PKCS#1 public PEM", () => createPublicKey(generated.publicKeyPem).export({ type: "pkcs1", format: "pem" })],
    ["a certificate", () => issueCertificate({ commonName: "Cert" }).certificatePem],
  ])("%s where a private key is needed", async (_name, make) => {
    const error = await expectRejection(loadPrivateKey(make() as string, { field: FIELD }), { code: "PUBLIC_KEY_GIVEN", field: FIELD });
    expect(error.message).toMatch(/cannot sign|only a public key/);
  });

  it.each([
    ["an EC PEM", () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, "pem", /EC key/],
    ["an EC JWK", () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, "jwk", /kty "EC"/],
    ["an Ed25519 PEM", () => generateKeyPairSync("ed25519").privateKey, "pem", /Ed25519/],
    ["an Ed25519 JWK", () => generateKeyPairSync("ed25519").privateKey, "jwk", /kty "OKP"/],
    ["an RSASSA-PSS PEM", () => generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).privateKey, "pem", /RSASSA-PSS/],
  ] as const)("%s", async (_name, make, form, message) => {
    const key = make();
    const input = form === "pem" ? (key.export({ type: "pkcs8", format: "pem" }) as string) : key.export({ format: "jwk" });
    const error = await expectRejection(loadPrivateKey(input, { field: FIELD, kid: "k" }), {
      code: "UNSUPPORTED_KEY_TYPE",
      field: FIELD,
      secrets: [...secretsOf(key), typeof input === "string" ? pemBody(input) : ""],
    });
    expect(error.message).toMatch(message);
    expect(error.message).toContain("RSA keys only");
  });

  it("a symmetric JWK", async () => {
    const k = Buffer.from("a-shared-secret-of-32-bytes-long").toString("base64url");
    await expectRejection(loadPrivateKey({ kty: "oct", k }, { field: FIELD }), {
      code: "UNSUPPORTED_KEY_TYPE",
      field: FIELD,
      secrets: [k],
    });
  });

  it.each([
    ["JWK", (k: KeyObject) => ({ ...k.export({ format: "jwk" }), kid: "small" })],
    ["PKCS#8 PEM", (k: KeyObject) => k.export({ type: "pkcs8", format: "pem" }) as string],
    ["PKCS#1 PEM", (k: KeyObject) => k.export({ type: "pkcs1", format: "pem" }) as string],
  ])("a 1024-bit key as %s", async (_name, exportKey) => {
    const small = rsaKey(1024).privateKey;
    const input = exportKey(small);
    const error = await expectRejection(loadPrivateKey(input, { field: FIELD, kid: "small" }), {
      code: "KEY_TOO_SMALL",
      field: FIELD,
      secrets: [...secretsOf(small), typeof input === "string" ? pemBody(input) : ""],
    });
    expect(error.message).toContain("1024-bit");
  });

  it("an encrypted PEM, saying how to decrypt it", async () => {
    const pem = privateKeyObject().export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "very-secret-phrase",
    }) as string;
    const error = await expectRejection(loadPrivateKey(pem, { field: FIELD, kid: "k" }), {
      code: "UNREADABLE_KEY",
      field: FIELD,
      secrets: [pemBody(pem)],
    });
    expect(error.message).toContain("openssl pkcs8 -topk8 -nocrypt");
  });

  it("an OpenSSH key, saying how to convert it", async () => {
    const pem = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABFwAAAAdzc2gtcn\n-----END OPENSSH PRIVATE KEY-----`;
    const error = await expectRejection(loadPrivateKey(pem, { field: FIELD, kid: "k" }), {
      code: "UNREADABLE_KEY",
      field: FIELD,
      secrets: [pemBody(pem)],
    });
    expect(error.message).toContain("ssh-keygen -p -m PKCS8");
  });

  it("a damaged PEM", async () => {
    const pem = generated.privateKeyPem.replace(/\n[A-Za-z0-9+/]{64}\n/, "\n");
    const error = await expectRejection(loadPrivateKey(pem, { field: FIELD, kid: "k" }), {
      code: "UNREADABLE_KEY",
      field: FIELD,
      secrets: [pemBody(pem)],
    });
    expect(error.message).toContain('PEM "PRIVATE KEY" block that does not parse');
  });

  it("an incomplete JWK", async () => {
    const { qi: _qi, dp: _dp, ...incomplete } = generated.privateJwk;
    const error = await expectRejection(loadPrivateKey(incomplete, { field: FIELD }), {
      code: "INVALID_KEY",
      field: FIELD,
      secrets: [generated.privateJwk.d, generated.privateJwkJson],
    });
    expect(error.message).toContain("needs n, e, d, p, q, dp, dq and qi");
  });

  it("a JWK mixing two keys", async () => {
    const other = await generateKeyPair({ modulusLength: 2048 });
    const mixed = { ...generated.privateJwk, n: other.publicJwk.n };
    const error = await expectRejection(loadPrivateKey(mixed, { field: FIELD }), {
      code: "INVALID_KEY",
      field: FIELD,
      secrets: [generated.privateJwk.d],
    });
    expect(error.message).toContain("do not belong together");
  });

  it("a JWK with an alg Maskinporten does not sign with", async () => {
    const error = await expectRejection(loadPrivateKey({ ...generated.privateJwk, alg: "HS256" }, { field: FIELD }), {
      code: "INVALID_KEY",
      field: `${FIELD}.alg`,
      secrets: [generated.privateJwk.d],
    });
    expect(error.message).toContain('is "HS256"');
  });

  it("a key set of several private keys, naming the kids only", async () => {
    const other = await generateKeyPair({ modulusLength: 2048, kid: "other" });
    const error = await expectRejection(loadPrivateKey(JSON.stringify([generated.privateJwk, other.privateJwk]), { field: FIELD }), {
      code: "MULTIPLE_KEYS",
      field: FIELD,
      secrets: [generated.privateJwk.d, other.privateJwk.d, other.privateJwk.p],
    });
    expect(error.message).toContain('"myclient-TEST.2026-01-31", "other"');
  });

  it.each([
    ["garbage base64", Buffer.from("not a key, but base64 all the same").toString("base64")],
    ["the altinn base64 cut short", fixture("altinn-jwks-testklient.base64").slice(0, 1000)],
    ["a private JWK JSON cut short", () => generated.privateJwkJson.slice(0, 900)],
  ])("%s, without echoing it", async (_name, make) => {
    const input = typeof make === "function" ? make() : make;
    await expectRejection(loadPrivateKey(input, { field: FIELD }), { code: "UNREADABLE_KEY", field: FIELD, secrets: [input] });
  });
});

it("a generated key signs what its public JWK verifies (jose)", async () => {
  const loaded = await loadPrivateKey(generated.privateJwkBase64, { field: FIELD });
  const jws = await new jose.CompactSign(new TextEncoder().encode("hello"))
    .setProtectedHeader({ alg: loaded.alg, kid: loaded.kid })
    .sign(loaded.key);
  const { payload } = await jose.compactVerify(jws, await jose.importJWK(loaded.publicJwk, loaded.alg));
  expect(new TextDecoder().decode(payload)).toBe("hello");
});
