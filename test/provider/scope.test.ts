/**
 * The Scope provider's methods against the simulator, called as the engine calls them: inputs through
 * `check` (with a `__provider` string), outputs of one step as the `olds` of the next, and the simulator's
 * portal as the ground truth and the source of out-of-band changes.
 */
import { randomUUID } from "node:crypto";
import { ConfigError, MaskinportenError } from "../../provider/api/errors";
import { ResourceInitError } from "../../provider/api/errors";
import { UNKNOWN } from "../../provider/resources/shared/unknown";
import { expandCreate } from "../../provider/resources/scope/expand";
import { DERIVED_SCOPE_INPUTS, scopeSchema } from "../../provider/resources/scope/schema";
import { parseChecked } from "../../provider/resources/shared/methods";
import { scopeProvider } from "../../provider/resources/scope/provider";
import { DIGDIR_ORGNO, type SimulatorOrg } from "../../simulator";
import { configureProvider, lifecycle, simulatorConfig, PROVIDER, type Props, useConfiguredProvider } from "../helpers/provider";
import { CONSUMER_WITH_SCOPE_ADMIN } from "../helpers/simulator-variant";
import { useSimulator } from "../simulator/helpers";
import { encodable } from "../helpers/engine-values";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const portal = () => sim().control.portal(owner().orgno);

useConfiguredProvider(sim, () => simulatorConfig(sim(), owner().orgno));

function subscope(): string {
  return `test.${randomUUID().slice(0, 8)}`;
}

function program(overrides: Props = {}): Props {
  return { prefix: "eksempel", subscope: subscope(), description: "Read the example API", ...overrides };
}

const { check, up, preview, failuresOf } = lifecycle(scopeProvider);

describe("check", () => {
  it("returns normalized inputs: integration types as a sorted set, __provider kept", async () => {
    const news = program({ allowedIntegrationTypes: ["maskinporten", "idporten", "maskinporten"] });
    expect(await check(news)).toEqual({
      ...news,
      allowedIntegrationTypes: ["idporten", "maskinporten"],
      name: `eksempel:${news.subscope as string}`,
      __provider: PROVIDER,
    });
  });

  it.each([
    ["prefix", { prefix: "Eksempel" }, /lowercase letters and digits/],
    ["prefix", { prefix: undefined }, /got nothing/],
    ["subscope", { subscope: "-read" }, /starting and ending with a letter or digit/],
    ["description", { description: undefined }, /is required/],
    ["description", { description: "  " }, /must not be empty/],
    ["visibility", { visibility: "SECRET" }, /one of PUBLIC, PRIVATE, INTERNAL/],
    ["tokenType", { tokenType: "JWT" }, /one of SELF_CONTAINED, OPAQUE/],
    ["allowedIntegrationTypes[1]", { allowedIntegrationTypes: ["maskinporten", "smtp"] }, /one of maskinporten, /],
    ["allowedIntegrationTypes", { allowedIntegrationTypes: [] }, /must not be empty/],
    ["atMaxAge", { atMaxAge: 0 }, /positive whole number of seconds/],
    ["authorizationMaxLifetime", { authorizationMaxLifetime: 1.5 }, /positive whole number of seconds/],
    ["accessibleForAll", { accessibleForAll: "yes" }, /boolean/],
    ["profile", { profile: "owner org" }, /maskinporten:profiles/],
  ])("names %s", async (property, change, reason) => {
    expect(await failuresOf(program(change))).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  it("refuses inputs it does not know, such as a misspelt field", async () => {
    expect(await failuresOf(program({ visiblity: "PRIVATE" }))).toEqual([
      { property: "(resource)", reason: expect.stringContaining("visiblity") },
    ]);
  });

  it("lets values unknown during preview through, and still checks the known ones", async () => {
    expect(
      await failuresOf(
        program({ prefix: UNKNOWN, visibility: UNKNOWN, allowedIntegrationTypes: [UNKNOWN], atMaxAge: UNKNOWN, profile: UNKNOWN }),
      ),
    ).toEqual([]);
    expect(await failuresOf(program({ prefix: UNKNOWN, subscope: "bad/" }))).toEqual([
      { property: "subscope", reason: expect.any(String) },
    ]);
  });

  it("fails on a profile missing from the config, naming the key, without any request", async () => {
    await sim().control.resetRequests();
    const err = await scopeProvider.check({}, { ...program({ profile: "consumer" }), __provider: PROVIDER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/no profile "consumer" in maskinporten:profiles/);
    expect((await sim().control.counters()).total).toBe(0);
  });
});

describe("diff", () => {
  it("shows no change right after create (up, then preview)", async () => {
    const news = program({
      visibility: "PRIVATE",
      allowedIntegrationTypes: ["maskinporten", "idporten"],
      atMaxAge: 300,
      requiresUserConsent: false,
    });
    const { id, outs } = await up(news);
    expect(await preview(id, outs, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("updates for a description change", async () => {
    const news = program();
    const { id, outs } = await up(news);
    expect(await preview(id, outs, { ...news, description: "Another text" })).toMatchObject({ changes: true, replaces: [] });
  });

  it.each(["prefix", "subscope"])("replaces for a %s change", async (field) => {
    const news = program();
    const { id, outs } = await up(news);
    const changed = field === "prefix" ? "annet" : "other.read";
    // Diffed without `check`, which refuses "annet": not a prefix of this organisation.
    expect(await scopeProvider.diff(id, outs, { ...(await check(news)), [field]: changed })).toMatchObject({
      changes: true,
      replaces: [field],
    });
  });

  it("sees no change when only the order of the integration types differs", async () => {
    const news = program({ allowedIntegrationTypes: ["maskinporten", "idporten"] });
    const { id, outs } = await up(news);
    expect((await preview(id, outs, { ...news, allowedIntegrationTypes: ["idporten", "maskinporten", "idporten"] })).changes).toBe(false);
  });

  it("ignores fields the program leaves out, and adopt; updates for a profile change", async () => {
    const news = program({ visibility: "PRIVATE" });
    const { id, outs } = await up(news);
    const { visibility: _v, ...withoutVisibility } = news;
    expect((await preview(id, outs, withoutVisibility)).changes).toBe(false);
    expect((await preview(id, outs, { ...news, adopt: true })).changes).toBe(false);
    await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
    expect(await preview(id, outs, { ...news, profile: "owner" })).toMatchObject({ changes: true, replaces: [] });
  });

  it("reports a change for a value unknown during preview", async () => {
    const news = program();
    const { id, outs } = await up(news);
    const inputs = (await scopeProvider.check(outs, { ...news, description: UNKNOWN, __provider: PROVIDER })).inputs!;
    expect(await scopeProvider.diff(id, outs, inputs)).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("create, read, update, delete", () => {
  it("creates the scope as the program says; its name is the id", async () => {
    const news = program({ longDescription: "Longer", visibility: "PRIVATE", tokenType: "OPAQUE", atMaxAge: 120, accessibleForAll: true });
    const { id, outs } = await up(news);
    const name = `eksempel:${news.subscope as string}`;
    expect(id).toBe(name);
    expect(await portal().getScope(name)).toMatchObject({
      description: "Read the example API",
      long_description: "Longer",
      visibility: "PRIVATE",
      token_type: "OPAQUE",
      at_max_age: 120,
      accessible_for_all: true,
      active: true,
    });
    expect(outs).toEqual({
      ...news,
      name,
      ownerOrgno: owner().orgno,
      active: true,
      created: expect.any(String),
      lastUpdated: expect.any(String),
    });
    expect(encodable(outs)).toBe(true);
  });

  it("reads what it created: the same outputs, and inputs as the program wrote them", async () => {
    const news = program({ visibility: "INTERNAL", profile: undefined });
    const { id, outs } = await up(news);
    const read = await scopeProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toEqual({
      id,
      props: outs,
      inputs: { prefix: news.prefix, subscope: news.subscope, description: news.description, visibility: "INTERNAL", name: id },
    });
    expect(encodable(read.props)).toBe(true);
    const { __provider: _p, ...checked } = await check(news);
    expect(read.inputs).toEqual(checked);
  });

  it("keeps the name with the inputs, so it is known in a preview of an update", async () => {
    // Such a preview gives a dynamic resource its new checked inputs as outputs: a ScopeGrant given
    // `scope: scope.name` then sees the same name, not an unknown one that would show as a replacement.
    const news = program();
    const { id, outs } = await up(news);
    const previewOutputs = await check({ ...news, description: "Changed" }, outs);
    expect(previewOutputs).toMatchObject({ name: id });
    expect(await scopeProvider.diff(id, outs, previewOutputs)).toMatchObject({ changes: true, replaces: [] });
    const err = await scopeProvider.check({}, { ...news, name: "eksempel:other", __provider: PROVIDER });
    expect(err.failures).toEqual([{ property: "(resource)", reason: expect.stringContaining("name") }]);
  });

  it("updates in place, keeping the fields the program leaves out", async () => {
    const news = program();
    const { id, outs } = await up(news);
    await portal().updateScope(id, { long_description: "written in the portal" });
    const changed = { ...news, description: "A better text", visibility: "PRIVATE" };
    const { outs: updated } = await scopeProvider.update(id, outs, await check(changed, outs));
    expect(await portal().getScope(id)).toMatchObject({
      description: "A better text",
      visibility: "PRIVATE",
      long_description: "written in the portal",
      active: true,
    });
    expect(updated).toMatchObject({ description: "A better text", visibility: "PRIVATE", name: id });
    expect(updated).not.toHaveProperty("longDescription");
    expect((await preview(id, updated as Props, changed)).changes).toBe(false);
  });

  it("deletes by deactivating; grants given on the scope stay", async () => {
    const { id, outs } = await up(program());
    await portal().grantAccess(id, consumer().orgno);
    await scopeProvider.delete(id, outs);
    expect(await portal().getScope(id)).toMatchObject({ active: false });
    expect(await portal().grantsGiven({ scope: id })).toEqual([
      expect.objectContaining({ consumer_orgno: consumer().orgno, state: "APPROVED" }),
    ]);
    await expect(scopeProvider.delete(id, outs)).resolves.toBeUndefined();
    await expect(scopeProvider.delete("eksempel:never.made", {})).resolves.toBeUndefined();
  });

  it("recreating a deleted scope reactivates it under the same name (the 409 path)", async () => {
    const news = program({ description: "First" });
    const first = await up(news);
    await scopeProvider.delete(first.id, first.outs);
    const again = await up({ ...news, description: "Second" });
    expect(again.id).toBe(first.id);
    expect(again.outs).toMatchObject({ active: true, description: "Second", created: first.outs.created });
    const all = (await portal().listScopes(true)).filter((s) => s.name === first.id);
    expect(all).toEqual([expect.objectContaining({ active: true, description: "Second" })]);
  });

  it("refuses an existing active scope without adopt, naming the fix", async () => {
    const news = program();
    const name = `eksempel:${news.subscope as string}`;
    await portal().createScope({ prefix: "eksempel", subscope: news.subscope as string, description: "made in the portal" });
    const err = await up(news).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaskinportenError);
    expect((err as MaskinportenError).code).toBe("SCOPE_EXISTS");
    expect((err as Error).message).toContain(`scope ${name} already exists`);
    expect((err as Error).message).toContain("adopt: true");
    expect(await portal().getScope(name)).toMatchObject({ description: "made in the portal" });
  });

  it("a run killed after its POST: the next up takes the scope it made over without adopt, writing nothing", async () => {
    const news = program({ visibility: "PRIVATE" });
    const inputs = await check(news);
    // What the killed run's create sent; the engine never heard of it.
    await portal().createScope(expandCreate(parseChecked(scopeSchema(), inputs, DERIVED_SCOPE_INPUTS)));
    const since = await sim().control.lastSeq();
    const { id, outs } = await up(news);
    expect((await sim().control.requestLog({ since, kind: "api" })).filter((e) => e.method !== "GET")).toEqual([]);
    expect(outs).toMatchObject({ name: id, active: true, visibility: "PRIVATE" });
    expect((await preview(id, outs, news)).changes).toBe(false);
  });

  it("takes over an existing active scope with adopt", async () => {
    const news = program({ adopt: true, visibility: "PRIVATE" });
    await portal().createScope({
      prefix: "eksempel",
      subscope: news.subscope as string,
      description: "made in the portal",
      long_description: "kept",
    });
    const { id, outs } = await up(news);
    expect(await portal().getScope(id)).toMatchObject({
      description: "Read the example API",
      visibility: "PRIVATE",
      long_description: "kept",
    });
    expect(outs).toMatchObject({ adopt: true, active: true });
    expect((await preview(id, outs, news)).changes).toBe(false);
  });

  it("adopting a scope that already matches the program writes nothing", async () => {
    const news = program({ adopt: true, description: "made in the portal", visibility: "PRIVATE" });
    const made = await portal().createScope({
      prefix: "eksempel",
      subscope: news.subscope as string,
      description: "made in the portal",
      visibility: "PRIVATE",
    });
    const since = await sim().control.lastSeq();
    const { outs } = await up(news);
    const writes = (await sim().control.requestLog({ since, kind: "api" })).filter((e) => e.method !== "GET");
    expect(writes).toEqual([]);
    expect(outs).toMatchObject({ active: true, lastUpdated: made.last_updated });
  });

  /** What `create` answers when `check` is passed by (a prefix taken away between preview and up). */
  function createUnchecked(news: Props) {
    return scopeProvider
      .create({ ...news, name: `${news["prefix"] as string}:${news["subscope"] as string}`, __provider: PROVIDER })
      .catch((e: unknown) => e);
  }

  it.each([
    ["another organisation's", "difitest"],
    ["nobody's", "ingenseier"],
  ])("check refuses a prefix that is %s, naming prefix and the organisation's own prefixes, with reads only", async (_whose, prefix) => {
    const before = await sim().control.counters();
    expect(await failuresOf(program({ prefix }))).toEqual([
      {
        property: "prefix",
        reason: expect.stringContaining(
          `"${prefix}" is not a scope prefix of the credential's organisation (${owner().orgno}) (its prefixes are eksempel)`,
        ),
      },
    ]);
    expect((await sim().control.counters()).apiWrites).toBe(before.apiWrites);
  });

  it("a prefix of another organisation fails with a message naming it", async () => {
    const err = await createUnchecked(program({ prefix: "difitest" }));
    expect((err as Error).message).toMatch(
      new RegExp(`: the scope's prefix belongs to organisation ${DIGDIR_ORGNO}, not to the admin client's organisation`),
    );
    expect((err as Error).message).not.toMatch(/lacks scope/);
  });

  it("a prefix assigned to nobody fails saying so, without naming the caller's own organisation as its owner", async () => {
    const err = await createUnchecked(program({ prefix: "ingenseier" }));
    expect((err as Error).message).toMatch(
      /: the scope's prefix is not assigned to the admin client's organisation\. Use a prefix Digdir assigned/,
    );
    expect((err as Error).message).not.toMatch(/belongs to organisation/);
  });

  it("a failed reactivation is reported as an initialisation failure carrying the id, and the next update finishes it", async () => {
    const news = program();
    const first = await up(news);
    await scopeProvider.delete(first.id, first.outs);
    await sim().control.addFault({ method: "PUT", path: "/api/v1/scopes", kind: "status", status: 500, count: 1 });
    const inputs = await check(news);
    const err = await scopeProvider.create(inputs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceInitError);
    const failure = err as ResourceInitError;
    expect(failure.id).toBe(first.id);
    // With __provider, which the dynamic host adds only to successful creates: refresh and destroy need it.
    expect(failure.properties).toMatchObject({ name: first.id, active: false, __provider: PROVIDER });
    expect(encodable(failure.properties)).toBe(true);
    // The engine keeps the resource with its init error and runs update on the next `up`.
    const { outs } = await scopeProvider.update(failure.id, failure.properties, inputs);
    expect(outs).toMatchObject({ active: true });
    expect(await portal().getScope(first.id)).toMatchObject({ active: true });
  });
});

describe("drift", () => {
  it("a description edited in the portal: read reports it, diff shows it, update repairs it", async () => {
    const news = program();
    const { id, outs } = await up(news);
    await portal().updateScope(id, { description: "edited in the portal" });
    const refreshed = await scopeProvider.read(id, outs);
    expect(refreshed.inputs).toMatchObject({ description: "edited in the portal" });
    expect(refreshed.props).toMatchObject({ description: "edited in the portal" });
    const state = refreshed.props as Props;
    expect(await preview(id, state, news)).toMatchObject({ changes: true, replaces: [] });
    const { outs: repaired } = await scopeProvider.update(id, state, await check(news, refreshed.inputs as Props));
    expect(await portal().getScope(id)).toMatchObject({ description: "Read the example API" });
    expect((await preview(id, repaired as Props, news)).changes).toBe(false);
  });

  it("a field the program leaves out, edited in the portal, is not reported", async () => {
    const news = program();
    const { id, outs } = await up(news);
    await portal().updateScope(id, { visibility: "INTERNAL" });
    const refreshed = await scopeProvider.read(id, outs);
    expect(refreshed.inputs).not.toHaveProperty("visibility");
    expect((await preview(id, refreshed.props as Props, news)).changes).toBe(false);
  });

  it("a scope deactivated in the portal is gone for refresh, and up brings it back", async () => {
    const news = program();
    const { id, outs } = await up(news);
    await portal().deactivateScope(id);
    expect(await scopeProvider.read(id, outs)).toEqual({ id: "", props: {} });
    const again = await up(news);
    expect(again.id).toBe(id);
    expect(await portal().getScope(id)).toMatchObject({ active: true });
  });

  it("a refresh of many scopes lists them once", async () => {
    const made = await Promise.all(Array.from({ length: 5 }, () => up(program())));
    await configureProvider(simulatorConfig(sim(), owner().orgno));
    await sim().control.resetRequests();
    const reads = await Promise.all(made.map(({ id, outs }) => scopeProvider.read(id, outs)));
    expect(reads.map((r) => r.id)).toEqual(made.map((m) => m.id));
    const counters = await sim().control.counters();
    expect(counters.byRoute["GET /api/v1/scopes"]).toBe(1);
    expect(counters.apiReads).toBe(1);
  });
});

describe("faults", () => {
  it("a create whose response is lost leaves exactly one scope", async () => {
    const news = program();
    await sim().control.addFault({ method: "POST", path: "/api/v1/scopes", kind: "drop-after-commit", count: 1 });
    const { id, outs } = await up(news);
    expect(outs).toMatchObject({ name: id, active: true });
    expect((await portal().listScopes(true)).filter((s) => s.name === id)).toHaveLength(1);
  });

  it("a create whose response is lost and whose lookup fails is kept under its name; the next up takes it over, no adopt needed", async () => {
    const news = program();
    const name = `eksempel:${news.subscope as string}`;
    // The POST lands, its response is lost, and the lookup that follows (not the one before the POST) fails.
    const since = await sim().control.lastSeq();
    await sim().control.addFault({ method: "POST", path: "/api/v1/scopes", kind: "latency", latencyMs: 1000, count: 1 });
    await sim().control.addFault({ method: "POST", path: "/api/v1/scopes", kind: "drop-after-commit", count: 1 });
    const inputs = await check(news);
    const creating = scopeProvider.create(inputs).catch((e: unknown) => e);
    while (!(await sim().control.requestLog({ since })).some((e) => e.method === "GET" && e.route === "/api/v1/scopes"))
      await new Promise((r) => setTimeout(r, 10));
    await sim().control.addFault({ method: "GET", path: "/api/v1/scopes", kind: "status", status: 500, count: 1 });
    const err = await creating;
    expect(err).toBeInstanceOf(ResourceInitError);
    expect(err).toMatchObject({ id: name, message: expect.stringContaining("may have been created") });

    const outs = (await scopeProvider.update(name, (err as ResourceInitError).properties, await check(news, inputs))).outs as Props;
    expect(outs).toMatchObject({ name, active: true });
    expect((await portal().listScopes(true)).filter((s) => s.name === name)).toHaveLength(1);
    expect(await preview(name, outs, news)).toMatchObject({ changes: false });
  });

  it("an unconfirmed create that never landed is made by the next up", async () => {
    const news = program();
    const name = `eksempel:${news.subscope as string}`;
    const inputs = await check(news);
    const state = { ...inputs, name, active: true, createUnconfirmed: true };
    const outs = (await scopeProvider.update(name, state, await check(news, inputs))).outs as Props;
    expect(outs).toMatchObject({ name, active: true });
    expect((await portal().listScopes(true)).filter((s) => s.name === name)).toHaveLength(1);
  });
});

describe("profiles, with a consumer that holds the scope admin scopes (it relies on consumerAdminScopes: standard)", () => {
  // The consumer's profile must get as far as the API's 403 on the owner's prefix: its credential needs scopes.read or scopes.write.
  const scoped = useSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN });

  it("acts with a named profile when the stack has no default credential", async () => {
    await configureProvider(simulatorConfig(scoped(), undefined, { owner: owner().orgno, consumer: consumer().orgno }));
    const news = program({ profile: "owner" });
    const { id, outs } = await up(news);
    expect(outs).toMatchObject({ profile: "owner", ownerOrgno: owner().orgno });
    expect((await scopeProvider.read(id, outs)).inputs).toMatchObject({ profile: "owner" });
    await expect(scopeProvider.check({}, { ...program(), __provider: PROVIDER })).rejects.toThrow(
      /no default credential is configured.*owner, consumer/,
    );
    expect(await failuresOf(program({ profile: "consumer" }))).toEqual([
      {
        property: "prefix",
        reason: expect.stringContaining(
          `"eksempel" is not a scope prefix of the credential's organisation (${consumer().orgno}) (it has none)`,
        ),
      },
    ]);
    const asConsumer = await scopeProvider
      .create({ ...program({ profile: "consumer" }), name: "eksempel:x", __provider: PROVIDER })
      .catch((e: unknown) => e);
    expect((asConsumer as Error).message).toMatch(/prefix "eksempel" belongs to organisation/);
  });
});
