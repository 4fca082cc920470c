/**
 * What `check` refuses by reading, before `up` writes anything (preview-checks.ts): a credential that gets
 * no token, a missing admin scope (dcr.supplier included), a prefix the organisation does not own, a scope
 * on a client that is neither owned, granted nor accessible for all, a sixth key. Each refusal names the
 * property and the fix, and costs reads and tokens only. A no-op check reads nothing; without any credential
 * the check passes with one warning, and `create` fails with the clear error it always gave.
 */
import { randomUUID } from "node:crypto";
import { ConfigError } from "../../provider/api/errors";
import { setWarningDelivery } from "../../provider/engine-log";
import { clientProvider } from "../../provider/resources/client/provider";
import { clientKeyProvider } from "../../provider/resources/client-key/provider";
import { scopeProvider } from "../../provider/resources/scope/provider";
import { scopeGrantProvider } from "../../provider/resources/scope-grant/provider";
import { UNKNOWN } from "../../provider/resources/shared/unknown";
import type { SimulatorOrg } from "../../simulator";
import { configureProvider, lifecycle, simulatorConfig, type Props } from "../helpers/provider";
import { rsaKeyPair, useSimulator } from "../simulator/helpers";
import { CONSUMER_WITH_SCOPE_ADMIN } from "../helpers/simulator-variant";
import { resetRuntime } from "../../provider/runtime";

// The refusal of an ungranted scope needs the consumer's grants received, read with scopes.read: stated here,
// whatever the run's variant (the adverse preset takes it away; see the last describe for that case).
const sim = useSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN });
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const ownerPortal = () => sim().control.portal(owner().orgno);
const consumerPortal = () => sim().control.portal(consumer().orgno);

const clients = lifecycle(clientProvider);
const scopes = lifecycle(scopeProvider);
const grants = lifecycle(scopeGrantProvider);
const keys = lifecycle(clientKeyProvider);

let warnings: string[];
let previous: ReturnType<typeof setWarningDelivery>;
beforeEach(() => {
  warnings = [];
  previous = setWarningDelivery(async (message) => void warnings.push(message));
});
afterEach(async () => {
  setWarningDelivery(previous);
  await sim().control.clearFaults();
});
afterAll(async () => {
  await resetRuntime();
});

const unique = () => randomUUID().slice(0, 8);

/** Runs `body` and returns what it cost at the simulator: API writes and every API route read. */
async function cost(body: () => Promise<unknown>): Promise<{ writes: number; routes: string[] }> {
  const since = await sim().control.lastSeq();
  const before = await sim().control.counters();
  await body();
  const after = await sim().control.counters();
  const routes = (await sim().control.requestLog({ since, kind: "api" })).map((e) => `${e.method} ${e.route}`);
  return { writes: after.apiWrites - before.apiWrites, routes };
}

/** The failures of a check that must refuse, and proof that it wrote nothing. */
async function refused(failuresOf: () => Promise<Array<{ property: string; reason: string }>>) {
  let failures: Array<{ property: string; reason: string }> = [];
  const spent = await cost(async () => (failures = await failuresOf()));
  expect(spent.writes).toBe(0);
  expect(spent.routes.every((r) => r.startsWith("GET "))).toBe(true);
  return failures;
}

describe("the credential", () => {
  it("a garbled key is refused naming maskinporten:privateKey, before any request", async () => {
    await configureProvider({ ...simulatorConfig(sim(), consumer().orgno), "maskinporten:privateKey": "{not json" });
    const failures = await refused(() => clients.failuresOf({ clientName: `c-${unique()}`, scopes: ["difitest:open"] }));
    expect(failures).toEqual([{ property: "(resource)", reason: expect.stringMatching(/^maskinporten:privateKey: /) }]);
  });

  it("an unknown client is refused naming maskinporten:clientId and the fix", async () => {
    await configureProvider({ ...simulatorConfig(sim(), consumer().orgno), "maskinporten:clientId": "oidc_nobody_api" });
    const failures = await refused(() => clients.failuresOf({ clientName: `c-${unique()}`, scopes: ["difitest:open"] }));
    expect(failures).toEqual([{ property: "(resource)", reason: expect.stringContaining("maskinporten:clientId") }]);
    expect(failures[0]!.reason).toMatch(
      /cannot get a token from Maskinporten: .*invalid_client.*pulumi config set --secret maskinporten:privateKey/,
    );
  });

  it("a key of a profile that does not work is refused naming that profile's settings", async () => {
    const config = simulatorConfig(sim(), undefined, { owner: owner().orgno });
    const profiles = JSON.parse(config["maskinporten:profiles"] as string) as Record<string, Props>;
    profiles["owner"]!["clientId"] = "oidc_nobody_api";
    await configureProvider({ ...config, "maskinporten:profiles": JSON.stringify(profiles) });
    const failures = await refused(() =>
      scopes.failuresOf({ prefix: "eksempel", subscope: `s.${unique()}`, description: "d", profile: "owner" }),
    );
    expect(failures[0]!.reason).toContain("maskinporten:profiles.owner.clientId");
  });
});

describe("admin scopes", () => {
  it("an operation whose scope maskinporten:adminScopes does not list is refused without a request", async () => {
    await configureProvider({
      ...simulatorConfig(sim(), owner().orgno),
      "maskinporten:adminScopes": "idporten:dcr.read idporten:dcr.write",
    });
    const spent = await cost(async () => {
      const failures = await scopes.failuresOf({ prefix: "eksempel", subscope: `s.${unique()}`, description: "d" });
      expect(failures).toEqual([
        { property: "(resource)", reason: expect.stringContaining("needs the admin scope idporten:scopes.write") },
      ]);
    });
    expect(spent).toEqual({ writes: 0, routes: [] });
  });

  it("a client for another organisation needs idporten:dcr.supplier, named on clientOrgno", async () => {
    await configureProvider(simulatorConfig(sim(), consumer().orgno));
    const failures = await refused(() =>
      clients.failuresOf({ clientName: `c-${unique()}`, scopes: ["difitest:open"], clientOrgno: owner().orgno }),
    );
    expect(failures).toEqual([{ property: "clientOrgno", reason: expect.stringContaining("idporten:dcr.supplier") }]);
    expect(failures[0]!.reason).toContain("maskinporten:adminScopes");
  });

  it("a client in the credential's own organisation, given as clientOrgno, needs no supplier scope", async () => {
    await configureProvider(simulatorConfig(sim(), consumer().orgno));
    expect(await clients.failuresOf({ clientName: `c-${unique()}`, scopes: ["difitest:open"], clientOrgno: consumer().orgno })).toEqual([]);
  });
});

describe("scope prefixes", () => {
  beforeEach(async () => configureProvider(simulatorConfig(sim(), owner().orgno)));

  it("a Scope under a prefix the organisation does not own is refused on prefix, listing its prefixes", async () => {
    const failures = await refused(() => scopes.failuresOf({ prefix: "annen", subscope: `s.${unique()}`, description: "d" }));
    expect(failures).toEqual([
      {
        property: "prefix",
        reason: expect.stringContaining(
          `"annen" is not a scope prefix of the credential's organisation (${owner().orgno}) (its prefixes are eksempel)`,
        ),
      },
    ]);
  });

  it("a ScopeGrant of a scope under another organisation's prefix is refused on scope", async () => {
    const failures = await refused(() => grants.failuresOf({ scope: "difitest:open", consumerOrgno: consumer().orgno }));
    expect(failures).toEqual([{ property: "scope", reason: expect.stringContaining(`scope "difitest:open" is not under a prefix`) }]);
  });

  it("a Scope under its own prefix passes, and the prefix list is read once per process", async () => {
    const spent = await cost(async () => {
      await scopes.check({ prefix: "eksempel", subscope: `s.${unique()}`, description: "d" });
      await scopes.check({ prefix: "eksempel", subscope: `s.${unique()}`, description: "d" });
      await grants.check({ scope: `eksempel:s.${unique()}`, consumerOrgno: consumer().orgno });
    });
    expect(spent).toEqual({ writes: 0, routes: ["GET /api/v1/prefix"] });
  });

  it("a prefix unknown during preview is not checked", async () => {
    expect(await scopes.failuresOf({ prefix: UNKNOWN, subscope: "x", description: "d" })).toEqual([]);
    expect(await grants.failuresOf({ scope: UNKNOWN, consumerOrgno: consumer().orgno })).toEqual([]);
  });

  it("a read that fails (5xx) refuses nothing and warns once", async () => {
    await sim().control.addFault({ method: "GET", path: "/api/v1/prefix", kind: "status", status: 500 });
    expect(await scopes.failuresOf({ prefix: "annen", subscope: `s.${unique()}`, description: "d" })).toEqual([]);
    expect(await scopes.failuresOf({ prefix: "annen", subscope: `s.${unique()}`, description: "d" })).toEqual([]);
    expect(warnings.filter((w) => w.includes("could not read the organisation's scope prefixes"))).toHaveLength(1);
  });
});

describe("scopes on a client", () => {
  let publicScope: string;

  beforeAll(async () => {
    // Public in the catalogue, neither accessible for all nor granted to the consumer.
    const subscope = `public.${unique()}`;
    publicScope = (
      await ownerPortal().createScope({
        prefix: owner().prefixes[0]!,
        subscope,
        description: "Public, granted on request",
        visibility: "PUBLIC",
      })
    ).name;
  });

  beforeEach(async () => configureProvider(simulatorConfig(sim(), consumer().orgno)));

  it("a scope of another organisation that has not granted it is refused on scopes[i], naming its owner and the fix", async () => {
    const failures = await refused(() => clients.failuresOf({ clientName: `c-${unique()}`, scopes: ["difitest:open", publicScope] }));
    expect(failures).toEqual([
      {
        property: "scopes[1]",
        reason: expect.stringContaining(`scope "${publicScope}" belongs to organisation ${owner().orgno}, which has not granted`),
      },
    ]);
  });

  it("an update that adds such a scope is refused too; an unchanged client reads nothing", async () => {
    const { inputs } = await clients.up({ clientName: `c-${unique()}`, scopes: ["difitest:open"] });
    const noop = await cost(() => clients.check({ clientName: inputs["clientName"], scopes: ["difitest:open"] }, inputs));
    expect(noop).toEqual({ writes: 0, routes: [] });
    const failures = await refused(() =>
      clients.failuresOf({ clientName: inputs["clientName"], scopes: ["difitest:open", publicScope] }, inputs),
    );
    expect(failures.map((f) => f.property)).toEqual(["scopes[1]"]);
  });

  it("is not refused when granted, accessible for all, unknown, not in the catalogue, or granted by a ScopeGrant of this program", async () => {
    expect(
      await clients.failuresOf({ clientName: `c-${unique()}`, scopes: ["difitest:open", UNKNOWN, `eksempel:not.made.yet.${unique()}`] }),
    ).toEqual([]);
    await grants.check({ scope: publicScope, consumerOrgno: consumer().orgno }).catch(() => undefined);
    expect(await clients.failuresOf({ clientName: `c-${unique()}`, scopes: [publicScope] })).toEqual([]);
  });

  it("is not refused when the stack also holds the owner's credential (its ScopeGrant may be made first)", async () => {
    await configureProvider(simulatorConfig(sim(), consumer().orgno, { owner: owner().orgno }));
    expect(await clients.failuresOf({ clientName: `c-${unique()}`, scopes: [publicScope] })).toEqual([]);
  });

  it("is not refused once the owner granted it", async () => {
    const subscope = `granted.${unique()}`;
    const granted = (
      await ownerPortal().createScope({ prefix: owner().prefixes[0]!, subscope, description: "Granted", visibility: "PUBLIC" })
    ).name;
    await ownerPortal().grantAccess(granted, consumer().orgno);
    expect(await clients.failuresOf({ clientName: `c-${unique()}`, scopes: [granted] })).toEqual([]);
  });
});

describe("the 5-key limit", () => {
  beforeEach(async () => configureProvider(simulatorConfig(sim(), consumer().orgno)));

  async function clientWithKeys(n: number): Promise<string> {
    const client = await consumerPortal().createClient({
      client_name: `k-${unique()}`,
      integration_type: "maskinporten",
      scopes: ["difitest:open"],
    });
    for (let i = 0; i < n; i++) await consumerPortal().putKey(client.client_id, rsaKeyPair().publicJwk);
    return client.client_id;
  }

  it("a sixth key is refused on clientId, listing the client's kids", async () => {
    const clientId = await clientWithKeys(5);
    const failures = await refused(() => keys.failuresOf({ clientId, publicKey: rsaKeyPair().publicJwk }));
    expect(failures).toEqual([{ property: "clientId", reason: expect.stringContaining(`client ${clientId} has 5 keys`) }]);
    expect(failures[0]!.reason).toMatch(/at most 5\. Remove a key/);
  });

  it("counts the new keys of one program: with four registered, the second new key is refused", async () => {
    const clientId = await clientWithKeys(4);
    expect(await keys.failuresOf({ clientId, publicKey: rsaKeyPair().publicJwk })).toEqual([]);
    const failures = await keys.failuresOf({ clientId, generate: {} });
    expect(failures).toEqual([{ property: "clientId", reason: expect.stringContaining("this program adds 2") }]);
  });

  it("a key on a client this run created reads nothing: its keys are all of this run", async () => {
    const { id } = await clients.up({ clientName: `c-${unique()}`, scopes: ["difitest:open"] });
    const spent = await cost(() => keys.check({ clientId: id, generate: {} }));
    expect(spent).toEqual({ writes: 0, routes: [] });
  });

  it("a key already registered under its kid, or on a client not known yet, is not counted", async () => {
    const clientId = await clientWithKeys(5);
    const registered = (await consumerPortal().getKeys(clientId)).keys[0]!;
    expect(await keys.failuresOf({ clientId, publicKey: registered })).toEqual([]);
    expect(await keys.failuresOf({ clientId: UNKNOWN, generate: {} })).toEqual([]);
  });
});

describe("no credential configured: an offline preview", () => {
  beforeEach(async () => configureProvider({ "maskinporten:issuer": sim().issuer, "maskinporten:apiBaseUrl": sim().apiBaseUrl }));

  it("check passes for every resource with one warning saying what it could not check; create fails with the clear error", async () => {
    const spent = await cost(async () => {
      const client = await clients.check({ clientName: `c-${unique()}`, scopes: ["difitest:open"] });
      await scopes.check({ prefix: "eksempel", subscope: `s.${unique()}`, description: "d" });
      await grants.check({ scope: "eksempel:x", consumerOrgno: consumer().orgno });
      await keys.check({ clientId: "some-client", generate: {} });
      const err = await clientProvider.create(client).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/no Maskinporten credential is configured: set maskinporten:clientId/);
    });
    expect(spent).toEqual({ writes: 0, routes: [] });
    const offline = warnings.filter((w) => w.startsWith("no Maskinporten credential is configured, so this preview could not check"));
    expect(offline).toHaveLength(1);
    expect(offline[0]).toContain("the 5-key limit");
  });
});

describe("a consumer whose admin client cannot read grants received (dcr.read and dcr.write only)", () => {
  const dcrOnly = useSimulator({ variant: { consumerAdminScopes: "dcr-only" } });

  it("refuses no scope it cannot judge, and warns once that up will tell", async () => {
    const ownerOrg = dcrOnly().orgs[0]!;
    const consumerOrg = dcrOnly().orgs[1]!;
    const scope = await dcrOnly()
      .control.portal(ownerOrg.orgno)
      .createScope({
        prefix: ownerOrg.prefixes[0]!,
        subscope: `public.${unique()}`,
        description: "Public, granted on request",
        visibility: "PUBLIC",
      });
    await configureProvider(simulatorConfig(dcrOnly(), consumerOrg.orgno));
    expect(await clients.failuresOf({ clientName: `c-${unique()}`, scopes: [scope.name] })).toEqual([]);
    expect(await clients.failuresOf({ clientName: `c-${unique()}`, scopes: [scope.name] })).toEqual([]);
    expect(warnings.filter((w) => w.startsWith("could not read the grants your organisation received during preview"))).toHaveLength(1);
  });
});
