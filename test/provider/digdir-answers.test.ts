/**
 * The providers against the answers production callers saw from Digdir, through real HTTP: a proxy in front
 * of the simulator (`answer-proxy.ts`) reshapes its answers (201/204 without bodies, lists without inline
 * keys, `200 {}` for no keys, client_id ignored or refused, one scope read at `GET /scopes?scope=`, zero
 * lifetimes, keys without `use`, `"name": ""`), and organisations whose self-service clients hold fewer admin
 * scopes. The simulator's portal is the ground truth.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { MissingAdminScopeError } from "../../provider/api/errors";
import { orgnoCheckDigit } from "../../provider/api/validation";
import { connectionFor, resetRuntime } from "../../provider/runtime";
import { clientKeyProvider } from "../../provider/resources/client-key/provider";
import { clientProvider } from "../../provider/resources/client/provider";
import { scopeGrantProvider } from "../../provider/resources/scope-grant/provider";
import { scopeProvider } from "../../provider/resources/scope/provider";
import type { ResourceImplementation } from "../../provider/resources/shared/types";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { ADVERSE, startAnswerProxy, type AnswerProxy, type AnswerSwitches } from "../helpers/answer-proxy";
import { configureProvider, lifecycle, simulatorConfig, PROVIDER, type Props } from "../helpers/provider";
import { rsaKeyPair, useSimulator } from "../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const portal = (org: SimulatorOrg = owner()) => sim().control.portal(org.orgno);

let proxy: AnswerProxy;
beforeAll(async () => {
  proxy = await startAnswerProxy(sim().apiBaseUrl);
});
afterAll(async () => {
  await proxy.close();
  await resetRuntime();
});
afterEach(async () => {
  await sim().control.clearFaults();
});

/** A new provider process acting as `org`, through the proxy answering as `switches` say. */
async function newProcess(switches: AnswerSwitches, org: SimulatorOrg = owner()): Promise<void> {
  proxy.switches = switches;
  proxy.requests.length = 0;
  await configureProvider({ ...simulatorConfig(sim(), org.orgno), "maskinporten:apiBaseUrl": proxy.apiBaseUrl });
}

const up = (provider: ResourceImplementation, news: Props) => lifecycle(provider).up(news);
const upChange = (provider: ResourceImplementation, id: string, state: Props, news: Props) => lifecycle(provider).upChange(id, state, news);

function clientProgram(overrides: Props = {}): Props {
  return {
    clientName: `answers-${randomUUID().slice(0, 8)}`,
    scopes: [OPEN_CATALOGUE_SCOPE],
    __ownerMarker: randomBytes(8).toString("hex"),
    ...overrides,
  };
}

async function clientsNamed(name: string, org: SimulatorOrg = owner()) {
  return (await portal(org).listClients(true)).filter((c) => c.client_name === name);
}

function sent(method: string, path: RegExp) {
  return proxy.requests.filter((r) => r.method === method && path.test(r.path));
}

const SWITCHES: [string, AnswerSwitches][] = [
  ["as the simulator answers", {}],
  ["201 with a body, 200 for writes", { createStatus: 201 }],
  [
    "201/204 without bodies, no inline keys, 200 {} for no keys",
    { createStatus: 201, bodyless: true, putStatus: 204, deleteStatus: 204, keyless: "200 {}", noInlineJwks: true },
  ],
  [
    "204 for every write, 200 keys [] for no keys",
    { createStatus: 204, putStatus: 204, deleteStatus: 204, keyless: "200 keys []", noInlineJwks: true },
  ],
  ["the adverse preset", ADVERSE],
];

describe.each(SWITCHES)("answers %s", (_name, switches) => {
  it("a Client's whole life: create, no diff, update, refresh, delete; one client, no client_id and no zero lifetime sent", async () => {
    await newProcess(switches);
    const news = clientProgram({ description: "Fetches things" });
    const { id, outs } = await up(clientProvider, news);
    expect(await clientsNamed(news.clientName as string)).toHaveLength(1);
    expect(outs).toMatchObject({ clientId: id, description: "Fetches things", active: true });
    expect(
      await clientProvider.diff(id, outs, (await clientProvider.check(outs, { ...news, __provider: PROVIDER })).inputs!),
    ).toMatchObject({ changes: false });

    const changed = { ...news, description: "Fetches more", accessTokenLifetime: 60 };
    const updated = await upChange(clientProvider, id, outs, changed);
    expect(updated).toMatchObject({ description: "Fetches more", accessTokenLifetime: 60 });
    expect(await portal().getClient(id)).toMatchObject({
      description: `Fetches more [pulumi-maskinporten:${news.__ownerMarker}]`,
      access_token_lifetime: 60,
    });

    await newProcess(switches);
    const read = await clientProvider.read(id, { ...updated, __provider: PROVIDER });
    expect(read.props).toMatchObject({ clientId: id, description: "Fetches more" });
    await clientProvider.delete(id, updated);
    expect((await portal().getClient(id)).active).toBe(false);

    for (const post of sent("POST", /^\/clients$/)) expect(post.body).not.toHaveProperty("client_id");
    for (const put of sent("PUT", /^\/clients\//)) expect(Object.values(put.body as Props)).not.toContain(0);
  });

  it("ClientKeys: registered on a keyless client, kept through a refresh (one key read per client), removed", async () => {
    await newProcess(switches);
    const client = await up(clientProvider, clientProgram());
    const keys = [rsaKeyPair("answers-a"), rsaKeyPair("answers-b")];
    const made = [];
    for (const key of keys) made.push(await up(clientKeyProvider, { clientId: client.id, publicKey: key.publicJwk }));

    await newProcess(switches);
    const reads = await Promise.all(made.map(({ id, outs }) => clientKeyProvider.read(id, { ...outs, __provider: PROVIDER })));
    expect(reads.map((r) => r.id)).toEqual(made.map((m) => m.id));
    expect(sent("GET", /\/jwks$/).length).toBeLessThanOrEqual(1);

    for (const { id, outs } of made) await clientKeyProvider.delete(id, outs);
    expect(await connectionFor(undefined).api.getJwks(client.id)).toEqual([]);
    for (const post of sent("POST", /\/jwks$/)) for (const key of (post.body as { keys: Props[] }).keys) expect(key["use"]).toBe("sig");
  });

  it("a Scope and its grant: create, update, refresh, delete", async () => {
    await newProcess(switches);
    const news = { prefix: "eksempel", subscope: `answers.${randomUUID().slice(0, 8)}`, description: "First" };
    const scope = await up(scopeProvider, news);
    expect(scope.outs).toMatchObject({ name: scope.id, active: true, description: "First" });
    const updated = await upChange(scopeProvider, scope.id, scope.outs, { ...news, description: "Second" });
    expect(updated).toMatchObject({ name: scope.id, description: "Second" });

    const grant = await up(scopeGrantProvider, { scope: scope.id, consumerOrgno: consumer().orgno });
    expect(grant.outs).toMatchObject({ state: "APPROVED" });

    await newProcess(switches);
    expect((await scopeProvider.read(scope.id, { ...updated, __provider: PROVIDER })).props).toMatchObject({
      name: scope.id,
      description: "Second",
    });
    await scopeGrantProvider.delete(grant.id, grant.outs);
    await scopeProvider.delete(scope.id, updated);
    expect(await portal().getScope(scope.id)).toMatchObject({ active: false });
  });
});

describe("keys registered before 2025-05-22, without use", () => {
  it("are posted back with use sig when another key is added through the whole set (no single-key operations)", async () => {
    const previous = sim().switches.singleKeyEndpoints;
    sim().setVariant({ singleKeyEndpoints: "absent" });
    try {
      await postedBackWithUse();
    } finally {
      sim().setVariant({ singleKeyEndpoints: previous });
    }
  });

  async function postedBackWithUse(): Promise<void> {
    await newProcess({ keysWithoutUse: true });
    const client = await up(clientProvider, clientProgram());
    await portal().replaceKeys(client.id, [rsaKeyPair("legacy-key").publicJwk]);
    expect((await connectionFor(undefined).api.getJwks(client.id))[0]).not.toHaveProperty("use");

    await up(clientKeyProvider, { clientId: client.id, publicKey: rsaKeyPair("new-key").publicJwk });
    const [post] = sent("POST", /\/jwks$/);
    expect((post!.body as { keys: Props[] }).keys.map((k) => [k["kid"], k["use"]]).sort()).toEqual([
      ["legacy-key", "sig"],
      ["new-key", "sig"],
    ]);
    expect((await portal().getClient(client.id)).jwks?.keys.map((k) => k.kid).sort()).toEqual(["legacy-key", "new-key"]);
  }
});

describe.each(["honoured", "ignored", "refused"] as const)(
  "a create whose answer is lost, when the server has client_id %s",
  (clientId) => {
    it("leaves exactly one client, in one run and across runs", async () => {
      await newProcess({ clientId, createStatus: 201, bodyless: true, noInlineJwks: true });
      await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
      const news = clientProgram();
      const { id } = await up(clientProvider, news);
      expect((await sim().control.faults())[0]!.hits).toBe(1);
      expect((await clientsNamed(news.clientName as string)).map((c) => c.client_id)).toEqual([id]);

      // A run killed after its POST: the next run (a new process, nothing in state) finds the client.
      await newProcess({ clientId, createStatus: 201, bodyless: true, noInlineJwks: true });
      const again = await up(clientProvider, news);
      expect(again.id).toBe(id);
      expect(await clientsNamed(news.clientName as string)).toHaveLength(1);
      expect(sent("POST", /^\/clients$/)).toEqual([]);
    });
  },
);

describe.each(["honoured", "ignored", "refused"] as const)(
  "a create whose answer is lost, against the simulator's own clientIdOnCreate: %s",
  (clientIdOnCreate) => {
    // No proxy: the simulator itself answers as the switch says, and drops its answer after committing the client.
    const own = useSimulator({ variant: { clientIdOnCreate } });
    const ownOwner = (): SimulatorOrg => own().orgs[0]!;
    const postsOfClients = async () => (await own().control.counters()).byRoute["POST /api/v1/clients"] ?? 0;
    const namedHere = async (name: string) =>
      (await own().control.portal(ownOwner().orgno).listClients(true)).filter((c) => c.client_name === name);

    it("leaves exactly one client and posts once, in one run and across runs", async () => {
      expect(own().switches.clientIdOnCreate).toBe(clientIdOnCreate);
      await configureProvider(simulatorConfig(own(), ownOwner().orgno));
      await own().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
      const news = clientProgram();
      const { id } = await up(clientProvider, news);
      expect((await own().control.faults())[0]!.hits).toBe(1);
      expect((await namedHere(news.clientName as string)).map((c) => c.client_id)).toEqual([id]);
      expect(await postsOfClients()).toBe(1);

      // A run killed after its POST: the next run (a new process, nothing in state) finds the client by its marker.
      await configureProvider(simulatorConfig(own(), ownOwner().orgno));
      const again = await up(clientProvider, news);
      expect(again.id).toBe(id);
      expect((await namedHere(news.clientName as string)).map((c) => c.client_id)).toEqual([id]);
      expect(await postsOfClients()).toBe(1);
      await own().control.clearFaults();
    });
  },
);

describe("admin scopes asked for per operation", () => {
  let orgCount = 0;
  /** An organisation whose self-service client holds only `adminScopes`. */
  async function organisation(adminScopes: string[]): Promise<SimulatorOrg> {
    let orgno: string;
    do {
      const firstEight = `3130${String(1000 + orgCount++).padStart(4, "0")}`;
      const check = orgnoCheckDigit(firstEight);
      orgno = check === undefined || check > 9 ? "" : `${firstEight}${check}`;
    } while (orgno === "");
    return sim().control.addOrganisation({ orgno, name: `Org ${orgno}`, prefixes: [`p${orgno}`], adminScopes });
  }

  /** The scope sets the provider's token requests asked for, from now on. */
  function recordTokenScopes(): string[][] {
    const asked: string[][] = [];
    const tokens = connectionFor(undefined).tokens;
    const real = tokens.token.bind(tokens);
    jest.spyOn(tokens, "token").mockImplementation((scopes) => {
      asked.push([...(scopes ?? [])].sort());
      return real(scopes);
    });
    return asked;
  }

  it("a consumer whose self-service client has only dcr.read and dcr.write runs Clients and ClientKeys, and gets a clear message for a Scope", async () => {
    const org = await organisation(["idporten:dcr.read", "idporten:dcr.write"]);
    await newProcess({}, org);
    const asked = recordTokenScopes();
    const client = await up(clientProvider, clientProgram());
    const key = await up(clientKeyProvider, { clientId: client.id, publicKey: rsaKeyPair("dcr-only").publicJwk });
    await upChange(clientProvider, client.id, client.outs, { ...(client.inputs as Props), clientName: "renamed" });
    await clientKeyProvider.delete(key.id, key.outs);
    await clientProvider.delete(client.id, client.outs);
    expect(new Set(asked.map((s) => s.join(" ")))).toEqual(new Set(["idporten:dcr.read", "idporten:dcr.write"]));

    // A Scope is refused by check (in preview, before anything is written), and create would refuse it too.
    const news = { prefix: `p${org.orgno}`, subscope: "x", description: "d" };
    const failures = await lifecycle(scopeProvider).failuresOf(news);
    expect(failures).toEqual([
      {
        property: "(resource)",
        reason: expect.stringMatching(/needs the admin scope idporten:scopes.write, and Maskinporten refused to issue it/),
      },
    ]);
    expect(failures[0]!.reason).toMatch(/servicedesk@digdir.no/);
    expect(failures[0]!.reason).toMatch(/invalid_scope/);
    const err = await scopeProvider.create({ ...news, name: `${news.prefix}:x`, __provider: PROVIDER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingAdminScopeError);
    expect((err as Error).message).toMatch(/needs the admin scope idporten:scopes.read or idporten:scopes.write/);
  });

  it("reading scopes works with scopes.write alone (NAV's admin client); the refused scopes.read is asked for once", async () => {
    const org = await organisation(["idporten:dcr.read", "idporten:dcr.write", "idporten:scopes.write"]);
    await newProcess({}, org);
    const asked = recordTokenScopes();
    const news = { prefix: `p${org.orgno}`, subscope: "nav.style", description: "Made with scopes.write only" };
    const scope = await up(scopeProvider, news);
    await scopeProvider.read(scope.id, scope.outs);
    await scopeProvider.read(scope.id, scope.outs);
    expect(asked.filter((s) => s.includes("idporten:scopes.read"))).toHaveLength(1);
    expect(asked.every((s) => s.length === 1)).toBe(true);
  });

  it("configured adminScopes are what the credential has: an operation needing another fails before any request", async () => {
    await configureProvider({
      ...simulatorConfig(sim(), consumer().orgno),
      "maskinporten:adminScopes": "idporten:dcr.read idporten:dcr.write",
    });
    await sim().control.resetRequests();
    const news = { prefix: "eksempel", subscope: "x", description: "d" };
    const failures = await lifecycle(scopeProvider).failuresOf(news);
    expect(failures).toEqual([{ property: "(resource)", reason: expect.stringContaining("maskinporten:adminScopes does not list") }]);
    const err = await scopeProvider.create({ ...news, name: "eksempel:x", __provider: PROVIDER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingAdminScopeError);
    expect((err as Error).message).toMatch(/maskinporten:adminScopes does not list/);
    expect((await sim().control.counters()).total).toBe(0);
  });
});
