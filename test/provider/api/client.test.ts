/**
 * The API client against the simulator: typed operations, token economy, errors that say what to do,
 * serialized JWKS changes and shared list reads. Request counts come from the simulator's own counters.
 */
import { randomUUID } from "node:crypto";
import { ApiError, ConfigError, MissingAdminScopeError, TooManyKeysError } from "../../../provider/api/errors";
import { resolveEndpoints } from "../../../provider/api/environments";
import { MaskinportenApi } from "../../../provider/api/maskinporten-api";
import { MASKINPORTEN_INTEGRATION_TYPE, JWT_BEARER_GRANT, type ClientRequest } from "../../../provider/api/wire";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../../simulator";
import { connectAs } from "../../helpers/api";
import { keyWriteRoutes } from "../../helpers/key-writes";
import { CONSUMER_WITH_SCOPE_ADMIN } from "../../helpers/simulator-variant";
import { rsaKeyPair, useSimulator } from "../../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;

function clientBody(name = `client-${randomUUID().slice(0, 8)}`): ClientRequest {
  return {
    client_name: name,
    description: "made by a test",
    integration_type: MASKINPORTEN_INTEGRATION_TYPE,
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: [JWT_BEARER_GRANT],
    scopes: [OPEN_CATALOGUE_SCOPE],
  };
}

describe("tokens", () => {
  it("100 concurrent operations cause one token request", async () => {
    const conn = connectAs(sim(), consumer());
    await sim().control.resetRequests();
    await Promise.all(Array.from({ length: 100 }, () => conn.api.listClients()));
    const counters = await sim().control.counters();
    expect(counters.token).toBe(1);
    expect(counters.metadata).toBe(1);
    expect(counters.apiReads).toBe(100);
    await conn.close();
  });

  describe("of two scope sets, for a consumer that holds scopes.read (it relies on consumerAdminScopes: standard)", () => {
    const scoped = useSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN });
    const scopedConsumer = (): SimulatorOrg => scoped().orgs[1]!;

    it("concurrent operations needing two scope sets cause one token request per set, each with only its scope", async () => {
      const conn = connectAs(scoped(), scopedConsumer());
      const asked: string[] = [];
      const real = conn.tokens.token.bind(conn.tokens);
      jest.spyOn(conn.tokens, "token").mockImplementation((scopes) => {
        asked.push((scopes ?? []).join(" "));
        return real(scopes);
      });
      await scoped().control.resetRequests();
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? conn.api.listClients() : conn.api.listScopes())));
      expect((await scoped().control.counters()).token).toBe(2);
      expect(new Set(asked)).toEqual(new Set(["idporten:dcr.read", "idporten:scopes.read"]));
      await conn.close();
    });

    it("reuses the cached token for later operations of the same scopes; another scope set gets its own token, once", async () => {
      const conn = connectAs(scoped(), scopedConsumer());
      await conn.api.listClients();
      await scoped().control.resetRequests();
      await conn.api.listClients();
      await conn.api.getJwks("no-such-client");
      expect((await scoped().control.counters()).token).toBe(0);
      await conn.api.listScopes();
      await conn.api.listPrefixes();
      expect((await scoped().control.counters()).token).toBe(1);
      await conn.close();
    });
  });

  it("drops a token the API rejects and repeats the request once with a fresh one", async () => {
    const conn = connectAs(sim(), consumer());
    const real = conn.tokens;
    let handedOutStale = false;
    const invalidated: string[] = [];
    const tokens = {
      token: async (scopes?: readonly string[]) => {
        if (!handedOutStale) {
          handedOutStale = true;
          return { accessToken: "not-a-valid-token", tokenType: "Bearer", scope: "", expiresAt: Date.now() + 60_000 };
        }
        return real.token(scopes); // the scopes the operation asked for, not the credential's default set
      },
      invalidate: (t: string) => invalidated.push(t),
    };
    const api = new MaskinportenApi({ transport: conn.transport, apiBaseUrl: sim().apiBaseUrl, tokens });
    await expect(api.listClients()).resolves.toEqual(expect.any(Array));
    expect(invalidated).toEqual(["not-a-valid-token"]);
    await conn.close();
  });
});

describe("clients", () => {
  it("creates, reads, updates with a full PUT that keeps server-owned fields, and deactivates", async () => {
    const conn = connectAs(sim(), consumer());
    const created = await conn.api.createClient(clientBody());
    expect(created.client_orgno).toBe(consumer().orgno);
    const updated = await conn.api.updateClient(created.client_id, (c) => ({ ...c, description: "changed" }));
    expect(updated).toMatchObject({ client_id: created.client_id, description: "changed", created: created.created });
    await expect(conn.api.deleteClient(created.client_id)).resolves.toBe("deactivated");
    expect((await conn.api.getClient(created.client_id)).active).toBe(false);
    expect((await conn.api.listClients()).map((c) => c.client_id)).not.toContain(created.client_id);
    expect((await conn.api.listClients({ inactive: true })).map((c) => c.client_id)).toContain(created.client_id);
    await conn.close();
  });

  it("reports an unknown client as absent, and names it in errors", async () => {
    const conn = connectAs(sim(), consumer());
    await expect(conn.api.findClient("no-such-client")).resolves.toBeUndefined();
    await expect(conn.api.deleteClient("no-such-client")).resolves.toBe("absent");
    const err = await conn.api.getClient("no-such-client").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as Error).message).toContain('client "no-such-client"');
    await conn.close();
  });

  it("a 400 names the field", async () => {
    const conn = connectAs(sim(), consumer());
    const err = await conn.api.createClient({ ...clientBody(), access_token_lifetime: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as Error).message).toContain("access_token_lifetime");
    await conn.close();
  });

  it("a 403 names the organisation that owns the object", async () => {
    const theirs = connectAs(sim(), owner());
    const mine = connectAs(sim(), consumer());
    const created = await theirs.api.createClient(clientBody());
    const err = await mine.api.getClient(created.client_id).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(403);
    expect((err as Error).message).toContain(owner().orgno);
    await theirs.close();
    await mine.close();
  });

  // Maskinporten refuses a token for a scope the client lacks, so this fails before the API is asked at all.
  it("an operation needing an admin scope the credential lacks names the scope and who grants it, before any request", async () => {
    const limited = await sim().control.addOrganisation({ orgno: "312345676", name: "Lesetilgang AS", adminScopes: ["idporten:dcr.read"] });
    const conn = connectAs(sim(), limited, { adminScopes: ["idporten:dcr.read"] });
    await sim().control.resetRequests();
    const err = await conn.api.createClient(clientBody()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingAdminScopeError);
    expect((await sim().control.counters()).total).toBe(0);
    expect((err as Error).message).toContain("create client needs the admin scope idporten:dcr.write");
    expect((err as Error).message).toContain("maskinporten:adminScopes");
    expect((err as Error).message).toContain("servicedesk@digdir.no");
    await conn.close();
  });
});

describe("JWKS changes", () => {
  it("five concurrent additions to one client all land", async () => {
    const conn = connectAs(sim(), consumer());
    const client = await conn.api.createClient(clientBody());
    const keys = Array.from({ length: 5 }, (_, i) => rsaKeyPair(`k${i}`).publicJwk);
    await Promise.all(keys.map((key) => conn.api.modifyJwks(client.client_id, (current) => [...current, key])));
    const registered = await conn.api.getJwks(client.client_id);
    expect(registered.map((k) => k.kid).sort()).toEqual(["k0", "k1", "k2", "k3", "k4"]);
    await conn.close();
  });

  it("a sixth key fails before any write, listing the current kids", async () => {
    const conn = connectAs(sim(), consumer());
    const client = await conn.api.createClient(clientBody());
    const five = Array.from({ length: 5 }, (_, i) => rsaKeyPair(`five-${i}`).publicJwk);
    await conn.api.modifyJwks(client.client_id, () => five);
    const before = await sim().control.counters();
    const err = await conn.api
      .modifyJwks(client.client_id, (current) => [...current, rsaKeyPair("sixth").publicJwk])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyKeysError);
    expect((err as Error).message).toMatch(/five-0, five-1, five-2, five-3, five-4/);
    expect((await sim().control.counters()).apiWrites).toBe(before.apiWrites);
    await conn.close();
  });

  it("removing the last key uses a DELETE, and a no-op change writes nothing", async () => {
    const conn = connectAs(sim(), consumer());
    const client = await conn.api.createClient(clientBody());
    await conn.api.modifyJwks(client.client_id, () => [rsaKeyPair("only").publicJwk]);
    const before = await sim().control.counters();
    await conn.api.modifyJwks(client.client_id, (current) => current);
    const afterNoop = await sim().control.counters();
    expect(afterNoop.apiWrites).toBe(before.apiWrites);
    await conn.api.modifyJwks(client.client_id, () => []);
    const after = await sim().control.counters();
    const removal = keyWriteRoutes(sim()).lastKeyRemoval;
    expect(after.byRoute[removal]).toBe((before.byRoute[removal] ?? 0) + 1);
    await expect(conn.api.getJwks(client.client_id)).resolves.toEqual([]);
    await conn.close();
  });

  it("a client update does not undo a key added at the same time", async () => {
    const conn = connectAs(sim(), consumer());
    const client = await conn.api.createClient(clientBody());
    const key = rsaKeyPair("concurrent").publicJwk;
    await Promise.all([
      conn.api.modifyJwks(client.client_id, (current) => [...current, key]),
      conn.api.updateClient(client.client_id, (c) => ({ ...c, description: "updated while a key was added" })),
    ]);
    expect((await conn.api.getJwks(client.client_id)).map((k) => k.kid)).toEqual(["concurrent"]);
    expect((await conn.api.getClient(client.client_id)).description).toBe("updated while a key was added");
    await conn.close();
  });
});

describe("scopes and access", () => {
  it("creates a scope, grants, revokes (kept as DENIED), re-grants, and deactivates", async () => {
    const conn = connectAs(sim(), owner());
    const subscope = `api-${randomUUID().slice(0, 8)}`;
    const scope = await conn.api.createScope({ prefix: "eksempel", subscope, description: "a test API" });
    expect(scope.name).toBe(`eksempel:${subscope}`);
    expect(await conn.api.listPrefixes()).toContain("eksempel");
    expect((await conn.api.grantAccess(scope.name, consumer().orgno)).state).toBe("APPROVED");
    expect((await conn.api.revokeAccess(scope.name, consumer().orgno))?.state).toBe("DENIED");
    expect((await conn.api.listAccess({ scope: scope.name })).map((a) => a.state)).toEqual(["DENIED"]);
    expect((await conn.api.grantAccess(scope.name, consumer().orgno)).state).toBe("APPROVED");
    await expect(conn.api.deleteScope(scope.name)).resolves.toBe("deactivated");
    const err = await conn.api.createScope({ prefix: "eksempel", subscope, description: "again" }).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(409);
    const reactivated = await conn.api.updateScope(scope.name, { description: "back", active: true });
    expect(reactivated.active).toBe(true);
    await conn.close();
  });

  describe("for a consumer that holds scopes.read (it relies on consumerAdminScopes: standard)", () => {
    const scoped = useSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN });

    it("the consumer sees the grant it received", async () => {
      const [scopedOwner, scopedConsumer] = scoped().orgs as [SimulatorOrg, SimulatorOrg];
      const ownerConn = connectAs(scoped(), scopedOwner);
      const consumerConn = connectAs(scoped(), scopedConsumer);
      const scope = await ownerConn.api.createScope({ prefix: "eksempel", subscope: `recv-${randomUUID().slice(0, 8)}`, description: "x" });
      await ownerConn.api.grantAccess(scope.name, scopedConsumer.orgno);
      expect((await consumerConn.api.listReceivedAccess()).map((a) => a.scope)).toContain(scope.name);
      await ownerConn.close();
      await consumerConn.close();
    });
  });
});

describe.each(["200", "200-empty", "204"] as const)("a revoke answered %s", (deleteAnswer) => {
  const own = useSimulator({ variant: { deleteAnswer } });

  it("returns the grant kept as DENIED, read back when the answer has no body; an unknown grant is absent", async () => {
    const conn = connectAs(own(), own().orgs[0]!);
    const consumerOrgno = own().orgs[1]!.orgno;
    const scope = await conn.api.createScope({ prefix: "eksempel", subscope: `revoke-${randomUUID().slice(0, 8)}`, description: "x" });
    await conn.api.grantAccess(scope.name, consumerOrgno);
    await own().control.resetRequests();
    expect(await conn.api.revokeAccess(scope.name, consumerOrgno)).toMatchObject({
      scope: scope.name,
      consumer_orgno: consumerOrgno,
      state: "DENIED",
    });
    expect((await own().control.counters()).apiReads).toBe(deleteAnswer === "200" ? 0 : 1);
    await expect(conn.api.revokeAccess("eksempel:no-such-scope", consumerOrgno)).resolves.toBeUndefined();
    await conn.close();
  });
});

describe("shared list reads", () => {
  it("twenty concurrent readers share one list request, and a write makes the next read fresh", async () => {
    const conn = connectAs(sim(), consumer());
    await conn.api.listClients();
    await sim().control.resetRequests();
    const lists = await Promise.all(Array.from({ length: 20 }, () => conn.api.sharedClients()));
    expect(new Set(lists).size).toBe(1);
    expect((await sim().control.counters()).byRoute["GET /api/v1/clients"]).toBe(1);
    const created = await conn.api.createClient(clientBody());
    const after = await conn.api.sharedClients();
    expect(after.map((c) => c.client_id)).toContain(created.client_id);
    expect((await sim().control.counters()).byRoute["GET /api/v1/clients"]).toBe(2);
    await conn.close();
  });
});

describe("endpoints", () => {
  it("refuses http to a non-loopback host before any request", () => {
    expect(() =>
      resolveEndpoints({ issuer: "http://maskinporten.example/", apiBaseUrl: "https://api.example/api/v1" }, (k) => `maskinporten:${k}`),
    ).toThrow(ConfigError);
  });
  it("knows test and prod", () => {
    expect(resolveEndpoints({ environment: "test" }, (k) => k)).toMatchObject({
      issuer: "https://test.maskinporten.no/",
      apiBaseUrl: "https://api.test.samarbeid.digdir.no/api/v1",
    });
    expect(resolveEndpoints({ environment: "prod" }, (k) => k)).toMatchObject({
      issuer: "https://maskinporten.no/",
      apiBaseUrl: "https://api.samarbeid.digdir.no/api/v1",
    });
    expect(() => resolveEndpoints({ environment: "staging" }, (k) => `maskinporten:${k}`)).toThrow(/maskinporten:environment/);
  });
});

describe("keys that have expired", () => {
  /** A client with one key that expires in a minute, and an API client whose clock is two minutes ahead. */
  async function clientWithExpiredKey(conn: ReturnType<typeof connectAs>): Promise<{ clientId: string; api: MaskinportenApi }> {
    const client = await conn.api.createClient(clientBody());
    const soon = Math.floor(Date.now() / 1000) + 60;
    await sim()
      .control.portal(consumer().orgno)
      .replaceKeys(client.client_id, [{ ...rsaKeyPair("old").publicJwk, exp: soon }]);
    return {
      clientId: client.client_id,
      api: new MaskinportenApi({
        transport: conn.transport,
        apiBaseUrl: sim().apiBaseUrl,
        tokens: conn.tokens,
        now: () => Date.now() + 120_000,
      }),
    };
  }

  it("are left in place by a single-key add while there is room, and removed when a new key needs their place", async () => {
    const conn = connectAs(sim(), consumer());
    const previous = sim().switches.singleKeyEndpoints;
    await sim().setVariant({ singleKeyEndpoints: "available" });
    try {
      const { clientId, api } = await clientWithExpiredKey(conn);
      expect((await api.modifyJwks(clientId, (current) => [...current, rsaKeyPair("new").publicJwk])).map((k) => k.kid)).toEqual([
        "old",
        "new",
      ]);
      const three = ["n2", "n3", "n4"].map((kid) => rsaKeyPair(kid).publicJwk);
      await api.modifyJwks(clientId, (current) => [...current, ...three]);
      // Five registered, one of them expired: the sixth takes the expired key's place.
      const keys = await api.modifyJwks(clientId, (current) => [...current, rsaKeyPair("n5").publicJwk]);
      expect(keys.map((k) => k.kid).sort()).toEqual(["n2", "n3", "n4", "n5", "new"]);
    } finally {
      await sim().setVariant({ singleKeyEndpoints: previous });
      await conn.close();
    }
  });

  it("are left out of a whole-set write (the API refuses them), freeing their slot", async () => {
    const conn = connectAs(sim(), consumer());
    const previous = sim().switches.singleKeyEndpoints;
    await sim().setVariant({ singleKeyEndpoints: "absent" });
    try {
      const { clientId, api } = await clientWithExpiredKey(conn);
      const keys = await api.modifyJwks(clientId, (current) => [...current, rsaKeyPair("new").publicJwk]);
      expect(keys.map((k) => k.kid)).toEqual(["new"]);
      expect(api.writesWholeKeySets).toBe(true);
    } finally {
      await sim().setVariant({ singleKeyEndpoints: previous });
      await conn.close();
    }
  });
});
