import * as jose from "jose";
import { wire } from "../../provider/api/wire";
import {
  adminApi,
  clientBody,
  expectOAuthError,
  nowSeconds,
  postToken,
  requestToken,
  roles,
  rsaKeyPair,
  signGrant,
  useSimulator,
  type ApiCaller,
  type KeyPair,
} from "./helpers";

describe("authorization server metadata and JWKS", () => {
  const sim = useSimulator();

  it("publishes issuer (with trailing slash), token_endpoint and jwks_uri", async () => {
    const res = await fetch(`${sim().url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const body = wire().authServerMetadata.parse(await res.json());
    expect(body.issuer).toBe(`${sim().url}/`);
    expect(body.token_endpoint).toBe(sim().tokenEndpoint);
    expect(body.jwks_uri).toBe(sim().jwksUri);
    expect(body["grant_types_supported"]).toEqual(["urn:ietf:params:oauth:grant-type:jwt-bearer"]);
  });

  it("serves the public signing key at jwks_uri, without private members", async () => {
    const res = await fetch(sim().jwksUri);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toEqual({ kty: "RSA", kid: expect.any(String), use: "sig", alg: "RS256", n: expect.any(String), e: "AQAB" });
  });

  it("answers 404 on unknown paths and 405 on a wrong method", async () => {
    expect((await fetch(`${sim().url}/nope`)).status).toBe(404);
    expect((await fetch(sim().tokenEndpoint)).status).toBe(405);
  });
});

describe("POST /token", () => {
  const sim = useSimulator();
  let consumerApi: ApiCaller;
  let key: KeyPair;
  let clientId: string;
  let otherClientKey: KeyPair;

  beforeAll(async () => {
    const { consumer } = roles(sim());
    consumerApi = await adminApi(sim(), consumer);
    key = rsaKeyPair("consumer-key-1");
    const created = await consumerApi.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }));
    expect(created.status).toBe(200);
    clientId = created.body.client_id;
    otherClientKey = rsaKeyPair("other-key");
    const other = await consumerApi.post("/clients", clientBody({ jwks: { keys: [otherClientKey.publicJwk] } }));
    expect(other.status).toBe(200);
  });

  const grant = (overrides: Partial<Parameters<typeof requestToken>[1]> = {}) =>
    requestToken(sim(), { clientId, privateJwk: key.privateJwk, scope: "difitest:open", ...overrides });

  it("issues a JWT access token like Maskinporten's for a kid grant", async () => {
    const res = await grant();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 120, scope: "difitest:open" });
    const jwks = jose.createLocalJWKSet((await (await fetch(sim().jwksUri)).json()) as jose.JSONWebKeySet);
    const { payload, protectedHeader } = await jose.jwtVerify(res.body.access_token, jwks, { issuer: sim().issuer });
    expect(protectedHeader).toEqual({ alg: "RS256", kid: expect.any(String) });
    expect(payload).toEqual({
      scope: "difitest:open",
      iss: sim().issuer,
      client_amr: "private_key_jwt",
      token_type: "Bearer",
      aud: "unspecified",
      client_id: clientId,
      consumer: { authority: "iso6523-actorid-upis", ID: `0192:${roles(sim()).consumer.orgno}` },
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  it("sets aud to the requested resource", async () => {
    const res = await grant({ claims: { resource: "https://api.example.no/" } });
    expect(res.status).toBe(200);
    expect(jose.decodeJwt(res.body.access_token).aud).toBe("https://api.example.no/");
  });

  it("gives expires_in from the client's access_token_lifetime", async () => {
    const k = rsaKeyPair();
    const created = await consumerApi.post("/clients", clientBody({ access_token_lifetime: 300, jwks: { keys: [k.publicJwk] } }));
    const res = await requestToken(sim(), { clientId: created.body.client_id, privateJwk: k.privateJwk, scope: "difitest:open" });
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(300);
    const claims = jose.decodeJwt(res.body.access_token);
    expect(claims.exp! - claims.iat!).toBe(300);
  });

  it("accepts RS384 and RS512 signatures with a registered RSA key", async () => {
    expect((await grant({ alg: "RS384" })).status).toBe(200);
    expect((await grant({ alg: "RS512" })).status).toBe(200);
  });

  describe("request format", () => {
    it("rejects a body that is not a form", async () => {
      const assertion = await signGrant({ clientId, privateJwk: key.privateJwk, audience: sim().issuer, scope: "difitest:open" });
      const res = await fetch(sim().tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
      });
      expectOAuthError({ status: res.status, body: await res.json(), headers: res.headers }, "invalid_request", /x-www-form-urlencoded/);
    });

    it("rejects another grant_type", async () => {
      const assertion = await signGrant({ clientId, privateJwk: key.privateJwk, audience: sim().issuer, scope: "difitest:open" });
      expectOAuthError(await postToken(sim(), assertion, { grant_type: "client_credentials" }), "unsupported_grant_type", /jwt-bearer/);
    });

    it("rejects a missing assertion and a malformed one", async () => {
      expectOAuthError(await postToken(sim(), ""), "invalid_request", /assertion is missing/);
      expectOAuthError(await postToken(sim(), "not.a.jwt"), "invalid_grant", /not a signed JWT/);
    });
  });

  describe("aud", () => {
    it("accepts the issuer, also as a one-element array", async () => {
      expect((await grant({ audience: sim().issuer })).status).toBe(200);
      expect((await grant({ claims: { aud: [sim().issuer] } })).status).toBe(200);
    });

    it("rejects the token endpoint URL and the issuer without trailing slash", async () => {
      expectOAuthError(await grant({ audience: sim().tokenEndpoint }), "invalid_grant", /Invalid JWT claim aud \(MP-110\)/, "MP-110");
      expectOAuthError(await grant({ audience: sim().url }), "invalid_grant", /trailing slash/, "MP-110");
    });
  });

  describe("iss", () => {
    it("rejects an unknown client", async () => {
      expectOAuthError(await grant({ clientId: "no-such-client" }), "invalid_client", /Client not found/);
    });

    it("rejects a deactivated client, and accepts it again once reactivated", async () => {
      const k = rsaKeyPair();
      const created = await consumerApi.post("/clients", clientBody({ jwks: { keys: [k.publicJwk] } }));
      const id = created.body.client_id as string;
      expect((await consumerApi.del(`/clients/${id}`)).status).toBe(200);
      expectOAuthError(
        await requestToken(sim(), { clientId: id, privateJwk: k.privateJwk, scope: "difitest:open" }),
        "invalid_client",
        /deactivated/,
      );
      // zero lifetimes come back but may not go back (reference, "Evidence from production callers")
      const { created: _c, last_updated: _u, jwks: _j, refresh_token_lifetime: _r, ...body } = created.body;
      expect((await consumerApi.put(`/clients/${id}`, { ...body, active: true })).status).toBe(200);
      expect((await requestToken(sim(), { clientId: id, privateJwk: k.privateJwk, scope: "difitest:open" })).status).toBe(200);
    });
  });

  describe("iat and exp", () => {
    it("accepts iat within 10 s of the server clock", async () => {
      expect((await grant({ iat: nowSeconds(-8) })).status).toBe(200);
      expect((await grant({ iat: nowSeconds(8) })).status).toBe(200);
    });

    it("rejects iat more than 10 s off", async () => {
      expectOAuthError(
        await grant({ iat: nowSeconds(-15), exp: nowSeconds(60) }),
        "invalid_grant",
        /iat is -1[45] s from the server clock/,
      );
      expectOAuthError(await grant({ iat: nowSeconds(15) }), "invalid_grant", /within 10 s/);
    });

    it("accepts exp - iat = 120 and rejects 121", async () => {
      const iat = nowSeconds();
      expect((await grant({ iat, exp: iat + 120 })).status).toBe(200);
      expectOAuthError(await grant({ iat, exp: iat + 121 }), "invalid_grant", /exp - iat is 121 s; at most 120/);
    });

    it("rejects a missing exp, a missing iat and an expired grant", async () => {
      expectOAuthError(await grant({ claims: { exp: undefined } }), "invalid_grant", /exp .* is missing/);
      expectOAuthError(await grant({ claims: { iat: undefined } }), "invalid_grant", /iat .* is missing/);
      const iat = nowSeconds(-5);
      expectOAuthError(await grant({ iat, exp: iat + 2 }), "invalid_grant", /JWT is expired/);
    });
  });

  describe("jti", () => {
    it("accepts a jti once and rejects its reuse", async () => {
      const assertion = await signGrant({
        clientId,
        privateJwk: key.privateJwk,
        audience: sim().issuer,
        scope: "difitest:open",
        jti: "only-once",
      });
      expect((await postToken(sim(), assertion)).status).toBe(200);
      expectOAuthError(await postToken(sim(), assertion), "invalid_grant", /Grant is used before/);
      expect((await grant({ jti: "another-one" })).status).toBe(200);
    });
  });

  describe("header kid / x5c / alg", () => {
    it("rejects an unknown kid and the kid of another client's key", async () => {
      expectOAuthError(await grant({ header: { kid: "nope" } }), "invalid_grant", /No key with kid "nope" is registered on client/);
      expectOAuthError(await grant({ privateJwk: otherClientKey.privateJwk }), "invalid_grant", /No key with kid "other-key"/);
    });

    it("rejects a signature made with another key than the kid names", async () => {
      const impostor = rsaKeyPair(key.kid);
      expectOAuthError(await grant({ privateJwk: impostor.privateJwk }), "invalid_grant", /signature does not verify/);
    });

    it("rejects a header with neither kid nor x5c; with both, the registered kid decides", async () => {
      expectOAuthError(await grant({ header: { kid: undefined } }), "invalid_grant", /needs kid .* or x5c/);
      expect((await grant({ header: { x5c: ["AAAA"] } })).status).toBe(200);
      expectOAuthError(
        await grant({ header: { kid: "nope", x5c: ["AAAA"] } }),
        "invalid_grant",
        /^Unknown key identifier \(kid\) for client\./,
      );
    });

    it("rejects algorithms other than RS256/RS384/RS512", async () => {
      const hs = await new jose.SignJWT({ iss: clientId, aud: sim().issuer, scope: "difitest:open" })
        .setProtectedHeader({ alg: "HS256", kid: key.kid })
        .setIssuedAt()
        .setExpirationTime("60s")
        .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
      expectOAuthError(await postToken(sim(), hs), "invalid_grant", /alg is "HS256"/);
    });
  });

  describe("claims and scopes", () => {
    it("rejects claims Maskinporten does not document", async () => {
      expectOAuthError(await grant({ claims: { acr: "x" } }), "invalid_grant", /Claims Maskinporten does not accept: acr/);
    });

    it("rejects a scope not registered on the client and a grant without scope", async () => {
      expectOAuthError(await grant({ scope: "difitest:restricted" }), "invalid_scope", /invalid scopes for client .*difitest:restricted/);
      expectOAuthError(await grant({ scope: undefined }), "invalid_scope", /No scope requested/);
    });

    it("accepts a subset of the client's scopes", async () => {
      const k = rsaKeyPair();
      const { consumer } = roles(sim());
      const created = await consumerApi.post(
        "/clients",
        clientBody({ scopes: ["difitest:open", "idporten:dcr.read"], jwks: { keys: [k.publicJwk] } }),
      );
      expect(created.status).toBe(200);
      const res = await requestToken(sim(), { clientId: created.body.client_id, privateJwk: k.privateJwk, scope: "idporten:dcr.read" });
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe("idporten:dcr.read");
      expect(jose.decodeJwt(res.body.access_token)["consumer"]).toEqual({
        authority: "iso6523-actorid-upis",
        ID: `0192:${consumer.orgno}`,
      });
    });
  });
});

describe("Altinn token exchange", () => {
  const sim = useSimulator();

  it("exchanges a Maskinporten token for an Altinn token (plain text), logged as kind exchange", async () => {
    const { consumer } = roles(sim());
    const mp = await requestToken(sim(), { clientId: consumer.adminClientId, privateJwk: consumer.adminKey, scope: "idporten:dcr.read" });
    const since = await sim().control.lastSeq();
    const res = await fetch(sim().altinnExchangeUrl, { headers: { authorization: `Bearer ${mp.body.access_token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const altinn = await res.text();
    const jwks = jose.createLocalJWKSet((await (await fetch(sim().jwksUri)).json()) as jose.JSONWebKeySet);
    const { payload } = await jose.jwtVerify(altinn, jwks);
    expect(payload).toMatchObject({
      "urn:altinn:orgNumber": consumer.orgno,
      "urn:altinn:authenticatemethod": "maskinporten",
      scope: "idporten:dcr.read",
      client_id: consumer.adminClientId,
      iss: `${sim().url}/authentication/api/v1/openid/`,
    });
    expect(await sim().control.requestLog({ since, kind: "exchange" })).toEqual([
      expect.objectContaining({ status: 200, orgno: consumer.orgno }),
    ]);
  });

  it("answers 401 without a token or with one not issued by the simulator", async () => {
    expect((await fetch(sim().altinnExchangeUrl)).status).toBe(401);
    const res = await fetch(sim().altinnExchangeUrl, { headers: { authorization: "Bearer a.b.c" } });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/not a token issued by this Maskinporten/);
  });
});
