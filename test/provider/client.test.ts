/**
 * The Client provider's methods against the simulator, called as the engine calls them: inputs through
 * `check` (with a `__provider` string), outputs of one step as the `olds` of the next, and the simulator's
 * portal as the ground truth and the source of out-of-band changes.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ApiError, ConfigError, MaskinportenError } from "../../provider/api/errors";
import { setWarningDelivery } from "../../provider/engine-log";
import { clientProvider } from "../../provider/resources/client/provider";
import { ResourceInitError } from "../../provider/api/errors";
import { UNKNOWN } from "../../provider/resources/shared/unknown";
import { DIGDIR_ORGNO, OPEN_CATALOGUE_SCOPE, RESTRICTED_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { encodable } from "../helpers/engine-values";
import {
  configureProvider,
  lifecycle,
  simulatorConfig,
  type ConfigValues,
  PROVIDER,
  type Props,
  useConfiguredProvider,
} from "../helpers/provider";
import { rsaKeyPair, useSimulator } from "../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const supplier = (): SimulatorOrg => sim().orgs[2]!;
const portal = (org: SimulatorOrg = owner()) => sim().control.portal(org.orgno);

const SCOPE_A = "eksempel:clienttest.a";
const SCOPE_B = "eksempel:clienttest.b";

let config: ConfigValues;

beforeAll(async () => {
  for (const subscope of ["clienttest.a", "clienttest.b"]) {
    await portal().createScope({
      prefix: "eksempel",
      subscope,
      description: "Used by the Client tests",
      allowed_integration_types: ["maskinporten", "api_klient"],
    });
  }
});
useConfiguredProvider(sim, () => {
  config = withSupplierScope(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno, supplier: supplier().orgno }));
  return config;
});

/** A supplier's profile must ask for idporten:dcr.supplier in its admin token. */
function withSupplierScope(values: ConfigValues): ConfigValues {
  const profiles = JSON.parse(values["maskinporten:profiles"] as string) as Record<string, Props>;
  profiles["supplier"]!["adminScopes"] = "idporten:dcr.read idporten:dcr.write idporten:dcr.supplier";
  return { ...values, "maskinporten:profiles": JSON.stringify(profiles) };
}

/** A new provider process, as `pulumi refresh` starts: nothing read before is remembered. */
async function newProcess(): Promise<void> {
  await configureProvider(config);
}

/** A program's Client, with the ownership marker the SDK computes (unique per resource and stack). */
function program(overrides: Props = {}): Props {
  return { clientName: `test-${randomUUID().slice(0, 8)}`, scopes: [SCOPE_A], __ownerMarker: randomBytes(8).toString("hex"), ...overrides };
}

const { check, up, preview, upChange, failuresOf } = lifecycle(clientProvider);

async function clientsNamed(name: string, org: SimulatorOrg = owner()) {
  return (await portal(org).listClients(true)).filter((c) => c.client_name === name);
}

describe("check", () => {
  it("returns normalized inputs: scopes as a sorted set, active by default, __provider kept", async () => {
    const news = program({ scopes: [SCOPE_B, SCOPE_A, SCOPE_B] });
    // No client_id for a new client: Digdir assigns it.
    expect(await check(news)).toEqual({ ...news, scopes: [SCOPE_A, SCOPE_B], active: true, __provider: PROVIDER });
  });

  it("keeps the client_id known: from the old inputs, the adopted one, or the client carrying the resource's marker", async () => {
    const news = program();
    expect((await check(news, { ...news, clientId: "kept-id" })).clientId).toBe("kept-id");
    expect((await check(program({ adoptClientId: "portal-made" }))).clientId).toBe("portal-made");
    // Created since its inputs were stored (its first check had no id): found by its marker, so a preview of an
    // update keeps the id known and its ClientKeys show no change.
    const first = await check(news);
    const { id } = await clientProvider.create(first);
    await newProcess();
    expect((await check({ ...news, description: "changed" }, first)).clientId).toBe(id);
    // Unchanged, the engine keeps the old outputs: the inputs stay as stored (no id added, no read), so the first
    // no-op up after a create does not make the engine rewrite its state for every client.
    const reads = (await sim().control.counters()).apiReads;
    expect((await check(news, first)).clientId).toBeUndefined();
    expect((await sim().control.counters()).apiReads).toBe(reads);
    // A new marker (another clientOrgno: a replacement) is a new client, whose id is not known yet.
    expect((await check({ ...news, __ownerMarker: randomBytes(8).toString("hex") }, first)).clientId).toBeUndefined();
  });

  it.each([
    ["clientName", { clientName: undefined }, /is required/],
    ["clientName", { clientName: " " }, /must not be empty/],
    ["scopes[1]", { scopes: [SCOPE_A, "no-prefix"] }, /must be a scope name "prefix:subscope"/],
    ["scopes[0]", { scopes: ["Eksempel:x"] }, /lowercase letters and digits/],
    ["scopes", { scopes: [] }, /at least one scope/],
    ["clientOrgno", { clientOrgno: "311000005" }, /mod-11 check/],
    ["clientOrgno", { clientOrgno: "31100000" }, /exactly nine digits/],
    ["accessTokenLifetime", { accessTokenLifetime: 0 }, /positive whole number of seconds/],
    ["authorizationLifetime", { authorizationLifetime: -5 }, /positive whole number of seconds/],
    ["description", { description: "" }, /must not be empty/],
    ["active", { active: "yes" }, /true or false/],
    ["adoptClientId", { adoptClientId: "has spaces in it" }, /client_id of an existing client/],
    ["profile", { profile: "owner org" }, /maskinporten:profiles/],
  ])("names %s", async (property, change, reason) => {
    expect(await failuresOf(program(change))).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  it("refuses inputs it does not know, such as a misspelt field", async () => {
    expect(await failuresOf(program({ scope: [SCOPE_A] }))).toEqual([
      { property: "(resource)", reason: expect.stringContaining("scope: not an input of Client") },
    ]);
  });

  it("lets values unknown during preview through, and still checks the known ones", async () => {
    const unknowns = {
      clientName: UNKNOWN,
      scopes: [SCOPE_A, UNKNOWN],
      clientOrgno: UNKNOWN,
      accessTokenLifetime: UNKNOWN,
      profile: UNKNOWN,
    };
    expect(await failuresOf(program(unknowns))).toEqual([]);
    expect(await failuresOf(program({ scopes: UNKNOWN }))).toEqual([]);
    expect(await failuresOf(program({ scopes: UNKNOWN, clientOrgno: "123" }))).toEqual([
      { property: "clientOrgno", reason: expect.any(String) },
    ]);
  });

  it("fails on a profile missing from the config, naming the key, without any request", async () => {
    await sim().control.resetRequests();
    const err = await clientProvider.check({}, { ...program({ profile: "consumer" }), __provider: PROVIDER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/no profile "consumer" in maskinporten:profiles \(known: owner, supplier\)/);
    expect((await sim().control.counters()).total).toBe(0);
  });
});

describe("diff", () => {
  it("shows no change right after create (up, then preview), with every input set", async () => {
    const news = program({
      description: "Fetches things",
      scopes: [SCOPE_B, SCOPE_A],
      accessTokenLifetime: 60,
      authorizationLifetime: 600,
      clientOrgno: owner().orgno,
      active: true,
      profile: "owner",
    });
    const { id, outs } = await up(news);
    expect(await preview(id, outs, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await preview(id, outs, program({ clientName: news.clientName, scopes: [SCOPE_A, SCOPE_B], profile: "owner" }))).toMatchObject({
      changes: false,
    });
  });

  it("sees no change when only the order (or repetition) of the scopes differs", async () => {
    const news = program({ scopes: [SCOPE_A, SCOPE_B] });
    const { id, outs } = await up(news);
    expect((await preview(id, outs, { ...news, scopes: [SCOPE_B, SCOPE_A, SCOPE_B] })).changes).toBe(false);
  });

  it("updates in place for an added scope, a new name, a description or a lifetime", async () => {
    const news = program();
    const { id, outs } = await up(news);
    for (const change of [
      { scopes: [SCOPE_A, SCOPE_B] },
      { clientName: "renamed" },
      { description: "New" },
      { accessTokenLifetime: 30 },
      { active: false },
    ]) {
      expect(await preview(id, outs, { ...news, ...change })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    }
  });

  it("replaces for another clientOrgno, and only for that", async () => {
    const news = program({ clientOrgno: owner().orgno });
    const { id, outs } = await up(news);
    // Diffed without `check`, which would refuse the change for this credential (it lacks dcr.supplier).
    expect(await clientProvider.diff(id, outs, { ...(await check(news)), clientOrgno: consumer().orgno, clientName: "x" })).toEqual({
      changes: true,
      replaces: ["clientOrgno"],
      deleteBeforeReplace: false,
    });
  });

  it("ignores optional fields the program leaves out, and adoptClientId; updates for a profile change", async () => {
    const news = program({ description: "d", accessTokenLifetime: 60 });
    const { id, outs } = await up(news);
    expect((await preview(id, outs, program({ clientName: news.clientName }))).changes).toBe(false);
    expect((await preview(id, outs, { ...news, adoptClientId: id })).changes).toBe(false);
    expect(await preview(id, outs, { ...news, profile: "owner" })).toMatchObject({ changes: true, replaces: [] });
  });

  it("replaces a client whose integration type is not Maskinporten's", async () => {
    const news = program();
    const { id, outs } = await up(news);
    expect(await clientProvider.diff(id, { ...outs, integrationType: "api_klient" }, await check(news))).toEqual({
      changes: true,
      replaces: ["integrationType"],
      deleteBeforeReplace: false,
    });
  });

  it("reports a change for a value unknown during preview", async () => {
    const news = program();
    const { id, outs } = await up(news);
    const inputs = (await clientProvider.check(outs, { ...news, scopes: [SCOPE_A, UNKNOWN], __provider: PROVIDER })).inputs!;
    expect(await clientProvider.diff(id, outs, inputs)).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("create, read, update, delete", () => {
  it("creates a Maskinporten client as the program says; the client_id is the id", async () => {
    const news = program({ description: "Fetches things", scopes: [SCOPE_B, SCOPE_A], accessTokenLifetime: 60 });
    const { id, outs } = await up(news);
    expect(await portal().getClient(id)).toMatchObject({
      client_id: id,
      client_name: news.clientName,
      description: `Fetches things [pulumi-maskinporten:${news.__ownerMarker}]`,
      integration_type: "maskinporten",
      application_type: "web",
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
      scopes: [SCOPE_A, SCOPE_B],
      client_orgno: owner().orgno,
      access_token_lifetime: 60,
      active: true,
    });
    expect(outs).toEqual({
      ...news,
      scopes: [SCOPE_A, SCOPE_B],
      active: true,
      clientId: id,
      clientOrgno: owner().orgno,
      integrationType: "maskinporten",
      created: expect.any(String),
      lastUpdated: expect.any(String),
    });
    expect(encodable(outs)).toBe(true);
  });

  it("gives a new client its name as description when the program has none", async () => {
    const news = program();
    const { id, outs } = await up(news);
    expect((await portal().getClient(id)).description).toBe(`${news.clientName} [pulumi-maskinporten:${news.__ownerMarker}]`);
    expect(outs).not.toHaveProperty("description");
  });

  it("creates a client for another organisation as its supplier", async () => {
    const news = program({ scopes: [OPEN_CATALOGUE_SCOPE], clientOrgno: consumer().orgno, profile: "supplier" });
    const { id, outs } = await up(news);
    expect(await portal(consumer()).getClient(id)).toMatchObject({ client_orgno: consumer().orgno, supplier_orgno: supplier().orgno });
    expect(outs).toMatchObject({ clientOrgno: consumer().orgno, profile: "supplier" });
    const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.props).toEqual(outs);
    // The program sets clientOrgno, so refresh reports it among the inputs too (unlike a client of one's own).
    expect(read.inputs).toMatchObject({ clientOrgno: consumer().orgno });
  });

  it("creates an inactive client when the program says so", async () => {
    const { id, outs } = await up(program({ active: false }));
    expect(await portal().getClient(id)).toMatchObject({ active: false });
    expect(outs).toMatchObject({ active: false });
  });

  it("tells how to get access to a scope the organisation may not use", async () => {
    const news = program({ scopes: [RESTRICTED_CATALOGUE_SCOPE] });
    // check refuses it, with reads only (so `preview` does) ...
    expect(await failuresOf(news)).toEqual([
      {
        property: "scopes[0]",
        reason: expect.stringContaining(
          `scope "${RESTRICTED_CATALOGUE_SCOPE}" belongs to organisation ${DIGDIR_ORGNO}, which has not granted your organisation (${owner().orgno})`,
        ),
      },
    ]);
    // ... and create explains the API's refusal, should a grant be revoked between preview and up.
    const inputs = { ...(await check({ ...news, scopes: [OPEN_CATALOGUE_SCOPE] })), scopes: [RESTRICTED_CATALOGUE_SCOPE] };
    const err = await clientProvider.create(inputs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: "API_BAD_REQUEST" });
    expect((err as Error).message).toMatch(/scopes\[0\].*organisation 311000004 has no access to scope "difitest:restricted"/);
    expect((err as Error).message).toMatch(/ScopeGrant/);
    expect((err as Error).message).toMatch(/accessible_for_all/);
  });

  it("reads what it created: the same outputs, and inputs as the program wrote them", async () => {
    const news = program({ description: "d", profile: "owner" });
    const { id, outs } = await up(news);
    await newProcess();
    const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toEqual({
      id,
      props: outs,
      inputs: {
        clientId: id,
        clientName: news.clientName,
        description: "d",
        scopes: [SCOPE_A],
        active: true,
        profile: "owner",
        __ownerMarker: news.__ownerMarker,
      },
    });
    expect(encodable(read.props)).toBe(true);
    expect((await preview(id, read.props as Props, news)).changes).toBe(false);
  });

  it("reads a client that does not exist as gone", async () => {
    expect(await clientProvider.read("never-made", { __provider: PROVIDER })).toEqual({ id: "", props: {} });
  });

  it("refreshes many clients with about one list request", async () => {
    const made = await Promise.all([1, 2, 3, 4].map(() => up(program())));
    await newProcess();
    await sim().control.resetRequests();
    await Promise.all(made.map(({ id, outs }) => clientProvider.read(id, { ...outs, __provider: PROVIDER })));
    expect((await sim().control.counters()).byRoute["GET /api/v1/clients"]).toBe(1);
  });

  it("updates with a full PUT that keeps what the program does not manage", async () => {
    const news = program({ description: "d" });
    const { id, outs } = await up(news);
    await portal().updateClient(id, { authorization_lifetime: 900, refresh_token_usage: "REUSE" });
    await portal().replaceKeys(id, [rsaKeyPair("portal-key").publicJwk]);
    const changed = { ...news, scopes: [SCOPE_A, SCOPE_B], description: "better", accessTokenLifetime: 30 };
    const updated = await upChange(id, outs, changed);
    expect(await portal().getClient(id)).toMatchObject({
      scopes: [SCOPE_A, SCOPE_B],
      description: `better [pulumi-maskinporten:${news.__ownerMarker}]`,
      access_token_lifetime: 30,
      authorization_lifetime: 900,
      refresh_token_usage: "REUSE",
      integration_type: "maskinporten",
      jwks: { keys: [expect.objectContaining({ kid: "portal-key" })] },
    });
    expect(updated).toMatchObject({ scopes: [SCOPE_A, SCOPE_B], description: "better", accessTokenLifetime: 30, clientId: id });
    expect(updated).not.toHaveProperty("authorizationLifetime");
    expect((await preview(id, updated, changed)).changes).toBe(false);
  });

  it("a profile change alone writes nothing", async () => {
    const news = program();
    const { id, outs } = await up(news);
    const before = (await sim().control.counters()).apiWrites;
    const updated = await upChange(id, outs, { ...news, profile: "owner" });
    expect((await sim().control.counters()).apiWrites).toBe(before);
    expect(updated).toEqual({ ...outs, profile: "owner", lastUpdated: expect.any(String) });
  });

  it("deletes by deactivating; a client already gone counts as deleted", async () => {
    const { id, outs } = await up(program());
    await clientProvider.delete(id, { ...outs, __provider: PROVIDER });
    expect(await portal().getClient(id)).toMatchObject({ active: false });
    await expect(clientProvider.delete(id, outs)).resolves.toBeUndefined();
    await expect(clientProvider.delete("never-made", {})).resolves.toBeUndefined();
  });
});

describe("drift made in the portal", () => {
  it("edited scopes: refresh reports them, preview shows the change, up repairs it", async () => {
    const news = program({ scopes: [SCOPE_A, SCOPE_B] });
    const { id, outs } = await up(news);
    await portal().updateClient(id, { scopes: [OPEN_CATALOGUE_SCOPE, SCOPE_A] });

    await newProcess();
    const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.inputs).toEqual({
      clientId: id,
      clientName: news.clientName,
      scopes: [OPEN_CATALOGUE_SCOPE, SCOPE_A],
      active: true,
      __ownerMarker: news.__ownerMarker,
    });
    expect(read.props).toMatchObject({ scopes: [OPEN_CATALOGUE_SCOPE, SCOPE_A] });

    const state = read.props as Props;
    expect(await preview(id, state, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const repaired = await upChange(id, state, news);
    expect((await portal().getClient(id)).scopes).toEqual([SCOPE_A, SCOPE_B]);
    expect((await preview(id, repaired, news)).changes).toBe(false);
  });

  it("a deactivated client: refresh reports active false, up reactivates it", async () => {
    const news = program();
    const { id, outs } = await up(news);
    await portal().deleteClient(id);

    await newProcess();
    const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toMatchObject({ id, inputs: { active: false }, props: { active: false } });

    const repaired = await upChange(id, read.props as Props, news);
    expect(await portal().getClient(id)).toMatchObject({ active: true });
    expect(repaired).toMatchObject({ active: true });
  });

  it("an unmanaged field edited in the portal shows no change", async () => {
    const news = program();
    const { id, outs } = await up(news);
    await portal().updateClient(id, { description: "written in the portal", access_token_lifetime: 30 });
    await newProcess();
    const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.inputs).not.toHaveProperty("description");
    expect((await preview(id, read.props as Props, news)).changes).toBe(false);
  });

  it("a key registered on the client moves Digdir's last_updated, not the state: refresh reports nothing", async () => {
    const news = program();
    const { id, outs } = await up(news);
    // A day on, so the key write's timestamp surely differs from the create's (they share a second otherwise).
    await sim().control.setClockOffset(24 * 3600);
    try {
      await portal().replaceKeys(id, [rsaKeyPair("lastupdated-kid").publicJwk]);
      expect((await portal().getClient(id)).last_updated).not.toBe(outs["lastUpdated"]);
      await newProcess();
      const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
      expect(read.props).toEqual(outs);
    } finally {
      await sim().control.setClockOffset(0);
    }
  });

  it("a managed field edited in the portal shows its lastUpdated too", async () => {
    const news = program({ description: "mine" });
    const { id, outs } = await up(news);
    await sim().control.setClockOffset(24 * 3600);
    try {
      const edited = await portal().updateClient(id, { description: "written in the portal" });
      await newProcess();
      const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
      expect(read.props).toMatchObject({ description: "written in the portal", lastUpdated: edited.last_updated });
      expect(edited.last_updated).not.toBe(outs["lastUpdated"]);
    } finally {
      await sim().control.setClockOffset(0);
    }
  });

  it("a managed field edited in the portal shows as a change", async () => {
    const news = program({ description: "mine" });
    const { id, outs } = await up(news);
    await portal().updateClient(id, { description: "written in the portal" });
    await newProcess();
    const read = await clientProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.inputs).toMatchObject({ description: "written in the portal" });
    expect(await preview(id, read.props as Props, news)).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("adoption of a client made in the portal", () => {
  async function portalClient(overrides: Props = {}) {
    return portal().createClient({
      client_name: `portal-${randomUUID().slice(0, 8)}`,
      description: "Made by hand",
      integration_type: "maskinporten",
      application_type: "web",
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
      scopes: [OPEN_CATALOGUE_SCOPE],
      ...overrides,
    });
  }

  it("takes the client over and converges it with one PUT; no new client is made", async () => {
    const made = await portalClient({ access_token_lifetime: 300 });
    const news = program({ adoptClientId: made.client_id, scopes: [SCOPE_A] });
    const { id, outs } = await up(news);
    expect(id).toBe(made.client_id);
    expect(await portal().getClient(id)).toMatchObject({
      client_name: news.clientName,
      description: "Made by hand",
      scopes: [SCOPE_A],
      access_token_lifetime: 300,
      created: made.created,
    });
    expect(await clientsNamed(news.clientName as string)).toHaveLength(1);
    expect(outs).toMatchObject({ clientId: id, adoptClientId: id, clientName: news.clientName });
    expect((await preview(id, outs, news)).changes).toBe(false);
  });

  it("writes nothing when the client already matches, and reactivates a deactivated one", async () => {
    const made = await portalClient();
    const news = { clientName: made.client_name, scopes: [OPEN_CATALOGUE_SCOPE], adoptClientId: made.client_id };
    const before = (await sim().control.counters()).apiWrites;
    await up(news);
    expect((await sim().control.counters()).apiWrites).toBe(before);

    const inactive = await portalClient();
    await portal().deleteClient(inactive.client_id);
    await up({ clientName: inactive.client_name, scopes: [OPEN_CATALOGUE_SCOPE], adoptClientId: inactive.client_id });
    expect(await portal().getClient(inactive.client_id)).toMatchObject({ active: true });
  });

  it("refuses a client that does not exist, naming adoptClientId", async () => {
    const err = await clientProvider.create(await check(program({ adoptClientId: "no-such-client" }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: "CLIENT_NOT_FOUND", field: "adoptClientId" });
  });

  it("refuses a client that is not a Maskinporten client", async () => {
    const made = await portalClient({ integration_type: "api_klient", scopes: [SCOPE_A] });
    const err = await clientProvider.create(await check(program({ adoptClientId: made.client_id }))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "NOT_A_MASKINPORTEN_CLIENT",
      field: "adoptClientId",
      message: expect.stringContaining('"api_klient"'),
    });
    expect((await portal().getClient(made.client_id)).client_name).toBe(made.client_name);
  });

  it("refuses a client of another organisation than clientOrgno", async () => {
    const made = await portalClient();
    const news = program({ adoptClientId: made.client_id, clientOrgno: consumer().orgno });
    // Another organisation's client needs dcr.supplier, which this credential lacks: check says so first.
    expect((await failuresOf(news)).map((f) => f.property)).toEqual(["clientOrgno"]);
    const inputs = { ...(await check({ ...news, clientOrgno: undefined })), clientOrgno: consumer().orgno };
    const err = await clientProvider.create(inputs).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CLIENT_OF_OTHER_ORGANISATION", field: "adoptClientId" });
  });

  it("a client the credential may not manage gives the API's own explanation", async () => {
    const made = await portalClient();
    await configureProvider(simulatorConfig(sim(), consumer().orgno));
    const news = program({ adoptClientId: made.client_id });
    // The owner's scopes on the program are not granted to the consumer: check refuses them first, when the
    // consumer's admin client can read the grants it received (not under the adverse preset's dcr-only consumer).
    const readsGrants = (await sim().control.variant()).consumerAdminScopes !== "dcr-only";
    expect((await failuresOf(news)).map((f) => f.property)).toEqual(readsGrants ? ["scopes[0]"] : []);
    const inputs = { ...(await check({ ...news, scopes: [OPEN_CATALOGUE_SCOPE] })), scopes: news.scopes };
    const err = await clientProvider.create(inputs).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "API_FORBIDDEN", message: expect.stringContaining("belongs to organisation") });
  });

  describe("check previews what adopting changes", () => {
    let warnings: string[];
    let previous: ReturnType<typeof setWarningDelivery>;
    beforeEach(() => {
      warnings = [];
      previous = setWarningDelivery(async (message) => void warnings.push(message));
    });
    afterEach(() => setWarningDelivery(previous));

    it("lists exactly the fields that differ, old → new, in adoptionChanges and a warning", async () => {
      const made = await portalClient({ scopes: [SCOPE_A, SCOPE_B], access_token_lifetime: 120, description: "typed in the portal" });
      const inputs = await check(
        program({ adoptClientId: made.client_id, clientName: made.client_name, scopes: [SCOPE_A], accessTokenLifetime: 3600 }),
      );
      const expected = [`scopes: - "${SCOPE_B}"`, "accessTokenLifetime: 120 → 3600"];
      expect(inputs["adoptionChanges"]).toEqual(expected);
      expect(warnings).toEqual([
        `Client adopting client_id ${made.client_id}: adopting it changes the existing object at Digdir: ${expected.join("; ")}`,
      ]);
    });

    it("shows nothing when the client matches the program, and nothing once the resource exists", async () => {
      const made = await portalClient();
      const news = program({ adoptClientId: made.client_id, clientName: made.client_name, scopes: made.scopes });
      expect(await check(news)).not.toHaveProperty("adoptionChanges");
      expect(await check({ ...news, clientName: "renamed" }, { ...news, clientId: made.client_id })).not.toHaveProperty("adoptionChanges");
      expect(warnings).toEqual([]);
    });

    it("says plainly when the changes could not be previewed, and check still passes", async () => {
      const made = await portalClient();
      await newProcess();
      const fault = await sim().control.addFault({ method: "GET", path: "/api/v1/clients", kind: "status", status: 503 });
      const inputs = await check(program({ adoptClientId: made.client_id })).finally(() => sim().control.removeFault(fault));
      expect(inputs).not.toHaveProperty("adoptionChanges");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        new RegExp(
          `^Client adopting client_id ${made.client_id}: the changes adopting it will make could not be previewed \\(.+\\); \`pulumi up\` will change`,
        ),
      );
      await check(program({ adoptClientId: "not-in-the-list" }));
      expect(warnings[1]).toContain("could not be previewed (the credential's list of clients does not hold it");
    });
  });

  it("a converging PUT that fails keeps the adopted client in the stack (an initialisation failure)", async () => {
    const made = await portalClient();
    const news = program({ adoptClientId: made.client_id, scopes: [RESTRICTED_CATALOGUE_SCOPE] });
    expect((await failuresOf(news)).map((f) => f.property)).toEqual(["scopes[0]"]);
    // Passed by check (as if access were revoked between preview and up), the converging PUT fails.
    const inputs = { ...(await check({ ...news, scopes: [OPEN_CATALOGUE_SCOPE] })), scopes: [RESTRICTED_CATALOGUE_SCOPE] };
    const err = await clientProvider.create(inputs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceInitError);
    const init = err as ResourceInitError;
    expect(init.id).toBe(made.client_id);
    expect(init.properties).toMatchObject({
      clientId: made.client_id,
      scopes: [OPEN_CATALOGUE_SCOPE],
      adoptClientId: made.client_id,
      __provider: PROVIDER,
    });
    expect(init.reasons[0]).toMatch(/no access to scope "difitest:restricted"/);
    expect(encodable(init.properties)).toBe(true);
    // The next `up` sees the difference and updates (here it fails the same way until access is granted).
    expect(await clientProvider.diff(made.client_id, init.properties, inputs)).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("faults", () => {
  it("a create whose response is lost after the client was made converges on exactly one client", async () => {
    await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
    const news = program();
    const { id, outs } = await up(news);
    expect((await sim().control.faults())[0]!.hits).toBe(1);
    const made = await clientsNamed(news.clientName as string);
    expect(made.map((c) => c.client_id)).toEqual([id]);
    expect(outs).toMatchObject({ clientId: id, active: true });
  });

  it.each([
    [
      "its response is lost after the client was made",
      { method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 } as const,
      1,
    ],
    [
      "it answers 503, so it may or may not have been made",
      { method: "POST", path: "/api/v1/clients", kind: "status", status: 503, count: 1 } as const,
      0,
    ],
  ])(
    "a create whose outcome stays unknown (%s, and the lookup fails): the next up finds the client by its marker, or makes it; one client",
    async (_case, fault, made) => {
      await newProcess();
      await up(program()); // this process has taken its list of clients, so the faults hit the create and its lookup
      await sim().control.addFault(fault);
      await sim().control.addFault({ method: "GET", path: "/api/v1/clients", kind: "status", status: 500, count: 1 });
      const news = program();
      const err = await clientProvider.create(await check(news)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MaskinportenError);
      expect((err as Error).message).toMatch(/may have been created/);
      expect(await clientsNamed(news.clientName as string)).toHaveLength(made);

      // The engine forgot the resource; the next `up` (a new process) creates it again.
      await newProcess();
      const { id, outs } = await up(news);
      expect((await clientsNamed(news.clientName as string)).map((c) => c.client_id)).toEqual([id]);
      expect(outs).toMatchObject({ clientId: id, active: true, integrationType: "maskinporten" });
      expect(await preview(id, outs, news)).toMatchObject({ changes: false });
    },
  );

  it("takes over only an active client carrying this resource's marker: not a deactivated one, another resource's, or an unmarked one of the same name", async () => {
    const news = program();
    const first = await up(news);
    await clientProvider.delete(first.id, first.outs); // destroy: deactivated
    const lookalike = await portal().createClient({
      client_name: news.clientName as string,
      description: news.clientName as string,
      integration_type: "maskinporten",
      application_type: "web",
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
      scopes: [SCOPE_A],
    });
    const other = await up(program({ clientName: news.clientName }));
    await newProcess();
    const again = await up(news); // re-added to the program
    expect(new Set([first.id, lookalike.client_id, other.id, again.id]).size).toBe(4);
    expect((await portal().getClient(first.id)).active).toBe(false);
  });

  it("a client taken over by its marker is converged to the program", async () => {
    const news = program({ description: "first" });
    const { id } = await up(news);
    await newProcess(); // a new run that lost the answer: the state does not have the client
    const again = await up({ ...news, description: "second", scopes: [SCOPE_A, SCOPE_B] });
    expect(again.id).toBe(id);
    expect(await portal().getClient(id)).toMatchObject({
      description: `second [pulumi-maskinporten:${news.__ownerMarker}]`,
      scopes: [SCOPE_A, SCOPE_B],
    });
    expect(await clientsNamed(news.clientName as string)).toHaveLength(1);
  });

  it("a replacement that takes over its own client (pulumi up --replace) leaves it active when the old resource is deleted", async () => {
    const news = program();
    const old = await up(news);
    await newProcess();
    const replacement = await up(news);
    expect(replacement.id).toBe(old.id);
    await clientProvider.delete(old.id, { ...old.outs, __provider: PROVIDER });
    expect((await portal().getClient(old.id)).active).toBe(true);
  });

  it("state of an earlier version whose create was never confirmed, and whose client does not exist, asks for a refresh", async () => {
    const news = program();
    const legacy = { ...news, clientId: "never-made-legacy", active: true, createUnconfirmed: true, __provider: PROVIDER };
    const err = await clientProvider.update("never-made-legacy", legacy, await check(news, legacy)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CREATE_NOT_FOUND", message: expect.stringContaining("pulumi refresh") });
    expect(await clientProvider.read("never-made-legacy", legacy)).toEqual({ id: "", props: {} });
  });

  it("a failing step after the client was made is an initialisation failure carrying its id", async () => {
    await configureProvider({ ...config, "maskinporten:requestTimeoutSeconds": 1 });
    await sim().control.addFault({ method: "PUT", path: "/api/v1/clients/*", kind: "status", status: 503 });
    const news = program({ active: false });
    const err = await clientProvider.create(await check(news)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceInitError);
    const [made] = await clientsNamed(news.clientName as string);
    expect((err as ResourceInitError).id).toBe(made!.client_id);
    expect((err as ResourceInitError).properties).toMatchObject({ clientId: made!.client_id, active: true, __provider: PROVIDER });
    expect((err as ResourceInitError).cause).toBeInstanceOf(MaskinportenError);
  });
});
