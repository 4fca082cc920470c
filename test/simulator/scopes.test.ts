import { wire } from "../../provider/api/wire";
import {
  adminApi,
  clientBody,
  expectApiError,
  expectOAuthError,
  requestToken,
  roles,
  rsaKeyPair,
  useSimulator,
  type ApiCaller,
} from "./helpers";

describe("self-service API: /scopes and /prefix", () => {
  const sim = useSimulator();
  let ownerApi: ApiCaller;
  let consumerApi: ApiCaller;

  beforeAll(async () => {
    ownerApi = await adminApi(sim(), roles(sim()).owner);
    consumerApi = await adminApi(sim(), roles(sim()).consumer);
  });

  const names = (res: { body: { name: string }[] }) => res.body.map((s) => s.name);

  it("GET /prefix lists the caller's prefixes", async () => {
    expect((await ownerApi.get("/prefix")).body).toEqual(["eksempel"]);
    expect((await consumerApi.get("/prefix")).body).toEqual([]);
  });

  describe("POST", () => {
    it("creates a scope under an owned prefix, with defaults", async () => {
      const res = await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "data/v1.read", description: "Read data" });
      expect(res.status).toBe(200);
      expect(wire().scope.parse(res.body)).toEqual({
        name: "eksempel:data/v1.read",
        prefix: "eksempel",
        subscope: "data/v1.read",
        description: "Read data",
        active: true,
        allowed_integration_types: ["maskinporten"],
        owner_orgno: roles(sim()).owner.orgno,
        token_type: "SELF_CONTAINED",
        visibility: "PUBLIC",
        accessible_for_all: false,
        requires_user_consent: false,
        requires_user_authentication: false,
        requires_pseudonymous_tokens: false,
        // whole objects: unset members as 0, "" or false, and fields outside the spec (reference, evidence)
        long_description: "",
        at_max_age: 0,
        authorization_max_lifetime: 0,
        delegation_source: "",
        enforced_aud_for_access_token: "",
        protected: false,
        supports_european_businesses: false,
        "description#en": "",
        created: expect.any(String),
        last_updated: expect.any(String),
      });
    });

    it("refuses a prefix the caller does not own, naming the owner when there is one", async () => {
      expectApiError(
        await consumerApi.post("/scopes", { prefix: "eksempel", subscope: "x", description: "x" }),
        403,
        /prefix "eksempel" belongs to organisation 311000004 \(Eksempel API-tilbyder AS\), not to yours/,
      );
      expectApiError(
        await ownerApi.post("/scopes", { prefix: "unassigned", subscope: "x", description: "x" }),
        403,
        /prefix "unassigned" is not assigned to your organisation/,
      );
    });

    it("requires prefix, subscope and description in the scope grammar", async () => {
      const res = await ownerApi.post("/scopes", { prefix: "Bad Prefix", subscope: "/lead", long_description: "x" });
      expectApiError(res, 400);
      expect(res.body.errors.map((e: { fieldIdentifier: string }) => e.fieldIdentifier).sort()).toEqual([
        "description",
        "prefix",
        "subscope",
      ]);
    });

    it("refuses a name that is not prefix:subscope", async () => {
      expectApiError(
        await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "n", name: "eksempel:other", description: "x" }),
        400,
        /name must be prefix:subscope/,
      );
      expect((await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "n", name: "eksempel:n", description: "x" })).status).toBe(
        200,
      );
    });

    it("answers 409 for an existing scope, and for a deactivated one tells to reactivate with PUT", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "dup", description: "x" });
      expectApiError(await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "dup", description: "x" }), 409, /already exists/);
      expect((await ownerApi.del("/scopes?scope=eksempel:dup")).status).toBe(200);
      expectApiError(
        await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "dup", description: "x" }),
        409,
        /deactivated; reactivate it with PUT \/scopes\?scope=eksempel:dup/,
      );
    });

    it("tolerates unknown fields", async () => {
      const res = await ownerApi.post("/scopes", {
        prefix: "eksempel",
        subscope: "tolerant",
        description: "x",
        "description#en": "x",
        protected: false,
      });
      expect(res.status).toBe(200);
    });
  });

  describe("GET /scopes", () => {
    it("lists the caller's scopes, hiding inactive ones unless inactive=true", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "listed", description: "x" });
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "hidden", description: "x" });
      await ownerApi.del("/scopes?scope=eksempel:hidden");
      const active = await ownerApi.get("/scopes");
      expect(active.status).toBe(200);
      expect(names(active)).toContain("eksempel:listed");
      expect(names(active)).not.toContain("eksempel:hidden");
      expect(names(await ownerApi.get("/scopes?inactive=true"))).toContain("eksempel:hidden");
      expect((await consumerApi.get("/scopes")).body).toEqual([]);
    });
  });

  describe("PUT /scopes?scope=", () => {
    it("updates mutable fields and keeps created", async () => {
      const created = (await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "put", description: "old" })).body;
      const res = await ownerApi.put("/scopes?scope=eksempel:put", {
        ...created,
        description: "new",
        accessible_for_all: true,
        at_max_age: 60,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ description: "new", accessible_for_all: true, at_max_age: 60, created: created.created });
    });

    it("refuses to change prefix or subscope", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "fixed", description: "x" });
      expectApiError(
        await ownerApi.put("/scopes?scope=eksempel:fixed", { subscope: "moved", description: "x" }),
        400,
        /subscope cannot be changed/,
      );
      expectApiError(
        await ownerApi.put("/scopes?scope=eksempel:fixed", { prefix: "other", description: "x" }),
        400,
        /prefix cannot be changed/,
      );
      expect((await ownerApi.put("/scopes?scope=eksempel:fixed", { prefix: "eksempel", subscope: "fixed", description: "y" })).status).toBe(
        200,
      );
    });

    it("reactivates with active: true", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "again", description: "x" });
      const deleted = await ownerApi.del("/scopes?scope=eksempel:again");
      expect(deleted.body.active).toBe(false);
      const res = await ownerApi.put("/scopes?scope=eksempel:again", { description: "x", active: true });
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(true);
      expect(names(await ownerApi.get("/scopes"))).toContain("eksempel:again");
    });

    it("answers 400 without ?scope=, 404 for an unknown scope, 403 for another organisation's", async () => {
      expectApiError(await ownerApi.put("/scopes", { description: "x" }), 400, /scope is required as a query parameter/);
      expectApiError(await ownerApi.put("/scopes?scope=eksempel:unknown", { description: "x" }), 404, /does not exist/);
      expectApiError(
        await consumerApi.put("/scopes?scope=difitest:open", { description: "x" }),
        403,
        /belongs to organisation 991825827 \(Digitaliseringsdirektoratet\)/,
      );
      expectApiError(await consumerApi.del("/scopes?scope=difitest:open"), 403, /belongs to organisation 991825827/);
    });
  });

  describe("GET /scopes/scope?scope=", () => {
    it("reads own scopes and other organisations' public ones; 403 for a private one; 404 unknown", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "private", description: "x", visibility: "PRIVATE" });
      expect((await ownerApi.get("/scopes/scope?scope=eksempel:private")).status).toBe(200);
      expect((await consumerApi.get("/scopes/scope?scope=difitest:open")).body.name).toBe("difitest:open");
      expectApiError(await consumerApi.get("/scopes/scope?scope=eksempel:private"), 403, /belongs to organisation 311000004/);
      expectApiError(await consumerApi.get("/scopes/scope?scope=eksempel:nope"), 404);
    });
  });

  describe("GET /scopes/all (catalogue)", () => {
    it("lists public scopes with filters, hides private and inactive ones", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "catalogue", description: "x" });
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "secret", description: "x", visibility: "PRIVATE" });
      const all = await consumerApi.get("/scopes/all");
      expect(all.status).toBe(200);
      expect(names(all)).toEqual(expect.arrayContaining(["difitest:open", "difitest:restricted", "eksempel:catalogue"]));
      expect(names(all)).not.toContain("eksempel:secret");
      // Digdir's private admin scopes show only where granted: the consumer holds dcr.read, not dcr.supplier
      expect(names(all)).toContain("idporten:dcr.read");
      expect(names(all)).not.toContain("idporten:dcr.supplier");
      const forAll = await consumerApi.get("/scopes/all?accessible_for_all=true");
      expect(names(forAll)).toContain("difitest:open");
      expect(forAll.body.every((s: { accessible_for_all: boolean }) => s.accessible_for_all)).toBe(true);
      expect(names(await consumerApi.get("/scopes/all?prefix=eksempel"))).toContain("eksempel:catalogue");
      expect(names(await consumerApi.get("/scopes/all?prefix=eksempel")).every((n) => n.startsWith("eksempel:"))).toBe(true);
      expect(names(await consumerApi.get("/scopes/all?integration_type=idporten"))).not.toContain("difitest:open");
    });
  });

  describe("deactivation and the token endpoint", () => {
    it("a deactivated scope can no longer be requested; reactivated it can", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "flip", description: "x" });
      const key = rsaKeyPair();
      const client = await ownerApi.post("/clients", clientBody({ scopes: ["eksempel:flip"], jwks: { keys: [key.publicJwk] } }));
      const token = () => requestToken(sim(), { clientId: client.body.client_id, privateJwk: key.privateJwk, scope: "eksempel:flip" });
      expect((await token()).status).toBe(200);
      await ownerApi.del("/scopes?scope=eksempel:flip");
      expectOAuthError(await token(), "invalid_scope", /has been deactivated/);
      await ownerApi.put("/scopes?scope=eksempel:flip", { description: "x", active: true });
      expect((await token()).status).toBe(200);
    });

    it("caps the token lifetime at the scope's at_max_age", async () => {
      await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "short", description: "x", at_max_age: 30 });
      const key = rsaKeyPair();
      const client = await ownerApi.post("/clients", clientBody({ scopes: ["eksempel:short"], jwks: { keys: [key.publicJwk] } }));
      const res = await requestToken(sim(), { clientId: client.body.client_id, privateJwk: key.privateJwk, scope: "eksempel:short" });
      expect(res.body.expires_in).toBe(30);
    });
  });
});
