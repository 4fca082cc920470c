/**
 * The ScopeGrant provider's methods against the simulator, called as the engine calls them, with the
 * simulator's portal as the ground truth and the source of out-of-band revocations.
 */
import { randomUUID } from "node:crypto";
import { orgnoCheckDigit } from "../../provider/api/validation";
import { connectionFor } from "../../provider/runtime";
import { UNKNOWN } from "../../provider/resources/shared/unknown";
import { scopeGrantProvider } from "../../provider/resources/scope-grant/provider";
import { scopeProvider } from "../../provider/resources/scope/provider";
import { clientProvider } from "../../provider/resources/client/provider";
import { DIGDIR_ORGNO, OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { encodable } from "../helpers/engine-values";
import { configureProvider, lifecycle, simulatorConfig, PROVIDER, type Props, useConfiguredProvider } from "../helpers/provider";
import { CONSUMER_WITH_SCOPE_ADMIN } from "../helpers/simulator-variant";
import { useSimulator } from "../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const supplier = (): SimulatorOrg => sim().orgs[2]!;
const portal = () => sim().control.portal(owner().orgno);

useConfiguredProvider(sim, () => simulatorConfig(sim(), owner().orgno));

/** A fresh scope of the API owner, made out of band (the grant's tests are not about scopes). */
async function newScope(subscope = `grant.${randomUUID().slice(0, 8)}`): Promise<string> {
  return (await portal().createScope({ prefix: "eksempel", subscope, description: "for grants" })).name;
}

const { check, up, preview } = lifecycle(scopeGrantProvider);

async function grantOf(scope: string, consumerOrgno: string) {
  return (await portal().grantsGiven({ scope })).find((g) => g.consumer_orgno === consumerOrgno);
}

describe("check", () => {
  it("returns the inputs, __provider kept", async () => {
    const news = { scope: "eksempel:read", consumerOrgno: consumer().orgno };
    expect(await check(news)).toEqual({ ...news, __provider: PROVIDER });
  });

  it.each([
    ["consumerOrgno", { scope: "eksempel:read", consumerOrgno: "312000009" }, /mod-11/],
    ["consumerOrgno", { scope: "eksempel:read", consumerOrgno: "31200000" }, /exactly nine digits/],
    ["consumerOrgno", { scope: "eksempel:read" }, /got nothing/],
    ["scope", { scope: "eksempel", consumerOrgno: "312000008" }, /prefix:subscope/],
    ["scope", { scope: "Eksempel:read", consumerOrgno: "312000008" }, /prefix:subscope/],
  ])("names %s, before any request", async (property, news, reason) => {
    await sim().control.resetRequests();
    const result = await scopeGrantProvider.check({}, { ...news, __provider: PROVIDER });
    expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
    expect((await sim().control.counters()).total).toBe(0);
  });

  it("lets values unknown during preview through", async () => {
    const result = await scopeGrantProvider.check({}, { scope: UNKNOWN, consumerOrgno: UNKNOWN, profile: UNKNOWN, __provider: PROVIDER });
    expect(result.failures).toBeUndefined();
  });
});

describe("diff", () => {
  it("shows no change right after create (up, then preview)", async () => {
    const news = { scope: await newScope(), consumerOrgno: consumer().orgno };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("replaces for a new scope or consumer; updates for a new profile", async () => {
    const news = { scope: await newScope(), consumerOrgno: consumer().orgno };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, { ...news, consumerOrgno: supplier().orgno })).toMatchObject({
      changes: true,
      replaces: ["consumerOrgno"],
    });
    expect(await preview(id, outs, { ...news, scope: "eksempel:other" })).toMatchObject({ changes: true, replaces: ["scope"] });
    await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
    expect(await preview(id, outs, { ...news, profile: "owner" })).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("create, read, update, delete", () => {
  it("grants access; the id is <scope>/<orgno>", async () => {
    const scope = await newScope();
    const { id, outs } = await up({ scope, consumerOrgno: consumer().orgno });
    expect(id).toBe(`${scope}/${consumer().orgno}`);
    expect(await grantOf(scope, consumer().orgno)).toMatchObject({ state: "APPROVED" });
    expect(outs).toEqual({
      scope,
      consumerOrgno: consumer().orgno,
      state: "APPROVED",
      ownerOrgno: owner().orgno,
      consumerOrganizationName: consumer().name,
      created: expect.any(String),
      lastUpdated: expect.any(String),
    });
    expect(encodable(outs)).toBe(true);
  });

  it("reads what it granted, also for a scope name with slashes", async () => {
    const scope = await newScope(`api/v2/${randomUUID().slice(0, 8)}`);
    const { id, outs } = await up({ scope, consumerOrgno: consumer().orgno });
    const read = await scopeGrantProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toEqual({ id, props: outs, inputs: { scope, consumerOrgno: consumer().orgno } });
  });

  it("a profile change updates the state without any request", async () => {
    await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
    const news = { scope: await newScope(), consumerOrgno: consumer().orgno };
    const { id, outs } = await up(news);
    await sim().control.resetRequests();
    const { outs: updated } = await scopeGrantProvider.update(
      id,
      { ...outs, __provider: PROVIDER },
      await check({ ...news, profile: "owner" }, outs),
    );
    expect(updated).toEqual({ ...outs, profile: "owner" });
    expect((await sim().control.counters()).total).toBe(0);
    const { outs: back } = await scopeGrantProvider.update(id, updated as Props, await check(news, updated as Props));
    expect(back).toEqual(outs);
  });

  it("deletes by revoking; revoking what is gone succeeds", async () => {
    const scope = await newScope();
    const { id, outs } = await up({ scope, consumerOrgno: consumer().orgno });
    await scopeGrantProvider.delete(id, outs);
    expect(await grantOf(scope, consumer().orgno)).toMatchObject({ state: "DENIED" });
    expect(await scopeGrantProvider.read(id, outs)).toEqual({ id: "", props: {} });
    await expect(scopeGrantProvider.delete(id, outs)).resolves.toBeUndefined();
    await expect(scopeGrantProvider.delete(`${scope}/${supplier().orgno}`, {})).resolves.toBeUndefined();
    await expect(scopeGrantProvider.delete(`eksempel:never.made/${consumer().orgno}`, {})).resolves.toBeUndefined();
  });

  it("a grant on a scope of another organisation fails with a message naming it", async () => {
    const news = { scope: OPEN_CATALOGUE_SCOPE, consumerOrgno: consumer().orgno };
    // check refuses it (so `preview` does, before any write) ...
    expect(await lifecycle(scopeGrantProvider).failuresOf(news)).toEqual([
      {
        property: "scope",
        reason: expect.stringContaining(
          `scope "${OPEN_CATALOGUE_SCOPE}" is not under a prefix of the credential's organisation (${owner().orgno})`,
        ),
      },
    ]);
    // ... and create gives the API's own explanation, should check be passed by.
    const err = await scopeGrantProvider.create({ ...news, __provider: PROVIDER }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      new RegExp(`to scope "${OPEN_CATALOGUE_SCOPE}" belongs to organisation ${DIGDIR_ORGNO}, not to the admin client's organisation`),
    );
    expect((err as Error).message).not.toMatch(/lacks scope/);
  });

  it("a grant on a scope that does not exist fails, saying so", async () => {
    const err = await up({ scope: "eksempel:never.made", consumerOrgno: consumer().orgno }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/scope "eksempel:never.made" does not exist/);
  });

  it("a grant on a deactivated scope is still read (grants outlive deactivation)", async () => {
    const scope = await newScope();
    const { id, outs } = await up({ scope, consumerOrgno: consumer().orgno });
    await portal().deactivateScope(scope);
    expect((await scopeGrantProvider.read(id, outs)).id).toBe(id);
  });
});

describe("drift", () => {
  it("a grant revoked in the portal is gone for refresh, and up grants it again", async () => {
    const news = { scope: await newScope(), consumerOrgno: consumer().orgno };
    const { id, outs } = await up(news);
    await portal().revokeAccess(news.scope, news.consumerOrgno);
    expect(await scopeGrantProvider.read(id, outs)).toEqual({ id: "", props: {} });
    const again = await up(news);
    expect(again.id).toBe(id);
    expect(again.outs).toMatchObject({ state: "APPROVED" });
    expect(await grantOf(news.scope, news.consumerOrgno)).toMatchObject({ state: "APPROVED" });
  });

  it("a refresh of 20 grants on one scope lists the scope's grants once", async () => {
    const scope = await newScope();
    const grants = await Promise.all(validOrgnos(20).map((consumerOrgno) => up({ scope, consumerOrgno })));
    await configureProvider(simulatorConfig(sim(), owner().orgno));
    await sim().control.resetRequests();
    const reads = await Promise.all(grants.map(({ id, outs }) => scopeGrantProvider.read(id, outs)));
    expect(reads.map((r) => r.id)).toEqual(grants.map((g) => g.id));
    const counters = await sim().control.counters();
    expect(counters.byRoute["GET /api/v1/scopes/access"]).toBe(1);
    expect(counters.apiReads).toBe(1);
  });
});

describe("faults", () => {
  it("a grant whose response is lost converges to one approved grant", async () => {
    const news = { scope: await newScope(), consumerOrgno: consumer().orgno };
    await sim().control.addFault({ method: "PUT", path: "/api/v1/scopes/access/*", kind: "drop-after-commit", count: 1 });
    const { outs } = await up(news);
    expect(outs).toMatchObject({ state: "APPROVED" });
    const given = (await portal().grantsGiven({ scope: news.scope })).filter((g) => g.consumer_orgno === news.consumerOrgno);
    expect(given).toEqual([expect.objectContaining({ state: "APPROVED" })]);
    expect((await sim().control.counters()).byRoute["PUT /api/v1/scopes/access/{consumer_orgno}"]).toBeGreaterThanOrEqual(2);
  });
});

describe("two organisations in one stack, the consumer holding the scope admin scopes (it relies on consumerAdminScopes: standard)", () => {
  // The consumer's profile lists the grants it received and gets as far as the API's 403 on the owner's scope.
  const scoped = useSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN });

  it("the owner's profile grants; the consumer's profile sees the grant received", async () => {
    await configureProvider(simulatorConfig(scoped(), undefined, { owner: owner().orgno, consumer: consumer().orgno }));
    const scopeInputs = await scopeProvider.check(
      {},
      { prefix: "eksempel", subscope: `two.${randomUUID().slice(0, 8)}`, description: "shared", profile: "owner", __provider: PROVIDER },
    );
    const scope = await scopeProvider.create(scopeInputs.inputs!);
    const { id, outs } = await up({ scope: scope.id, consumerOrgno: consumer().orgno, profile: "owner" });
    expect(outs).toMatchObject({ profile: "owner", ownerOrgno: owner().orgno });
    const received = await connectionFor("consumer").api.listReceivedAccess();
    expect(received).toContainEqual(expect.objectContaining({ scope: scope.id, owner_orgno: owner().orgno, state: "APPROVED" }));
    expect((await scopeGrantProvider.read(id, outs)).inputs).toEqual({
      scope: scope.id,
      consumerOrgno: consumer().orgno,
      profile: "owner",
    });
    const byConsumer = { scope: scope.id, consumerOrgno: supplier().orgno, profile: "consumer" };
    expect(await lifecycle(scopeGrantProvider).failuresOf(byConsumer)).toEqual([
      { property: "scope", reason: expect.stringContaining(`(${consumer().orgno}) (it has none)`) },
    ]);
    const asConsumer = await scopeGrantProvider.create({ ...byConsumer, __provider: PROVIDER }).catch((e: unknown) => e);
    expect((asConsumer as Error).message).toMatch(new RegExp(`belongs to organisation.*${owner().orgno}`));
  });
});

/** Distinct valid organisation numbers (the simulator grants to any valid number, known or not). */
function validOrgnos(count: number): string[] {
  const found: string[] = [];
  for (let n = 39_000_000; found.length < count; n++) {
    const check = orgnoCheckDigit(String(n));
    if (check !== undefined) found.push(`${n}${check}`);
  }
  return found;
}

describe("a scope whose subscope holds ':' (digdirator's naming, e.g. nav:aap:afpprivat.read)", () => {
  it("works as a Scope, in a ScopeGrant, and on a consumer's Client", async () => {
    await configureProvider(simulatorConfig(sim(), owner().orgno, { consumer: consumer().orgno }));
    const subscope = `aap:${randomUUID().slice(0, 8)}.read`;
    const scopeNews = { prefix: "eksempel", subscope, description: "Colon in the subscope", __provider: PROVIDER };
    const scopeInputs = (await scopeProvider.check({}, scopeNews)).inputs!;
    expect((await scopeProvider.check({}, scopeNews)).failures ?? []).toEqual([]);
    const scope = await scopeProvider.create(scopeInputs);
    expect(scope.id).toBe(`eksempel:${subscope}`);

    const grant = await up({ scope: scope.id, consumerOrgno: consumer().orgno });
    expect(grant.id).toBe(`${scope.id}/${consumer().orgno}`);
    expect((await scopeGrantProvider.read(grant.id, grant.outs)).id).toBe(grant.id);

    const clientNews = {
      clientName: "colon-consumer",
      scopes: [scope.id],
      profile: "consumer",
      __ownerMarker: "00000000000c010a",
      __provider: PROVIDER,
    };
    const clientCheck = await clientProvider.check({}, clientNews);
    expect(clientCheck.failures ?? []).toEqual([]);
    const client = await clientProvider.create(clientCheck.inputs!);
    expect(client.outs).toMatchObject({ scopes: [scope.id] });
  });
});
