import { generateKeyPairSync } from "node:crypto";
import * as jose from "jose";
import {
  jwksProblems,
  kidProblem,
  lifetimeProblem,
  orgnoCheckDigit,
  orgnoProblem,
  parseScopeName,
  publicJwkProblems,
  rsaModulusBits,
  scopeNameProblem,
} from "../../provider/api/validation";

const NOW = 1_800_000_000;

function rsaJwk(bits: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return { ...(publicKey.export({ format: "jwk" }) as Record<string, unknown>), use: "sig", alg: "RS256", kid: "k1", ...extra };
}

describe("organisation numbers", () => {
  it.each(["991825827", "889640782", "974760673", "123456785"])("accepts %s", (n) => {
    expect(orgnoProblem(n, "consumerOrgno")).toBeUndefined();
  });
  it("rejects a wrong check digit and names the field", () => {
    expect(orgnoProblem("991825828", "consumerOrgno")).toEqual({
      field: "consumerOrgno",
      message: expect.stringContaining("mod-11"),
    });
  });
  it("rejects numbers whose remainder is 1 (no valid check digit exists)", () => {
    // weights 3 2 7 6 5 4 3 2 over 10000000 → 3, over 00000100 → 4 ...: find one with remainder 1
    let firstEight = "";
    for (let i = 10000000; i < 10001000; i++) {
      if (orgnoCheckDigit(String(i)) === undefined) {
        firstEight = String(i);
        break;
      }
    }
    expect(firstEight).not.toBe("");
    for (let d = 0; d <= 9; d++) expect(orgnoProblem(firstEight + d, "x")).toBeDefined();
  });
  it.each([["12345678"], ["1234567890"], ["99182582a"], [991825827], [" 991825827"]])("rejects malformed %p", (n) => {
    expect(orgnoProblem(n, "orgno")?.message).toMatch(/nine digits/);
  });
});

describe("scope names", () => {
  it("parses prefix and subscope, allowing slashes", () => {
    expect(parseScopeName("nav:aareg/v1/arbeidsforhold")).toEqual({ prefix: "nav", subscope: "aareg/v1/arbeidsforhold" });
    expect(parseScopeName("altinn:instances.read")).toEqual({ prefix: "altinn", subscope: "instances.read" });
  });
  it("allows ':' inside the subscope; the prefix ends at the first ':'", () => {
    expect(parseScopeName("nav:aap:afpprivat.read")).toEqual({ prefix: "nav", subscope: "aap:afpprivat.read" });
    expect(scopeNameProblem("nav:aap:afpprivat.read", "scope")).toBeUndefined();
  });
  it.each(["noprefix", ":sub", "pre:", "Pre:sub", "pre:sub ", "pre:sub/", "pre:sub:", "pre::sub"])("rejects %p", (s) => {
    expect(scopeNameProblem(s, "scopes[0]")?.field).toBe("scopes[0]");
  });
});

describe("kid and lifetimes", () => {
  it("accepts altinn-jwks kids and rejects spaces", () => {
    expect(kidProblem("testklient-TEST.2024-07-10", "kid")).toBeUndefined();
    expect(kidProblem("my key", "kid")?.message).toMatch(/letters, digits/);
  });
  it("rejects lifetime 0 and says to omit it", () => {
    expect(lifetimeProblem(0, "accessTokenLifetime")?.message).toMatch(/leave it out/);
    expect(lifetimeProblem(120, "accessTokenLifetime")).toBeUndefined();
  });
});

describe("JWK rules", () => {
  it("measures modulus bits", async () => {
    expect(rsaModulusBits(rsaJwk(2048).n as string)).toBe(2048);
    const { publicKey } = await jose.generateKeyPair("RS256", { modulusLength: 3072, extractable: true });
    const jwk = await jose.exportJWK(publicKey);
    expect(rsaModulusBits(jwk.n!)).toBe(3072);
  });
  it("accepts a complete 2048-bit public key with altinn-jwks empty arrays", () => {
    expect(publicJwkProblems(rsaJwk(2048, { key_ops: [], oth: [], x5c: [] }), { now: NOW, field: "keys[0]" })).toEqual([]);
  });
  it("rejects a 1024-bit key", () => {
    const problems = publicJwkProblems(rsaJwk(1024), { now: NOW, field: "keys[0]" });
    expect(problems).toEqual([{ field: "keys[0].n", message: expect.stringContaining("1024-bit") }]);
  });
  it("rejects private members without echoing them", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const priv: Record<string, string> = {
      ...(privateKey.export({ format: "jwk" }) as Record<string, string>),
      use: "sig",
      alg: "RS256",
      kid: "k",
    };
    const problems = publicJwkProblems(priv, { now: NOW, field: "publicKey" });
    expect(problems[0]!.message).toMatch(/private key/);
    expect(JSON.stringify(problems)).not.toContain(priv.d!.slice(0, 20));
  });
  it("requires use sig, a known alg and an exp within a year", () => {
    const fields = publicJwkProblems(rsaJwk(2048, { use: "enc", alg: "PS256", exp: NOW + 400 * 86400 }), { now: NOW, field: "k" }).map(
      (p) => p.field,
    );
    expect(fields).toEqual(["k.use", "k.alg", "k.exp"]);
  });
  it("limits a set to five keys with unique kids", () => {
    const key = rsaJwk(2048);
    const six = Array.from({ length: 6 }, (_, i) => ({ ...key, kid: `k${i}` }));
    expect(jwksProblems(six, NOW).map((p) => p.field)).toEqual(["keys"]);
    expect(jwksProblems([key, key], NOW).map((p) => p.field)).toEqual(["keys[1].kid"]);
  });
});
