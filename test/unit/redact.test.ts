import { pemBegin, pemEnd } from "../helpers/pem";
import { generateKeyPairSync } from "node:crypto";
import { REDACTED, redact, redactValue } from "../../provider/api/redact";

const JWT =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJjbGllbnQiLCJzY29wZSI6ImlkcG9ydGVuOmRjci5yZWFkIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtZm9yLXRlc3Q";

describe("redact", () => {
  test("JWTs anywhere in text", () => {
    expect(redact(`token ${JWT} expired`)).toBe("token [REDACTED JWT] expired");
    expect(redact(`"access_token":"${JWT}"`)).not.toContain("eyJ");
    // unsigned (alg none) and JWE (five segments)
    expect(redact("x eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. y")).toBe("x [REDACTED JWT] y");
    expect(redact("eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn")).toBe("[REDACTED JWT]");
  });

  test("a JWT whose header does not start with eyJ, by shape", () => {
    const odd = "ewogICJhbGciOiAiUlMyNTYiCn0.eyJpc3MiOiJjbGllbnQiLCJhIjoxfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
    expect(redact(`got ${odd}`)).toBe("got [REDACTED JWT]");
  });

  test("leaves host names, scopes and ordinary text alone", () => {
    const text = "POST https://api.test.samarbeid.digdir.no/api/v1/clients: scope idporten:dcr.write missing for org 991825827 (v1.2.3)";
    expect(redact(text)).toBe(text);
  });

  test("bearer tokens, also opaque ones", () => {
    expect(redact("Authorization: Bearer abc.DEF-123_~+/=")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redact("bearer opaque-token")).toBe(`bearer ${REDACTED}`);
    expect(redact("DPoP xyz")).toBe(`DPoP ${REDACTED}`);
  });

  test("PEM blocks: whole, JSON-escaped, and cut off", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const body = pem.split("\n")[5] ?? "";
    for (const text of [
      `key:\n${pem}\nend`,
      JSON.stringify({ key: pem }),
      `truncated ${pem.slice(0, 200)}`,
      `${pemBegin("RSA PRIVATE KEY")}\nMIIE\n${pemEnd("RSA PRIVATE KEY")}`,
      `${pemBegin("ENCRYPTED PRIVATE KEY")}MIIE${pemEnd("ENCRYPTED PRIVATE KEY")}`,
    ]) {
      const out = redact(text);
      expect(out).toContain("[REDACTED PEM]");
      expect(out).not.toContain("PRIVATE KEY-----");
      if (text.includes(body)) expect(out).not.toContain(body);
    }
    expect(redact(`key:\n${pem.trim()}\nend`)).toBe("key:\n[REDACTED PEM]\nend");
  });

  test("private JWK members, plain and escaped inside a JSON string", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const plain = JSON.stringify({ keys: [{ ...jwk, kid: "k1", use: "sig" }] });
    const escaped = JSON.stringify({ message: `bad jwk ${plain}` });
    for (const text of [plain, escaped, JSON.stringify(jwk, null, 2)]) {
      const out = redact(text);
      for (const member of ["d", "p", "q", "dp", "dq", "qi"] as const) {
        expect(out).not.toContain(String(jwk[member]));
      }
      expect(out).toContain("AQAB");
    }
    expect(redact(escaped)).toContain('\\"kid\\":\\"k1\\"');
    expect(redact('{"kty":"oct","k":"c2VjcmV0LXN5bW1ldHJpYy1rZXk"}')).toBe(`{"kty":"oct","k":"${REDACTED}"}`);
    expect(redact(`{'d': 'abc\\'def', 'e': 'AQAB'}`)).toBe(`{'d': '${REDACTED}', 'e': 'AQAB'}`);
    expect(redact('{"e":"AQAB","kid":"key-1"}')).toBe('{"e":"AQAB","kid":"key-1"}');
  });

  test("secret JSON members whatever their shape", () => {
    expect(redact('{"password":"p\\"w","client_secret":"s3","access_token":"opaque"}')).toBe(
      `{"password":"${REDACTED}","client_secret":"${REDACTED}","access_token":"${REDACTED}"}`,
    );
  });

  test("form values: assertion=, client_assertion=, password=", () => {
    expect(redact("grant_type=jwt-bearer&assertion=abc.def&scope=x")).toBe(`grant_type=jwt-bearer&assertion=${REDACTED}&scope=x`);
    expect(redact("client_assertion=xyz&client_assertion_type=jwt")).toBe(`client_assertion=${REDACTED}&client_assertion_type=jwt`);
    expect(redact("invalid: password=hunter2")).toBe(`invalid: password=${REDACTED}`);
    expect(redact(`body assertion=${JWT}`)).toBe("body assertion=[REDACTED JWT]");
  });

  test("long base64 runs (a key exported as base64)", () => {
    const blob = Buffer.from(JSON.stringify({ kty: "RSA", d: "x".repeat(300) })).toString("base64");
    expect(redact(`stored ${blob} here`)).toBe(`stored ${REDACTED} here`);
  });

  test("known secret values wherever they occur", () => {
    expect(redact("echo: my-opaque-token-123 again", ["my-opaque-token-123"])).toBe(`echo: ${REDACTED} again`);
    // too short to be a credential: left alone rather than shredding the text
    expect(redact("a b c", ["a"])).toBe("a b c");
  });

  test("redactValue stringifies, redacts before clipping", () => {
    expect(redactValue({ token: `Bearer ${JWT}` })).toBe('{"token":"Bearer [REDACTED JWT]"}');
    const long = `${"x ".repeat(100)}${JWT}`;
    const out = redactValue(long, 210);
    expect(out).not.toContain("eyJ");
    expect(out.endsWith("…")).toBe(true);
    expect(redactValue(undefined)).toBe("undefined");
  });

  test("is idempotent", () => {
    const once = redact(`Bearer ${JWT} assertion=${JWT} {"d":"x"}`);
    expect(redact(once)).toBe(once);
  });
});
