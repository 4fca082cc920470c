import { wire } from "../../provider/api/wire";
import { adminApi, clientBody, expectApiError, roles, useSimulator, type ApiCaller } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A GET result made ready to PUT back: without created/last_updated/jwks, as the API wants, and without the
 * zero lifetimes it shows for unset ones, which may not go back (reference, "Evidence from production callers").
 */
function forPut(client: Record<string, unknown>): Record<string, unknown> {
  const { created: _c, last_updated: _u, jwks: _j, ...rest } = client;
  for (const [k, v] of Object.entries(rest)) if (k.endsWith("_lifetime") && v === 0) delete rest[k];
  return rest;
}

describe("self-service API: /clients", () => {
  const sim = useSimulator();
  let consumerApi: ApiCaller;
  let ownerApi: ApiCaller;

  beforeAll(async () => {
    consumerApi = await adminApi(sim(), roles(sim()).consumer);
    ownerApi = await adminApi(sim(), roles(sim()).owner);
  });

  describe("POST", () => {
    it("creates a Maskinporten client with defaults and a generated client_id; 200, not 201", async () => {
      const res = await consumerApi.post("/clients", {
        integration_type: "maskinporten",
        client_name: "c",
        description: "d",
        scopes: ["difitest:open"],
      });
      expect(res.status).toBe(200);
      const client = wire().client.parse(res.body);
      expect(client).toEqual({
        client_id: expect.stringMatching(UUID),
        client_name: "c",
        description: "d",
        integration_type: "maskinporten",
        application_type: "web",
        token_endpoint_auth_method: "private_key_jwt",
        grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        scopes: ["difitest:open"],
        client_orgno: roles(sim()).consumer.orgno,
        active: true,
        access_token_lifetime: 120,
        authorization_lifetime: 7200,
        refresh_token_lifetime: 0,
        jwks_uri: `${sim().apiBaseUrl}/clients/${res.body.client_id}/jwks`,
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        last_updated: expect.any(String),
      });
    });

    it("assigns its own client_id when one is supplied (Digdir assigns it; clientIdOnCreate: ignored)", async () => {
      const first = await consumerApi.post("/clients", clientBody({ client_id: "my-fixed-id" }));
      const second = await consumerApi.post("/clients", clientBody({ client_id: "my-fixed-id" }));
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.body.client_id).toMatch(UUID);
      expect(second.body.client_id).toMatch(UUID);
      expect(second.body.client_id).not.toBe(first.body.client_id);
    });

    it("tolerates unknown fields and does not store them", async () => {
      const res = await consumerApi.post("/clients", clientBody({ "description#en": "English", whatever: { a: 1 } }));
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty("whatever");
    });

    it("rejects a client without scopes (400, field error on scopes)", async () => {
      const res = await consumerApi.post("/clients", clientBody({ scopes: [] }));
      expectApiError(res, 400, /scopes is empty: a client needs at least one scope/);
      expect(res.body.errors).toEqual([
        { errorMessage: expect.any(String), isFieldError: true, objectName: "Client", fieldIdentifier: "scopes" },
      ]);
      expectApiError(await consumerApi.post("/clients", clientBody({ scopes: undefined })), 400, /scopes is empty/);
    });

    it.each(["access_token_lifetime", "authorization_lifetime", "refresh_token_lifetime"])(
      "rejects %s = 0 and accepts a positive value",
      async (field) => {
        const zero = await consumerApi.post("/clients", clientBody({ [field]: 0 }));
        expectApiError(zero, 400, new RegExp(`${field} must be a positive whole number of seconds`));
        expect(zero.body.errors[0].fieldIdentifier).toBe(field);
        const ok = await consumerApi.post("/clients", clientBody({ [field]: 600 }));
        expect(ok.status).toBe(200);
        expect(ok.body[field]).toBe(600);
      },
    );

    it("requires integration_type and a supported value", async () => {
      expectApiError(await consumerApi.post("/clients", clientBody({ integration_type: undefined })), 400, /integration_type is required/);
      expectApiError(
        await consumerApi.post("/clients", clientBody({ integration_type: "idporten" })),
        400,
        /integration_type must be one of/,
      );
    });

    it("rejects wrongly typed fields with a field error", async () => {
      const res = await consumerApi.post("/clients", clientBody({ scopes: "difitest:open" }));
      expectApiError(res, 400);
      expect(res.body.errors[0]).toMatchObject({ isFieldError: true, fieldIdentifier: "scopes" });
    });

    it("rejects a body that is not JSON, and one not sent as JSON", async () => {
      expectApiError(
        await consumerApi.send("POST", "/clients", "{not json", { "content-type": "application/json" }),
        400,
        /not valid JSON/,
      );
      expectApiError(
        await consumerApi.send("POST", "/clients", JSON.stringify(clientBody()), { "content-type": "text/plain" }),
        415,
        /Content-Type: application\/json/,
      );
      expect(
        (await consumerApi.send("POST", "/clients", JSON.stringify(clientBody()), { "content-type": "application/json; charset=utf-8" }))
          .status,
      ).toBe(200);
    });
  });

  describe("scopes on a client", () => {
    it("accepts a scope that is accessible_for_all without any grant", async () => {
      expect((await consumerApi.post("/clients", clientBody({ scopes: ["difitest:open"] }))).status).toBe(200);
    });

    it("rejects a scope the organisation neither owns nor was granted, naming the owner", async () => {
      const res = await consumerApi.post("/clients", clientBody({ scopes: ["difitest:open", "difitest:restricted"] }));
      expectApiError(
        res,
        400,
        /has no access to scope "difitest:restricted": its owner 991825827 \(Digitaliseringsdirektoratet\) must grant it/,
      );
      expect(res.body.errors).toEqual([expect.objectContaining({ fieldIdentifier: "scopes[1]" })]);
    });

    it("accepts the owner's own scope, and a granted one", async () => {
      const created = await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "clients.test", description: "test" });
      expect(created.status).toBe(200);
      expect((await ownerApi.post("/clients", clientBody({ scopes: ["eksempel:clients.test"] }))).status).toBe(200);
      expectApiError(await consumerApi.post("/clients", clientBody({ scopes: ["eksempel:clients.test"] })), 400, /must grant it/);
      expect((await ownerApi.put(`/scopes/access/${roles(sim()).consumer.orgno}?scope=eksempel:clients.test`)).status).toBe(200);
      expect((await consumerApi.post("/clients", clientBody({ scopes: ["eksempel:clients.test"] }))).status).toBe(200);
    });

    it("rejects unknown scopes, malformed names and deactivated scopes", async () => {
      expectApiError(
        await consumerApi.post("/clients", clientBody({ scopes: ["difitest:nope"] })),
        400,
        /scope "difitest:nope" does not exist/,
      );
      expectApiError(
        await consumerApi.post("/clients", clientBody({ scopes: ["no colon"] })),
        400,
        /must be a scope name "prefix:subscope"/,
      );
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "soon.gone", description: "x" });
      await ownerApi.del("/scopes?scope=eksempel:soon.gone");
      expectApiError(await ownerApi.post("/clients", clientBody({ scopes: ["eksempel:soon.gone"] })), 400, /has been deactivated/);
    });

    it("rejects a scope that does not allow the client's integration type", async () => {
      await ownerApi.post("/scopes", {
        prefix: "eksempel",
        subscope: "login.only",
        description: "x",
        allowed_integration_types: ["idporten"],
      });
      expectApiError(
        await ownerApi.post("/clients", clientBody({ scopes: ["eksempel:login.only"] })),
        400,
        /does not allow integration_type "maskinporten"/,
      );
    });
  });

  describe("GET", () => {
    it("reads a client by id and answers 404 for an unknown one", async () => {
      const created = await consumerApi.post("/clients", clientBody());
      const res = await consumerApi.get(`/clients/${created.body.client_id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created.body);
      expectApiError(await consumerApi.get("/clients/does-not-exist"), 404, /client "does-not-exist" does not exist/);
    });
  });

  describe("PUT", () => {
    it("replaces the client: changed fields change, absent optional fields go, created stays", async () => {
      const created = await consumerApi.post("/clients", clientBody({ access_token_lifetime: 300 }));
      const id = created.body.client_id as string;
      const body = forPut(created.body);
      delete body["description"];
      delete body["access_token_lifetime"];
      const res = await consumerApi.put(`/clients/${id}`, { ...body, client_name: "renamed" });
      expect(res.status).toBe(200);
      expect(res.body.client_name).toBe("renamed");
      expect(res.body).not.toHaveProperty("description");
      expect(res.body.access_token_lifetime).toBe(120);
      expect(res.body.created).toBe(created.body.created);
    });

    it("refuses to change integration_type, client_id or client_orgno, and accepts the same values", async () => {
      const created = await consumerApi.post("/clients", clientBody());
      const id = created.body.client_id as string;
      const body = forPut(created.body);
      const res = await consumerApi.put(`/clients/${id}`, { ...body, integration_type: "api_klient" });
      expectApiError(res, 400, /integration_type cannot be changed after creation/);
      expect(res.body.errors[0].fieldIdentifier).toBe("integration_type");
      expectApiError(
        await consumerApi.put(`/clients/${id}`, { ...body, client_id: "other" }),
        400,
        /client_id must equal the client_id in the path/,
      );
      expectApiError(
        await consumerApi.put(`/clients/${id}`, { ...body, client_orgno: roles(sim()).owner.orgno }),
        400,
        /client_orgno cannot be changed/,
      );
      expect((await consumerApi.put(`/clients/${id}`, body)).status).toBe(200);
    });

    it("applies the same rules as POST (no scopes, zero lifetimes)", async () => {
      const created = await consumerApi.post("/clients", clientBody());
      const id = created.body.client_id as string;
      expectApiError(await consumerApi.put(`/clients/${id}`, { ...forPut(created.body), scopes: [] }), 400, /scopes is empty/);
      expectApiError(
        await consumerApi.put(`/clients/${id}`, { ...forPut(created.body), authorization_lifetime: 0 }),
        400,
        /authorization_lifetime/,
      );
    });

    it("ignores a jwks echoed back from a GET (keys change only through /jwks)", async () => {
      const created = await consumerApi.post("/clients", clientBody());
      const id = created.body.client_id as string;
      const res = await consumerApi.put(`/clients/${id}`, { ...forPut(created.body), jwks: { keys: [{ kty: "RSA" }] } });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty("jwks");
    });

    it("answers 404 for an unknown client", async () => {
      expectApiError(await consumerApi.put("/clients/nope", clientBody()), 404);
    });
  });

  describe("DELETE deactivates", () => {
    it("deactivates, hides from the list unless inactive=true, PUT active:true reactivates", async () => {
      const created = await consumerApi.post("/clients", clientBody());
      const id = created.body.client_id as string;
      const deleted = await consumerApi.del(`/clients/${id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.active).toBe(false);

      const ids = async (query: string) => (await consumerApi.get(`/clients${query}`)).body.map((c: { client_id: string }) => c.client_id);
      expect(await ids("")).not.toContain(id);
      expect(await ids("?inactive=false")).not.toContain(id);
      expect(await ids("?inactive=true")).toContain(id);
      const read = await consumerApi.get(`/clients/${id}`);
      expect(read.status).toBe(200);
      expect(read.body.active).toBe(false);

      const reactivated = await consumerApi.put(`/clients/${id}`, { ...forPut(created.body), active: true });
      expect(reactivated.status).toBe(200);
      expect(reactivated.body.active).toBe(true);
      expect(await ids("")).toContain(id);
    });

    it("answers 404 for an unknown client", async () => {
      expectApiError(await consumerApi.del("/clients/nope"), 404);
    });
  });

  it("answers 404 with an ApiErrorResponse for an unknown API path and 405 for a wrong method", async () => {
    expectApiError(await consumerApi.get("/nothing-here"), 404, /no such endpoint/);
    expectApiError(await consumerApi.send("PATCH", "/clients/x", {}), 405, /PATCH is not supported/);
  });
});
