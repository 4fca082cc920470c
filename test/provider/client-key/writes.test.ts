/**
 * How key changes reach the API (issue 16, "No lost key updates"), through real HTTP against the simulator:
 * one key at a time (`PUT`/`DELETE /jwks/{kid}`) where the server has those operations, the whole set where it
 * does not (`singleKeyEndpoints: absent`), with the same provider behaviour; and a loud failure when another
 * writer drops the key just written before it is read back.
 */
import { randomUUID } from "node:crypto";
import { HttpTransport, type HttpRequest, type HttpResponse } from "../../../provider/api/http";
import { MaskinportenApi } from "../../../provider/api/maskinporten-api";
import type { ApiClient, Jwk } from "../../../provider/api/wire";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../../simulator";
import { connectAs } from "../../helpers/api";
import { configureProvider, PROVIDER, simulatorConfig, useConfiguredProvider, type Props } from "../../helpers/provider";
import { rsaKeyPair, useSimulator } from "../../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const portal = () => sim().control.portal(owner().orgno);
const config = () => simulatorConfig(sim(), owner().orgno);
useConfiguredProvider(sim, config);

/** Runs the test body under `singleKeyEndpoints` = `value` in a fresh provider process, then restores the switch. */
async function withSingleKeyEndpoints(value: "available" | "absent", body: () => Promise<void>): Promise<void> {
  const previous = sim().switches.singleKeyEndpoints;
  sim().setVariant({ singleKeyEndpoints: value });
  try {
    await configureProvider(config());
    await body();
  } finally {
    sim().setVariant({ singleKeyEndpoints: previous });
  }
}

async function newClient(): Promise<ApiClient> {
  return portal().createClient({
    client_name: `writes-${randomUUID().slice(0, 8)}`,
    integration_type: "maskinporten",
    scopes: [OPEN_CATALOGUE_SCOPE],
  });
}

async function kidsOf(clientId: string): Promise<string[]> {
  const response = await portal().request<{ keys?: Jwk[] }>("GET", `/clients/${clientId}/jwks`);
  return response.status === 404 ? [] : (response.body.keys ?? []).map((k) => k.kid ?? "?").sort();
}

/** `pulumi up` of a new ClientKey with a given public JWK: check, then create. */
async function upKey(clientId: string, kid: string): Promise<{ id: string; outs: Props }> {
  const checked = await clientKeyProvider.check({}, { clientId, publicKey: rsaKeyPair(kid).publicJwk, __provider: PROVIDER });
  expect(checked.failures ?? []).toEqual([]);
  const { id, outs } = await clientKeyProvider.create(checked.inputs!);
  return { id, outs: outs as Props };
}

/** The API's key writes to the client since `since`, as `METHOD route status`; any success as `2xx` (the simulator's answer switches pick 200, 201 or 204). */
async function keyWrites(clientId: string, since: number): Promise<string[]> {
  return (await sim().control.requestLog({ since }))
    .filter((e) => e.kind === "api" && e.path.includes(`/clients/${clientId}/jwks`) && e.method !== "GET")
    .map(
      (e) => `${e.method} ${e.route.replace("/api/v1/clients/{client_id}", "")} ${e.status >= 200 && e.status < 300 ? "2xx" : e.status}`,
    );
}

describe("single-key operations available", () => {
  it("a ClientKey is added with PUT /jwks/{kid} and removed with DELETE /jwks/{kid}; the portal's key is never rewritten", async () => {
    await withSingleKeyEndpoints("available", async () => {
      const client = await newClient();
      await sim().control.addLegacyKey(client.client_id, rsaKeyPair("portal-legacy").publicJwk);
      const since = await sim().control.lastSeq();
      const mine = await upKey(client.client_id, "mine");
      expect(await kidsOf(client.client_id)).toEqual(["mine", "portal-legacy"]);
      await clientKeyProvider.delete(mine.id, mine.outs);
      expect(await kidsOf(client.client_id)).toEqual(["portal-legacy"]);
      expect(await keyWrites(client.client_id, since)).toEqual(["PUT /jwks/{kid} 2xx", "DELETE /jwks/{kid} 2xx"]);
      // The legacy key (no `use`) was never posted back, so it still has none: nothing rewrote it.
      expect((await portal().getKeys(client.client_id)).keys.find((k) => k.kid === "portal-legacy")?.use).toBeUndefined();
    });
  });

  it("a sixth key fails before any write, naming the limit and the current kids", async () => {
    await withSingleKeyEndpoints("available", async () => {
      const client = await newClient();
      await portal().replaceKeys(
        client.client_id,
        ["k1", "k2", "k3", "k4", "k5"].map((kid) => rsaKeyPair(kid).publicJwk),
      );
      const since = await sim().control.lastSeq();
      const err = await upKey(client.client_id, "k6").catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/at most 5/);
      expect((err as Error).message).toContain("k1, k2, k3, k4, k5");
      expect(await keyWrites(client.client_id, since)).toEqual([]);
    });
  });
});

describe("single-key operations absent (singleKeyEndpoints: absent)", () => {
  it("the same ClientKey behaviour through the whole set: probed once, then POST /jwks; use: sig added to keys that lack it", async () => {
    await withSingleKeyEndpoints("absent", async () => {
      const client = await newClient();
      await sim().control.addLegacyKey(client.client_id, rsaKeyPair("portal-legacy").publicJwk);
      const since = await sim().control.lastSeq();
      const first = await upKey(client.client_id, "first");
      await upKey(client.client_id, "second");
      expect(await kidsOf(client.client_id)).toEqual(["first", "portal-legacy", "second"]);
      await clientKeyProvider.delete(first.id, first.outs);
      expect(await kidsOf(client.client_id)).toEqual(["portal-legacy", "second"]);
      // One probe answered 404 (an unmapped route), remembered: every later change goes straight to the whole set.
      expect(await keyWrites(client.client_id, since)).toEqual([
        "PUT /jwks/{kid} 404",
        "POST /jwks 2xx",
        "POST /jwks 2xx",
        "POST /jwks 2xx",
      ]);
      expect((await portal().getKeys(client.client_id)).keys.find((k) => k.kid === "portal-legacy")?.use).toBe("sig");
    });
  });
});

/**
 * An API client whose transport runs `between` after each key write has been answered and before anything
 * else is sent: another writer acting between the write and its read-back.
 */
function apiWithWriterBetween(between: (req: HttpRequest) => Promise<void>): { api: MaskinportenApi; close: () => Promise<void> } {
  const conn = connectAs(sim(), owner());
  const transport = new Proxy(conn.transport, {
    get(target, prop) {
      if (prop === "request") {
        return async (req: HttpRequest): Promise<HttpResponse> => {
          const response = await target.request(req);
          if (req.method !== "GET" && new URL(req.url).pathname.includes("/jwks") && response.status < 300) await between(req);
          return response;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as HttpTransport;
  return { api: new MaskinportenApi({ transport, apiBaseUrl: sim().apiBaseUrl, tokens: conn.tokens }), close: () => conn.close() };
}

describe("a concurrent writer drops the key just written, before the read-back", () => {
  it.each(["available", "absent"] as const)(
    "singleKeyEndpoints %s: the change fails naming the client, the key and what happened",
    async (value) => {
      await withSingleKeyEndpoints(value, async () => {
        const client = await newClient();
        await portal().replaceKeys(client.client_id, [rsaKeyPair("theirs").publicJwk]);
        // The portal saves the set it had read before our write: ours is gone, theirs stays.
        const { api, close } = apiWithWriterBetween(async () => {
          await portal().replaceKeys(client.client_id, [rsaKeyPair("theirs").publicJwk]);
        });
        try {
          const err = await api
            .modifyJwks(client.client_id, (current) => [...current, rsaKeyPair("ours").publicJwk])
            .catch((e: unknown) => e);
          expect(err).toMatchObject({ code: "JWKS_NOT_AS_WRITTEN" });
          expect((err as Error).message).toContain(`client ${client.client_id}`);
          expect((err as Error).message).toMatch(/key ours just written is not registered/);
          expect((err as Error).message).toMatch(/another writer \(the portal or another stack\) changed the key set at the same time/);
          expect(api.writesWholeKeySets).toBe(value === "absent");
        } finally {
          await close();
        }
      });
    },
  );

  it("a key added by another writer after ours is tolerated: both stay, the change succeeds", async () => {
    await withSingleKeyEndpoints("absent", async () => {
      const client = await newClient();
      const { api, close } = apiWithWriterBetween(async () => {
        await portal().putKey(client.client_id, rsaKeyPair("later").publicJwk);
      });
      try {
        const keys = await api.modifyJwks(client.client_id, (current) => [...current, rsaKeyPair("ours").publicJwk]);
        expect(keys.map((k) => k.kid).sort()).toEqual(["later", "ours"]);
      } finally {
        await close();
      }
    });
  });
});
