/**
 * RotatingClientKey against the simulator, its clock moved forward between "runs" (each a new provider
 * process, as each `pulumi up` is): the current key and, for the grace period after a rotation, the previous
 * one stay registered and get tokens; the grace counts from the rotation that happened, also after months
 * without a run; a successor that fails verification changes nothing.
 */
import { randomUUID } from "node:crypto";
import type { Jwk } from "../../provider/api/wire";
import { resetRuntime } from "../../provider/runtime";
import { derivedKeyForms } from "../../provider/key-lifecycle/key-forms";
import { rotatingClientKeyProvider } from "../../provider/resources/rotating-client-key/provider";
import { UNKNOWN } from "../../provider/resources/shared/unknown";
import { clearTokenCache, getToken } from "../../sdk/tokens";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { PROVIDER, type Props } from "../helpers/client-key";
import { encodable } from "../helpers/engine-values";
import { keyWriteRoutes } from "../helpers/key-writes";
import { pemBegin } from "../helpers/pem";
import { configureProvider, lifecycle, simulatorConfig } from "../helpers/provider";
import { rsaKeyPair, useSimulator } from "../simulator/helpers";

const DAY = 24 * 3600;
const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const portal = () => sim().control.portal(owner().orgno);
const provider = rotatingClientKeyProvider;

/** A key as the state holds it: its JWKs (the SDK derives the other forms). */
interface Key {
  kid: string;
  privateKeyJwk: string;
  publicKeyJwk: Record<string, unknown>;
  retiresAt?: string;
}

beforeEach(async () => {
  await sim().control.setClockOffset(0);
  await run();
});
afterEach(async () => {
  await clearTokenCache();
});
afterAll(async () => {
  await resetRuntime();
});

/** A new provider process, as each `pulumi preview` and `up` starts. */
async function run(): Promise<void> {
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
}

const { check, failuresOf } = lifecycle(provider);

async function newClient(): Promise<string> {
  const client = await portal().createClient({
    client_name: `rot-${randomUUID().slice(0, 8)}`,
    integration_type: "maskinporten",
    scopes: [OPEN_CATALOGUE_SCOPE],
  });
  return client.client_id;
}

async function kidsOf(clientId: string): Promise<string[]> {
  const response = await portal().request<{ keys: Jwk[] }>("GET", `/clients/${clientId}/jwks`);
  return response.status === 404 ? [] : response.body.keys.map((k) => k.kid!).sort();
}

async function tokenWith(clientId: string, key: Key) {
  await clearTokenCache();
  return getToken({ issuer: sim().issuer, clientId, key: key.privateKeyJwk, scopes: OPEN_CATALOGUE_SCOPE });
}

/** A stack of one RotatingClientKey, advanced by `up`s and `preview`s at the simulator's time. */
async function stackOf(policy: Props) {
  const clientId = await newClient();
  const news = { clientId, generate: { modulusLength: 2048 }, ...policy };
  const created = await provider.create(await check(news));
  let state = created.outs as Props;
  const id = created.id;
  return {
    clientId,
    news,
    id,
    state: () => state,
    current: () => state["current"] as Key,
    previous: () => state["previous"] as Key | undefined,
    async preview(program: Props = news) {
      await run();
      return provider.diff(id, state, await check(program, state));
    },
    /** `pulumi up`: an update when the diff says so. */
    async up(program: Props = news) {
      await run();
      const inputs = await check(program, state);
      const diff = await provider.diff(id, state, inputs);
      if (diff.replaces?.length) throw new Error(`unexpected replacement: ${diff.replaces.join(", ")}`);
      if (diff.changes) state = (await provider.update(id, state, inputs)).outs as Props;
      return diff.changes;
    },
  };
}

async function at(days: number): Promise<void> {
  await sim().control.setClockOffset(days * DAY);
}

describe("check", () => {
  it("fills in the defaults: RS256, 3072 bits, a 7-day grace period", async () => {
    expect(await check({ clientId: "c", rotateAfterDays: 90 })).toEqual({
      clientId: "c",
      generate: { algorithm: "RS256", modulusLength: 3072 },
      rotateAfterDays: 90,
      gracePeriodDays: 7,
      __provider: PROVIDER,
    });
  });

  it.each([
    ["rotateAfterDays", {}, /must be a number of days/],
    ["gracePeriodDays", { rotateAfterDays: 30, gracePeriodDays: 30 }, /must be shorter than rotateAfterDays \(30\)/],
    ["gracePeriodDays", { rotateAfterDays: 360, gracePeriodDays: 10 }, /with rotateAfterDays 360 must be at most 5/],
    ["generate.modulusLength", { rotateAfterDays: 30, generate: { modulusLength: 1024 } }, /must be one of 2048, 3072, 4096/],
    ["(resource)", { rotateAfterDays: 30, rotateBeforeExpiryDays: 3 }, /rotateBeforeExpiryDays: not an input of RotatingClientKey/],
  ])("names %s", async (property, change, reason) => {
    expect(await failuresOf({ clientId: "c", ...change })).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });
});

describe("a key through its rotations", () => {
  it("create registers one key, stored as its JWKs; they and the forms the SDK derives get tokens; the state is encodable", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7 });
    expect(stack.id).toMatch(new RegExp(`^${stack.clientId}/rotating/`));
    expect(await kidsOf(stack.clientId)).toEqual([stack.current().kid]);
    expect(stack.state()).toMatchObject({ kid: stack.current().kid, expiresAt: expect.any(String) });
    expect(stack.previous()).toBeUndefined();
    expect(Object.keys(stack.current()).sort()).toEqual(["createdAt", "expiresAt", "kid", "privateKeyJwk", "publicKeyJwk", "thumbprint"]);
    const { privateKeyBase64, privateKeyPem } = derivedKeyForms(stack.current().privateKeyJwk, stack.current().publicKeyJwk);
    expect(privateKeyPem.startsWith(`${pemBegin("PRIVATE KEY")}\n`)).toBe(true);
    for (const key of [stack.current().privateKeyJwk, privateKeyBase64]) {
      await clearTokenCache();
      await expect(getToken({ issuer: sim().issuer, clientId: stack.clientId, key, scopes: OPEN_CATALOGUE_SCOPE })).resolves.toMatchObject({
        kid: stack.current().kid,
      });
    }
    expect(encodable(stack.state())).toBe(true);
    expect(await stack.preview()).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("rotates in place when due, keeps the previous key through the grace period, then removes it", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7, kidConvention: { name: "rot", environment: "TEST" } });
    const first = stack.current();

    await at(29);
    expect(await stack.up()).toBe(false);

    await at(30.5);
    expect(await stack.preview()).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await stack.up()).toBe(true);
    const second = stack.current();
    expect(second.kid).toBe(`rot-TEST.${new Date(Date.now() + 30.5 * DAY * 1000).toISOString().slice(0, 10)}`);
    expect(stack.previous()).toMatchObject({ kid: first.kid, privateKeyJwk: first.privateKeyJwk });
    expect(Date.parse(stack.previous()!.retiresAt!)).toBeCloseTo(Date.now() + 37.5 * DAY * 1000, -5);
    expect(stack.state()).toMatchObject({ kid: second.kid, previousKid: first.kid, previousRetiresAt: stack.previous()!.retiresAt });
    expect(await kidsOf(stack.clientId)).toEqual([first.kid, second.kid].sort());
    await expect(tokenWith(stack.clientId, first)).resolves.toMatchObject({ kid: first.kid });
    await expect(tokenWith(stack.clientId, second)).resolves.toMatchObject({ kid: second.kid });

    await at(37);
    expect(await stack.up()).toBe(false);
    expect(await kidsOf(stack.clientId)).toEqual([first.kid, second.kid].sort());

    await at(38);
    expect(await stack.up()).toBe(true);
    expect(await kidsOf(stack.clientId)).toEqual([second.kid]);
    expect(stack.previous()).toBeUndefined();
    expect(stack.state()["previousKid"]).toBeUndefined();
    expect(stack.current()).toEqual(second);
    await expect(tokenWith(stack.clientId, first)).rejects.toMatchObject({ oauthError: "invalid_grant" });
    await expect(tokenWith(stack.clientId, second)).resolves.toMatchObject({ kid: second.kid });
  });

  it("after months without a run, the key in use stays for a full grace period after the rotation", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7 });
    const inUse = stack.current();
    await at(100);
    expect(await stack.up()).toBe(true);
    expect(stack.previous()).toMatchObject({ kid: inUse.kid });
    expect(await kidsOf(stack.clientId)).toEqual([inUse.kid, stack.current().kid].sort());
    await at(106);
    expect(await stack.up()).toBe(false);
    await expect(tokenWith(stack.clientId, inUse)).resolves.toMatchObject({ kid: inUse.kid });
  });

  it("with no grace period, the old key goes in the same up, after its successor is registered", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 0 });
    const first = stack.current();
    await at(31);
    await sim().control.resetRequests();
    expect(await stack.up()).toBe(true);
    expect(await kidsOf(stack.clientId)).toEqual([stack.current().kid]);
    expect(stack.previous()).toBeUndefined();
    // Two key writes that took effect (the successor's, then the removal), whichever operations the server has.
    const writes = (await sim().control.requestLog({ kind: "api" }))
      .filter((e) => e.method !== "GET" && e.status < 300)
      .map((e) => `${e.method} ${e.route}`);
    const route = keyWriteRoutes(sim()).lastKeyRemoval.replace(/^DELETE /, "");
    expect(writes).toEqual([
      `${sim().switches.singleKeyEndpoints === "available" ? "PUT" : "POST"} ${route}`,
      `${sim().switches.singleKeyEndpoints === "available" ? "DELETE" : "POST"} ${route}`,
    ]);
    expect(first.kid).not.toBe(stack.current().kid);
  });

  it("new generate settings rotate at the next up (with the grace period), no replacement", async () => {
    const stack = await stackOf({ rotateAfterDays: 90, gracePeriodDays: 7 });
    const first = stack.current();
    const program = { ...stack.news, generate: { modulusLength: 3072 } };
    expect(await stack.preview(program)).toMatchObject({ changes: true, replaces: [] });
    await stack.up(program);
    expect(stack.previous()).toMatchObject({ kid: first.kid });
    const n = (JSON.parse(stack.current().privateKeyJwk) as { n: string }).n;
    expect(Buffer.from(n, "base64url").length * 8).toBe(3072);
  });

  it("a successor that gets no token changes nothing: the up fails, the current key stays, the state is as it was", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7 });
    await at(31);
    await stack.up();
    const before = { current: stack.current().kid, previous: stack.previous()!.kid };
    await at(62);
    await sim().control.setPropagationDelay(3_600_000);
    try {
      const program = { ...stack.news, verify: { scope: OPEN_CATALOGUE_SCOPE, timeoutSeconds: 2 } };
      await expect(stack.up(program)).rejects.toMatchObject({
        code: "KEY_NOT_VERIFIED",
        message: expect.stringContaining("It was removed again; the current key (and the previous one, if any) are kept: nothing changed."),
      });
    } finally {
      await sim().control.setPropagationDelay(0);
    }
    expect({ current: stack.current().kid, previous: stack.previous()!.kid }).toEqual(before);
    // The previous key's grace had ended: it went before the successor was made; the current key stays.
    expect(await kidsOf(stack.clientId)).toEqual([before.current]);
    await expect(tokenWith(stack.clientId, stack.current())).resolves.toMatchObject({ kid: before.current });
  });

  it("a new client replaces the resource; values unknown during preview decide nothing", async () => {
    const stack = await stackOf({ rotateAfterDays: 30 });
    expect(await stack.preview({ ...stack.news, clientId: "other" })).toMatchObject({ changes: true, replaces: ["clientId"] });
    await at(40);
    expect(await stack.preview({ ...stack.news, gracePeriodDays: UNKNOWN })).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("refresh and delete", () => {
  it("refresh reads the expiries, forgets a previous key removed in the portal, and is gone without its current key", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7 });
    await at(31);
    await stack.up();
    await run();
    const read = await provider.read(stack.id, { ...stack.state(), __provider: PROVIDER });
    expect(read.props).toEqual(stack.state());
    expect(read.inputs).toEqual({
      clientId: stack.clientId,
      generate: { algorithm: "RS256", modulusLength: 2048 },
      rotateAfterDays: 30,
      gracePeriodDays: 7,
    });

    await portal().deleteKey(stack.clientId, stack.previous()!.kid);
    await run();
    const withoutPrevious = await provider.read(stack.id, { ...stack.state(), __provider: PROVIDER });
    expect((withoutPrevious.props as Props)["previous"]).toBeUndefined();
    expect((withoutPrevious.props as Props)["current"]).toEqual(stack.current());

    await portal().deleteKey(stack.clientId, stack.current().kid);
    await run();
    expect(await provider.read(stack.id, { ...stack.state(), __provider: PROVIDER })).toEqual({ id: "", props: {} });
  });

  it("a client deactivated in the portal: refresh keeps the current and the previous key, and the next up changes nothing", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7 });
    await at(31);
    await stack.up();
    await portal().deleteClient(stack.clientId);
    await run();
    const read = await provider.read(stack.id, { ...stack.state(), __provider: PROVIDER });
    expect(read.props).toEqual(stack.state());
    expect(await stack.up()).toBe(false);
    expect(await kidsOf(stack.clientId)).toEqual([stack.current().kid, stack.previous()!.kid].sort());
  });

  it("delete removes the current and the previous key, and nothing else", async () => {
    const stack = await stackOf({ rotateAfterDays: 30, gracePeriodDays: 7 });
    await at(31);
    await stack.up();
    await portal().putKey(stack.clientId, rsaKeyPair("other").publicJwk);
    await run();
    await provider.delete(stack.id, stack.state());
    expect(await kidsOf(stack.clientId)).toEqual(["other"]);
  });
});
