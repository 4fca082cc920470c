import { generateKeyPairSync, sign } from "node:crypto";
import type { Dispatcher } from "undici";
import { ConfigError, MaskinportenError, NetworkError, apiErrorFrom, authErrorFrom } from "../../provider/api/errors";
import { HttpTransport, type HttpEvent } from "../../provider/api/http";
import { assertSecureUrl, describeUrl, isLoopbackHost } from "../../provider/api/url-policy";
import { destroyAfterBody, dynamic, respond, startScriptedServer, type ScriptedServer } from "../helpers/scripted-server";

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** Real credential material, so the test checks the shapes servers would echo. */
function secrets() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const jwk = privateKey.export({ format: "jwk" });
  const header = b64url(JSON.stringify({ alg: "RS256", kid: "k1" }));
  const payload = b64url(JSON.stringify({ iss: "client", aud: "https://test.maskinporten.no/", jti: "1" }));
  const jwt = `${header}.${payload}.${b64url(sign("sha256", Buffer.from(`${header}.${payload}`), privateKey))}`;
  return { pem, jwk, jwt, d: String(jwk.d), p: String(jwk.p) };
}

describe("URL policy", () => {
  test.each([
    "https://api.samarbeid.digdir.no/api/v1",
    "https://example.com:8443/x",
    "http://localhost:8080/api/v1",
    "http://127.0.0.1:1/",
    "http://127.10.20.30/",
    "http://[::1]:9000/",
    "http://[::ffff:127.0.0.1]/",
  ])("accepts %s", (url) => {
    expect(assertSecureUrl(url, "maskinporten:apiUrl").href).toBe(new URL(url).href);
  });

  test.each([
    ["http://api.samarbeid.digdir.no/api/v1", "INSECURE_URL"],
    ["http://10.0.0.1/", "INSECURE_URL"],
    ["http://128.0.0.1/", "INSECURE_URL"],
    ["http://localhost.evil.com/", "INSECURE_URL"],
    ["http://[::2]/", "INSECURE_URL"],
    ["http://0.0.0.0/", "INSECURE_URL"],
    ["ftp://example.com/", "INVALID_URL"],
    ["not a url", "INVALID_URL"],
    ["https://user:hunter2secret@example.com/", "INVALID_URL"],
  ])("refuses %s", (url, code) => {
    let err: unknown;
    try {
      assertSecureUrl(url, "maskinporten:apiUrl");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code, field: "maskinporten:apiUrl" });
    expect((err as Error).message).toMatch(/^maskinporten:apiUrl: /);
    expect((err as Error).message).not.toContain("hunter2secret");
  });

  test("the refusal says how to fix it", () => {
    expect(() => assertSecureUrl("http://api.example.no", "maskinporten:apiUrl")).toThrow(
      /uses plain http, which would send tokens unencrypted; use https:\/\/, or http:\/\/ only for a local simulator/,
    );
  });

  test("isLoopbackHost and describeUrl", () => {
    expect(isLoopbackHost("LOCALHOST")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
    expect(describeUrl(new URL("https://u:p@h.no/x"))).toBe("https://h.no/x");
  });

  test("the transport refuses plain http to another host before sending anything", async () => {
    const dispatch = jest.fn(() => true);
    const t = new HttpTransport({ dispatcher: { dispatch } as unknown as Dispatcher });
    await expect(
      t.request({ method: "GET", url: "http://api.samarbeid.digdir.no/api/v1/clients", retry: "idempotent", operation: "list clients" }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(dispatch).not.toHaveBeenCalled();
    await t.close();
  });
});

describe("no credential in any error message or event, even when the server echoes it", () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await server.close();
  });

  function assertClean(text: string, s: ReturnType<typeof secrets>) {
    expect(text).not.toContain(s.jwt);
    expect(text).not.toContain(s.jwt.split(".")[2]);
    expect(text).not.toContain(s.d);
    expect(text).not.toContain(s.p);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(s.pem.split("\n")[1]);
    expect(text).not.toContain("opaque-token-value-1234");
  }

  test("ApiError, AuthError and events", async () => {
    const s = secrets();
    const echo = (status: number) =>
      dynamic((req) =>
        respond(status, {
          status,
          correlation_id: "c-echo",
          error: "invalid_request",
          error_description: `could not parse ${req.body} sent with ${String(req.headers.authorization)}`,
          errors: [
            {
              fieldIdentifier: "jwks",
              errorMessage: `bad key ${JSON.stringify(s.jwk)} and ${JSON.stringify(s.pem)}`,
              isFieldError: true,
            },
          ],
        }),
      );
    server.script(echo(400), echo(403), echo(500));
    const events: HttpEvent[] = [];
    const t = new HttpTransport({ onEvent: (e) => events.push(e) });
    const messages: string[] = [];
    try {
      for (const status of [400, 403, 500]) {
        const res = await t.request({
          method: "POST",
          url: `${server.origin}/clients/x/jwks?note=${status}`,
          headers: { authorization: `Bearer ${s.jwt}` },
          json: { keys: [s.jwk], pem: s.pem, assertion: s.jwt },
          retry: "never",
          operation: "replace keys",
        });
        expect(res.status).toBe(status);
        const err = apiErrorFrom(res, { operation: "replace keys", requiredScope: "idporten:dcr.write" });
        messages.push(err.message, JSON.stringify(err.fieldErrors), String(err.stack));
      }

      server.script(dynamic((req) => respond(400, { error: "invalid_grant", error_description: `bad assertion: ${req.body}` })));
      const form = { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: s.jwt };
      const tokenRes = await t.request({ method: "POST", url: `${server.origin}/token`, form, retry: "never", operation: "get token" });
      const authErr = authErrorFrom(tokenRes);
      expect(authErr.code).toBe("AUTH_INVALID_GRANT");
      messages.push(authErr.message, String(authErr.description));

      server.script(respond(401, `access_token=opaque-token-value-1234&assertion=${s.jwt}`, { "content-type": "text/plain" }));
      const opaque = await t.request({ method: "POST", url: `${server.origin}/token`, form, retry: "never", operation: "get token" });
      messages.push(authErrorFrom(opaque, { secrets: ["opaque-token-value-1234"] }).message);

      server.script(destroyAfterBody());
      try {
        await t.request({
          method: "POST",
          url: `${server.origin}/token`,
          form,
          headers: { authorization: `Bearer ${s.jwt}` },
          retry: "never",
          operation: "get token",
        });
      } catch (err) {
        expect(err).toBeInstanceOf(NetworkError);
        messages.push((err as Error).message);
      }
    } finally {
      await t.close();
    }

    expect(messages.length).toBeGreaterThan(8);
    for (const m of messages) assertClean(m, s);
    assertClean(JSON.stringify(events), s);
    // The messages still carry what helps: the field, the correlation id, the error code.
    expect(messages[0]).toMatch(/jwks: bad key/);
    expect(messages[0]).toMatch(/c-echo/);
  });

  test("every error is a MaskinportenError with a stable code", async () => {
    const err = apiErrorFrom({ status: 418, body: undefined }, { operation: "x" });
    expect(err).toBeInstanceOf(MaskinportenError);
    expect(err.code).toBe("API_ERROR");
  });
});
