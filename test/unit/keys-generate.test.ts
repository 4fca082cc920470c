import { pemBegin } from "../helpers/pem";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";
import { altinnKid, DEFAULT_MODULUS_LENGTH, generateKeyPair, loadPrivateKey, toPublicJwk, type GeneratedKey } from "../../provider/keys";
import { expectRejection } from "../helpers/rejections";

let key: GeneratedKey;
beforeAll(async () => {
  key = await generateKeyPair();
});

describe("generateKeyPair", () => {
  it("makes a 3072-bit RS256 key whose kid is its thumbprint by default", async () => {
    expect(DEFAULT_MODULUS_LENGTH).toBe(3072);
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(key.alg).toBe("RS256");
    expect(key.thumbprint).toBe(await jose.calculateJwkThumbprint(key.publicJwk, "sha256"));
    expect(key.kid).toBe(key.thumbprint);
  });

  it("gives the public JWK exactly as Maskinporten wants it", async () => {
    expect(Object.keys(key.publicJwk)).toEqual(["kty", "kid", "use", "alg", "n", "e"]);
    expect(key.publicJwk).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256", kid: key.kid, e: "AQAB" });
    expect((await toPublicJwk(key.publicJwk, { field: "publicKey" })).jwk).toEqual(key.publicJwk);
  });

  it("gives the private JWK as altinn-jwks does: the same members, base64 (not base64url) of its JSON", () => {
    const altinn = JSON.parse(
      Buffer.from(readFileSync(join(__dirname, "../fixtures/altinn-jwks-testklient.base64"), "utf8"), "base64").toString("utf8"),
    ) as Record<string, unknown>;
    const altinnMembers = Object.keys(altinn).filter((m) => !["key_ops", "oth", "x5c"].includes(m)); // altinn's empty extras
    expect(Object.keys(key.privateJwk).sort()).toEqual(altinnMembers.sort());
    expect(key.privateJwkBase64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(key.privateJwkBase64, "base64").toString("utf8")).toBe(key.privateJwkJson);
    expect(JSON.parse(key.privateJwkJson)).toEqual(key.privateJwk);
    expect(key.privateJwk).toMatchObject(key.publicJwk);
  });

  it("gives PKCS#8 and SPKI PEM of the same key", async () => {
    expect(key.privateKeyPem).toMatch(new RegExp(`^${pemBegin("PRIVATE KEY")}\\n`));
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect((await toPublicJwk(key.publicKeyPem, { field: "publicKey" })).thumbprint).toBe(key.thumbprint);
    expect((await loadPrivateKey(key.privateKeyPem, { field: "privateKey", kid: key.kid })).publicJwk).toEqual(key.publicJwk);
  });

  it("takes kid, algorithm and size", async () => {
    const kid = altinnKid("myclient", "PROD", new Date("2026-03-01T00:00:00Z"));
    const big = await generateKeyPair({ kid, algorithm: "RS512", modulusLength: 4096 });
    expect(big).toMatchObject({ kid, alg: "RS512", publicJwk: { kid, alg: "RS512" }, privateJwk: { kid, alg: "RS512" } });
    expect(createPrivateKey(big.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it("makes a different key each time", async () => {
    const other = await generateKeyPair({ modulusLength: 2048 });
    expect(other.publicJwk.n).not.toBe(key.publicJwk.n);
  });

  it.each([
    [{ modulusLength: 1024 }, "KEY_TOO_SMALL", "modulusLength"],
    [{ modulusLength: 8192 }, "INVALID_KEY", "modulusLength"],
    [{ algorithm: "ES256" }, "INVALID_KEY", "algorithm"],
    [{ kid: "has space" }, "INVALID_KEY", "kid"],
  ])("refuses %p", async (options, code, field) => {
    await expectRejection(generateKeyPair(options as never), { code, field });
  });
});

describe("altinnKid", () => {
  it.each([
    ["testklient", "TEST", "2024-07-10T12:00:00Z", "testklient-TEST.2024-07-10"],
    ["testklient", "PROD", "2024-07-10T00:00:00Z", "testklient-PROD.2024-07-10"],
    ["my_client.v2", "prod", "2026-12-31T23:59:59Z", "my_client.v2-PROD.2026-12-31"],
    ["sim", "local", "2026-01-01T00:00:00+01:00", "sim-LOCAL.2025-12-31"],
  ])("%s in %s on %s is %s (UTC date)", (name, environment, date, expected) => {
    expect(altinnKid(name, environment, new Date(date))).toBe(expected);
  });

  it.each([
    ["my client", "TEST", new Date(), "kid"],
    ["", "TEST", new Date(), "name"],
    ["klient", "TEST", new Date("no date"), "date"],
  ])("refuses name %p, environment %p, date %p", async (name, environment, date, field) => {
    await expectRejection(() => altinnKid(name, environment, date), { code: "INVALID_KEY", field });
  });
});
