import { wire } from "../../provider/api/wire";
import {
  adminApi,
  clientBody,
  expectApiError,
  expectOAuthError,
  nowSeconds,
  requestToken,
  roles,
  rsaKeyPair,
  useSimulator,
  type ApiCaller,
} from "./helpers";

const YEAR = 365 * 24 * 3600;

describe("self-service API: /clients/{id}/jwks", () => {
  const sim = useSimulator();
  let consumerApi: ApiCaller;

  beforeAll(async () => {
    consumerApi = await adminApi(sim(), roles(sim()).consumer);
  });

  async function newClient(extra: Record<string, unknown> = {}): Promise<string> {
    const res = await consumerApi.post("/clients", clientBody(extra));
    expect(res.status).toBe(200);
    return res.body.client_id as string;
  }

  const fieldsOf = (body: { errors: { fieldIdentifier: string }[] }) => body.errors.map((e) => e.fieldIdentifier);

  describe("whole set", () => {
    it('answers 200 {"keys": []} for a client without keys (okdata\'s fixtures; keylessJwks: empty-keys)', async () => {
      const id = await newClient();
      const res = await consumerApi.get(`/clients/${id}/jwks`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ keys: [] });
    });

    it("POST registers keys with the public members only and sets exp one year ahead when absent", async () => {
      const id = await newClient();
      const key = rsaKeyPair("k1");
      const res = await consumerApi.post(`/clients/${id}/jwks`, { keys: [key.publicJwk] });
      expect(res.status).toBe(200);
      const jwks = wire().jwks.parse(res.body);
      expect(jwks.keys).toEqual([{ ...key.publicJwk, exp: expect.any(Number) }]);
      expect(res.body).toMatchObject({ created: expect.any(String), last_updated: expect.any(String) });
      const exp = jwks.keys[0]!.exp!;
      expect(exp).toBeGreaterThan(nowSeconds(YEAR - 60));
      expect(exp).toBeLessThanOrEqual(nowSeconds(366 * 24 * 3600 + 60));
      expect((await consumerApi.get(`/clients/${id}/jwks`)).body).toEqual(res.body);
      // the client itself shows only where its keys are (clientJwks: uri-only)
      expect((await consumerApi.get(`/clients/${id}`)).body).toMatchObject({ jwks_uri: `${sim().apiBaseUrl}/clients/${id}/jwks` });
      expect((await consumerApi.get(`/clients/${id}`)).body).not.toHaveProperty("jwks");
    });

    it("POST replaces the whole set", async () => {
      const id = await newClient();
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("old").publicJwk] });
      const res = await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("new").publicJwk] });
      expect(res.body.keys.map((k: { kid: string }) => k.kid)).toEqual(["new"]);
    });

    it("keeps an exp within a year as given, and rejects one more than a year ahead or in the past", async () => {
      const id = await newClient();
      const exp = nowSeconds(30 * 24 * 3600);
      const ok = await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...rsaKeyPair("a").publicJwk, exp }] });
      expect(ok.body.keys[0].exp).toBe(exp);
      const far = await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...rsaKeyPair("b").publicJwk, exp: nowSeconds(2 * YEAR) }] });
      expectApiError(far, 400, /keys\[0\]\.exp is more than one year ahead/);
      expect(fieldsOf(far.body)).toEqual(["keys[0].exp"]);
      expectApiError(
        await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...rsaKeyPair("c").publicJwk, exp: nowSeconds(-10) }] }),
        400,
        /lies in the past/,
      );
    });

    it("accepts 5 keys and rejects 6", async () => {
      const id = await newClient();
      const five = Array.from({ length: 5 }, (_, i) => rsaKeyPair(`k${i}`).publicJwk);
      expect((await consumerApi.post(`/clients/${id}/jwks`, { keys: five })).status).toBe(200);
      const six = await consumerApi.post(`/clients/${id}/jwks`, { keys: [...five, rsaKeyPair("k5").publicJwk] });
      expectApiError(six, 400, /holds 6 keys; a client may have at most 5/);
      expect(fieldsOf(six.body)).toEqual(["keys"]);
    });

    it("requires use sig", async () => {
      const id = await newClient();
      const { use: _use, ...noUse } = rsaKeyPair("u").publicJwk;
      expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [noUse] }), 400, /keys\[0\]\.use must be "sig", got nothing/);
      expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...noUse, use: "enc" }] }), 400, /must be "sig", got "enc"/);
    });

    it("requires RSA with a modulus of at least 2048 bits", async () => {
      const id = await newClient();
      const small = await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("small", 1024).publicJwk] });
      expectApiError(small, 400, /keys\[0\]\.n is a 1024-bit RSA modulus; Maskinporten requires at least 2048 bits/);
      expect((await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("big", 3072).publicJwk] })).status).toBe(200);
      const ec = {
        kty: "EC",
        crv: "P-256",
        x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        kid: "ec",
        use: "sig",
        alg: "ES256",
      };
      expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [ec] }), 400, /kty must be "RSA"/);
    });

    it("accepts alg RS256/RS384/RS512 and rejects others", async () => {
      const id = await newClient();
      for (const alg of ["RS256", "RS384", "RS512"]) {
        expect((await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...rsaKeyPair(alg).publicJwk, alg }] })).status).toBe(200);
      }
      expectApiError(
        await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...rsaKeyPair("ps").publicJwk, alg: "PS256" }] }),
        400,
        /alg must be one of RS256, RS384, RS512, got "PS256"/,
      );
    });

    it("requires the complete public key", async () => {
      const id = await newClient();
      const { n: _n, ...noN } = rsaKeyPair("n").publicJwk;
      expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [noN] }), 400, /keys\[0\]\.n is missing/);
      const { e: _e, ...noE } = rsaKeyPair("e").publicJwk;
      expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [noE] }), 400, /keys\[0\]\.e is missing/);
    });

    it("rejects private keys without echoing the private material", async () => {
      const id = await newClient();
      const pair = rsaKeyPair("private");
      const res = await consumerApi.post(`/clients/${id}/jwks`, { keys: [{ ...pair.privateJwk, use: "sig" }] });
      expectApiError(res, 400, /is a private key \(it has the private members d, p, q, dp, dq, qi\)/);
      const text = JSON.stringify(res.body);
      for (const member of ["d", "p", "q", "dp", "dq", "qi"] as const) expect(text).not.toContain(String(pair.privateJwk[member]));
    });

    it("requires kid of [A-Za-z0-9._-], unique within the client", async () => {
      const id = await newClient();
      expectApiError(
        await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("has space").publicJwk] }),
        400,
        /keys\[0\]\.kid must be a key id of letters, digits/,
      );
      const { kid: _kid, ...noKid } = rsaKeyPair("x").publicJwk;
      expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [noKid] }), 400, /keys\[0\]\.kid/);
      const dup = await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("same").publicJwk, rsaKeyPair("same").publicJwk] });
      expectApiError(dup, 400, /keys\[1\]\.kid "same" is used by another key of this client/);
      expect((await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("Ok.kid_1-2").publicJwk] })).status).toBe(200);
    });

    it("refuses an empty set: DELETE removes all keys", async () => {
      const id = await newClient();
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("only").publicJwk] });
      expectApiError(
        await consumerApi.post(`/clients/${id}/jwks`, { keys: [] }),
        400,
        /keys is empty; an empty set cannot be posted: remove all keys with DELETE/,
      );
      const deleted = await consumerApi.del(`/clients/${id}/jwks`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ keys: [] });
      expect((await consumerApi.get(`/clients/${id}/jwks`)).body).toEqual({ keys: [] });
    });

    it("accepts keys sent with POST /clients under the same rules", async () => {
      const key = rsaKeyPair("with-client");
      const ok = await consumerApi.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }));
      expect(ok.status).toBe(200);
      expect((await consumerApi.get(`/clients/${ok.body.client_id}/jwks`)).body.keys[0].kid).toBe("with-client");
      const bad = await consumerApi.post("/clients", clientBody({ jwks: { keys: [{ ...key.publicJwk, use: "enc" }] } }));
      expectApiError(bad, 400, /jwks\.keys\[0\]\.use/);
    });

    it("tolerates empty optional members as altinn-jwks exports them", async () => {
      const id = await newClient();
      const res = await consumerApi.post(`/clients/${id}/jwks`, {
        keys: [{ ...rsaKeyPair("altinn").publicJwk, key_ops: [], oth: [], x5c: [] }],
      });
      expect(res.status).toBe(200);
      expect(res.body.keys[0]).not.toHaveProperty("x5c");
    });
  });

  describe("single keys", () => {
    it("GET /jwks/{kid} reads one key; 404 for an unknown kid", async () => {
      const id = await newClient();
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("one").publicJwk] });
      const res = await consumerApi.get(`/clients/${id}/jwks/one`);
      expect(res.status).toBe(200);
      expect(res.body.kid).toBe("one");
      expectApiError(await consumerApi.get(`/clients/${id}/jwks/two`), 404, /no key with kid "two"/);
    });

    it("PUT /jwks/{kid} adds a key, replaces the key with that kid, and keeps the others", async () => {
      const id = await newClient();
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("a").publicJwk] });
      const added = await consumerApi.put(`/clients/${id}/jwks/b`, rsaKeyPair("b").publicJwk);
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ kid: "b", exp: expect.any(Number) });
      const replacement = rsaKeyPair("b");
      expect((await consumerApi.put(`/clients/${id}/jwks/b`, replacement.publicJwk)).status).toBe(200);
      const all = (await consumerApi.get(`/clients/${id}/jwks`)).body.keys;
      expect(all.map((k: { kid: string }) => k.kid)).toEqual(["a", "b"]);
      expect(all[1].n).toBe(replacement.publicJwk.n);
    });

    it("PUT takes the kid from the path when the body has none, and refuses a different one", async () => {
      const id = await newClient();
      const { kid: _kid, ...noKid } = rsaKeyPair("x").publicJwk;
      expect((await consumerApi.put(`/clients/${id}/jwks/from-path`, noKid)).body.kid).toBe("from-path");
      expectApiError(
        await consumerApi.put(`/clients/${id}/jwks/path-kid`, rsaKeyPair("body-kid").publicJwk),
        400,
        /kid must equal the kid in the path/,
      );
    });

    it("PUT applies the key rules and the 5-key limit", async () => {
      const id = await newClient();
      expectApiError(await consumerApi.put(`/clients/${id}/jwks/small`, rsaKeyPair("small", 1024).publicJwk), 400, /1024-bit/);
      for (let i = 0; i < 5; i++)
        expect((await consumerApi.put(`/clients/${id}/jwks/k${i}`, rsaKeyPair(`k${i}`).publicJwk)).status).toBe(200);
      expectApiError(
        await consumerApi.put(`/clients/${id}/jwks/k5`, rsaKeyPair("k5").publicJwk),
        400,
        /already has 5 keys; a client may have at most 5/,
      );
      expect((await consumerApi.put(`/clients/${id}/jwks/k4`, rsaKeyPair("k4").publicJwk)).status).toBe(200);
    });

    it("DELETE /jwks/{kid} removes one key and answers with the rest; 404 for an unknown kid", async () => {
      const id = await newClient();
      await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("keep").publicJwk, rsaKeyPair("drop").publicJwk] });
      const res = await consumerApi.del(`/clients/${id}/jwks/drop`);
      expect(res.status).toBe(200);
      expect(res.body.keys.map((k: { kid: string }) => k.kid)).toEqual(["keep"]);
      expectApiError(await consumerApi.del(`/clients/${id}/jwks/drop`), 404);
    });
  });

  describe("effect at the token endpoint (no propagation delay)", () => {
    it("a new key works at once, a removed key stops at once", async () => {
      const id = await newClient();
      const key = rsaKeyPair("live");
      await consumerApi.put(`/clients/${id}/jwks/live`, key.publicJwk);
      expect((await requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open" })).status).toBe(200);
      await consumerApi.del(`/clients/${id}/jwks/live`);
      expectOAuthError(
        await requestToken(sim(), { clientId: id, privateJwk: key.privateJwk, scope: "difitest:open" }),
        "invalid_grant",
        /No key with kid "live"/,
      );
    });
  });
});
