/**
 * The consumer helpers of `sdk/tokens.ts` against the simulator: every private key form gets a token, tokens
 * are cached and fetched single-flight, failures are `AuthError`s that say what to do and hold no secret,
 * and the Altinn exchange works and fails clearly.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiError, AuthError, ConfigError } from "../../provider/api/errors";
import { clearTokenCache, exchangeToAltinnToken, getAccessToken, getToken } from "../../sdk/tokens";
import { generateKeyPair, toPublicJwk } from "../../sdk/keys";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { claimsOf, clientWithKeys } from "../cli/helpers";
import { expectRejection } from "../helpers/rejections";
import { respond, startScriptedServer, type ScriptedServer } from "../helpers/scripted-server";
import { useSimulator } from "../simulator/helpers";

const sim = useSimulator();
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const fixture = (name: string) => readFileSync(join(__dirname, "..", "fixtures", name), "utf8").trim();

afterEach(async () => {
  await clearTokenCache();
});

describe("getAccessToken", () => {
  it("gets a token with each private form of a generated key: JWK object, JWK JSON, base64 JWK, PEM with kid", async () => {
    const key = await generateKeyPair({ modulusLength: 2048, kid: "forms-TEST.2025-01-01" });
    const clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk]);
    const forms: [string, string | object, string | undefined][] = [
      ["object", key.privateJwk, undefined],
      ["json", key.privateJwkJson, undefined],
      ["base64", key.privateJwkBase64, undefined],
      ["pem", key.privateKeyPem, key.kid],
    ];
    for (const [name, form, kid] of forms) {
      await clearTokenCache();
      const token = await getAccessToken({ issuer: sim().issuer, clientId, key: form, ...(kid && { kid }), scopes: OPEN_CATALOGUE_SCOPE });
      expect({ name, claims: claimsOf(token) }).toEqual({
        name,
        claims: expect.objectContaining({
          client_id: clientId,
          scope: OPEN_CATALOGUE_SCOPE,
          consumer: expect.objectContaining({ ID: `0192:${consumer().orgno}` }),
        }),
      });
    }
  });

  it("gets a token with the altinn-jwks base64 example from Digdir's guide once its exported public half is registered", async () => {
    const base64 = fixture("altinn-jwks-testklient.base64");
    const { jwk } = await toPublicJwk(fixture("altinn-jwks-testklient.maskinporten.json"), { field: "publicKey" });
    const clientId = await clientWithKeys(sim(), consumer().orgno, [jwk]);
    const token = await getToken({ issuer: sim().issuer, clientId, key: base64, scopes: [OPEN_CATALOGUE_SCOPE] });
    expect(token).toEqual({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      scope: OPEN_CATALOGUE_SCOPE,
      expiresAt: expect.any(Date),
      kid: "testklient-TEST.2024-07-10",
    });
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(claimsOf(token.accessToken)["client_id"]).toBe(clientId);
  });

  it("sends one token request for 50 concurrent calls, and serves later calls from the cache", async () => {
    const key = await generateKeyPair({ modulusLength: 2048 });
    const clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk]);
    await sim().control.resetRequests();
    const options = { issuer: sim().issuer, clientId, key: key.privateJwkJson, scopes: OPEN_CATALOGUE_SCOPE };
    const tokens = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(options)));
    expect(new Set(tokens).size).toBe(1);
    // The same key in another form and the scopes as a list share the cached token.
    expect(await getAccessToken({ ...options, key: key.privateJwkBase64, scopes: [OPEN_CATALOGUE_SCOPE] })).toBe(tokens[0]);
    const counters = await sim().control.counters();
    expect({ token: counters.token, tokenIssued: counters.tokenIssued, metadata: counters.metadata }).toEqual({
      token: 1,
      tokenIssued: 1,
      metadata: 1,
    });
  });

  it("keeps tokens of different scopes, resources and clients apart", async () => {
    const key = await generateKeyPair({ modulusLength: 2048 });
    const clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk], [OPEN_CATALOGUE_SCOPE, "idporten:dcr.read"]);
    await sim().control.resetRequests();
    const base = { issuer: sim().issuer, clientId, key: key.privateJwk };
    const open = await getAccessToken({ ...base, scopes: OPEN_CATALOGUE_SCOPE });
    const both = await getAccessToken({ ...base, scopes: `${OPEN_CATALOGUE_SCOPE} idporten:dcr.read` });
    const audience = await getAccessToken({ ...base, scopes: OPEN_CATALOGUE_SCOPE, resource: "https://api.example.no/" });
    expect(new Set([open, both, audience]).size).toBe(3);
    expect(claimsOf(both)["scope"]).toBe(`${OPEN_CATALOGUE_SCOPE} idporten:dcr.read`);
    expect(claimsOf(audience)["aud"]).toBe("https://api.example.no/");
    expect((await sim().control.counters()).tokenIssued).toBe(3);
  });

  it("fails with an AuthError that names the kid and says what to do when the key is not registered, leaking nothing", async () => {
    const key = await generateKeyPair({ modulusLength: 2048, kid: "never-registered" });
    const clientId = await clientWithKeys(sim(), consumer().orgno, []);
    const err = await expectRejection(
      getAccessToken({ issuer: sim().issuer, clientId, key: key.privateJwkBase64, scopes: OPEN_CATALOGUE_SCOPE }),
      {
        code: "AUTH_INVALID_GRANT",
        field: 'kid "never-registered" is registered on the client',
        secrets: [key.privateJwk.d, key.privateJwk.p, key.privateJwkBase64, key.privateKeyPem],
      },
    );
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).not.toMatch(/admin client/);
  });

  it("fails with AuthErrors for an unknown client and for a scope the client lacks", async () => {
    const key = await generateKeyPair({ modulusLength: 2048 });
    const clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk]);
    await expectRejection(
      getAccessToken({ issuer: sim().issuer, clientId: "no-such-client", key: key.privateJwk, scopes: OPEN_CATALOGUE_SCOPE }),
      {
        code: "AUTH_INVALID_CLIENT",
        field: "clientId is the client_id of an active Maskinporten client",
        secrets: [key.privateJwk.d],
      },
    );
    await expectRejection(getAccessToken({ issuer: sim().issuer, clientId, key: key.privateJwk, scopes: "difitest:restricted" }), {
      code: "AUTH_INVALID_SCOPE",
      field: "Request only scopes that are on the client",
      secrets: [key.privateJwk.d],
    });
  });

  it("rejects bad options before any request, naming the option", async () => {
    const key = await generateKeyPair({ modulusLength: 2048 });
    await sim().control.resetRequests();
    const base = { issuer: sim().issuer, clientId: "c", key: key.privateJwk, scopes: "s:a" };
    const publicOnly = { kty: "RSA", n: key.publicJwk.n, e: key.publicJwk.e, kid: "k" };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, issuer: undefined }, "MISSING_CONFIG", "environment"],
      [{ ...base, issuer: undefined, environment: "dev" }, "INVALID_CONFIG", "environment"],
      [{ ...base, issuer: "http://maskinporten.example/" }, "INSECURE_URL", "issuer"],
      [{ ...base, clientId: "" }, "MISSING_CONFIG", "clientId"],
      [{ ...base, scopes: [] }, "MISSING_CONFIG", "scopes"],
      [{ ...base, scopes: ["a b"] }, "INVALID_CONFIG", "scopes[0]"],
      [{ ...base, resource: "" }, "INVALID_CONFIG", "resource"],
      [{ ...base, key: publicOnly }, "PUBLIC_KEY_GIVEN", "key"],
      [{ ...base, key: key.privateKeyPem }, "INVALID_KEY", "kid"],
    ];
    for (const [options, code, field] of cases) {
      const err = await expectRejection(getAccessToken(options as never), { code, field, secrets: [key.privateJwk.d, key.privateKeyPem] });
      expect(err).toBeInstanceOf(ConfigError);
    }
    expect((await sim().control.counters()).total).toBe(0);
  });

  it('takes environment "test" in place of an issuer (the key is checked next, before any request)', async () => {
    const key = await generateKeyPair({ modulusLength: 2048 });
    await expectRejection(
      getAccessToken({ environment: "test", clientId: "c", key: { kty: "RSA", n: key.publicJwk.n, e: "AQAB" }, scopes: "s:a" }),
      {
        code: "PUBLIC_KEY_GIVEN",
        field: "key",
      },
    );
  });
});

describe("exchangeToAltinnToken", () => {
  it("exchanges a Maskinporten token from the simulator for an Altinn token", async () => {
    const key = await generateKeyPair({ modulusLength: 2048 });
    const clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk]);
    const token = await getAccessToken({ issuer: sim().issuer, clientId, key: key.privateJwk, scopes: OPEN_CATALOGUE_SCOPE });
    const altinn = await exchangeToAltinnToken(token, { url: sim().altinnExchangeUrl });
    expect(altinn).not.toBe(token);
    expect(claimsOf(altinn)).toMatchObject({
      client_id: clientId,
      "urn:altinn:orgNumber": consumer().orgno,
      "urn:altinn:authenticatemethod": "maskinporten",
    });
  });

  it("fails with ALTINN_UNAUTHORIZED for a token Altinn does not accept, without echoing it", async () => {
    const bogus = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLWEtYm9ndXMtdG9rZW4";
    const err = await expectRejection(exchangeToAltinnToken(bogus, { url: sim().altinnExchangeUrl }), {
      code: "ALTINN_UNAUTHORIZED",
      field: "another environment",
      secrets: [bogus],
    });
    expect(err).toBeInstanceOf(ApiError);
  });

  it("refuses a missing environment and an empty token before sending anything", async () => {
    await expectRejection(exchangeToAltinnToken("abc.def.ghi", {}), { code: "MISSING_CONFIG", field: "environment" });
    await expectRejection(exchangeToAltinnToken(" ", { environment: "test" }), { code: "INVALID_CONFIG", field: "token" });
    await expectRejection(exchangeToAltinnToken("abc.def.ghi", { url: "http://altinn.example/x" }), { code: "INSECURE_URL", field: "url" });
  });

  describe("against a scripted Altinn", () => {
    let server: ScriptedServer;
    beforeAll(async () => {
      server = await startScriptedServer();
    });
    afterAll(async () => {
      await server.close();
    });

    it("reads the token as plain text, JSON-quoted text, and a JSON string, and sends the bearer token", async () => {
      const altinn = "eyJhbGciOiJSUzI1NiJ9.eyJhbHRpbm4iOnRydWV9.c2ln";
      server.script(
        respond(200, `${altinn}\n`, { "content-type": "text/plain; charset=utf-8" }),
        respond(200, `"${altinn}"`, { "content-type": "text/plain" }),
        respond(200, JSON.stringify(altinn), { "content-type": "application/json" }),
      );
      const url = `${server.origin}/authentication/api/v1/exchange/maskinporten`;
      for (let i = 0; i < 3; i++) expect(await exchangeToAltinnToken("mp.token.x", { url })).toBe(altinn);
      expect(server.requests.map((r) => [r.method, r.headers.authorization])).toEqual(Array(3).fill(["GET", "Bearer mp.token.x"]));
    });

    it("says what to do on 403 and on an answer that is not a token", async () => {
      const url = `${server.origin}/authentication/api/v1/exchange/maskinporten`;
      server.script(respond(403, "scope missing"), respond(200, "<html>login</html>", { "content-type": "text/html" }));
      await expectRejection(exchangeToAltinnToken("mp.token.x", { url }), { code: "ALTINN_FORBIDDEN", field: "altinn: scope" });
      await expectRejection(exchangeToAltinnToken("mp.token.x", { url }), { code: "ALTINN_UNEXPECTED_RESPONSE", field: "not a token" });
    });
  });
});

describe("key forms", () => {
  it("a PEM made elsewhere (PKCS#1) works with its kid", async () => {
    const key = await generateKeyPair({ modulusLength: 2048, kid: "pkcs1-key" });
    const pkcs1 = createPrivateKey(key.privateKeyPem).export({ type: "pkcs1", format: "pem" }) as string;
    const clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk]);
    const token = await getAccessToken({ issuer: sim().issuer, clientId, key: pkcs1, kid: "pkcs1-key", scopes: OPEN_CATALOGUE_SCOPE });
    expect(claimsOf(token)["client_id"]).toBe(clientId);
  });
});
