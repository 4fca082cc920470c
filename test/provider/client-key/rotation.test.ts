/**
 * Declarative rotation of a generated ClientKey against the simulator: `diff` answers with a replacement once
 * the key is due by Maskinporten's clock (the simulator's, moved forward; this machine's stays put), the
 * successor is registered next to the old key, and a client without a free place keeps its key.
 */
import { resetRuntime } from "../../../provider/runtime";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { UNKNOWN } from "../../../provider/resources/shared/unknown";
import { clearTokenCache } from "../../../sdk/tokens";
import type { SimulatorOrg } from "../../../simulator";
import { clientKeyDriver, PROVIDER, type Props } from "../../helpers/client-key";
import { configureProvider, simulatorConfig } from "../../helpers/provider";
import { rsaKeyPair, useSimulator } from "../../simulator/helpers";

const DAY = 24 * 3600;
const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const { check, failuresOf, up, preview, newClient, keysOf, kidsOf, tokenWith, portal } = clientKeyDriver(sim, owner);

const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: false };

beforeEach(async () => {
  await sim().control.setClockOffset(0);
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
});
afterEach(async () => {
  await clearTokenCache();
});
afterAll(async () => {
  await resetRuntime();
});

/** A new provider process (each `pulumi preview` and `up` has its own), so no time learnt earlier lingers. */
async function newProcess(): Promise<void> {
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
}

async function rotating(policy: Props) {
  const client = await newClient();
  const news = { clientId: client.client_id, generate: { modulusLength: 2048 }, ...policy };
  return { client, news, ...(await up(news)) };
}

describe("check", () => {
  it.each([
    ["rotateAfterDays", { publicKey: "PEM", rotateAfterDays: 90 }, /with publicKey, the program supplies the key: give a new publicKey/],
    ["rotateBeforeExpiryDays", { publicKey: "PEM", rotateBeforeExpiryDays: 30 }, /with publicKey/],
    ["verify", { publicKey: "PEM", verify: { scope: "difitest:open" } }, /the provider has only for a key pair it generates/],
    ["kid", { generate: {}, kid: "fixed", rotateAfterDays: 90 }, /cannot be fixed on a key that rotates/],
    [
      "expiresAt",
      { generate: {}, expiresAt: new Date(Date.now() + 100 * DAY * 1000).toISOString(), rotateBeforeExpiryDays: 30 },
      /cannot be fixed on a key that rotates/,
    ],
    ["rotateAfterDays", { generate: {}, rotateAfterDays: 0 }, /at least 1/],
    ["rotateAfterDays", { generate: {}, rotateAfterDays: 365 }, /at most 364: Maskinporten keys live at most one year/],
    ["rotateBeforeExpiryDays", { generate: {}, rotateBeforeExpiryDays: 1.5 }, /whole number of days/],
    ["verify.timeoutSeconds", { generate: {}, verify: { scope: "difitest:open", timeoutSeconds: 3600 } }, /at most 900 seconds/],
    ["verify.scope", { generate: {}, verify: { scope: "a b" } }, /one scope on the client, without spaces/],
  ])("names %s", async (property, change, reason) => {
    expect(await failuresOf({ clientId: "c-1", ...change })).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });
});

describe("diff", () => {
  it("rotateAfterDays: no change until the key is that old by the simulator's clock, then a replacement", async () => {
    const { id, outs, news } = await rotating({ rotateAfterDays: 90 });
    expect(await preview(id, outs, news)).toEqual(NO_CHANGE);
    await sim().control.setClockOffset(89 * DAY);
    await newProcess();
    expect(await preview(id, outs, news)).toEqual(NO_CHANGE);
    await sim().control.setClockOffset(90 * DAY + 60);
    await newProcess();
    expect(await preview(id, outs, news)).toEqual({ changes: true, replaces: ["rotateAfterDays"], deleteBeforeReplace: false });
  });

  it("rotateBeforeExpiryDays: a replacement once the key expires within that many days", async () => {
    const { id, outs, news } = await rotating({ rotateBeforeExpiryDays: 30 });
    const expiresAt = Date.parse(outs["expiresAt"] as string);
    const offsetFor = (msBeforeExpiry: number) => Math.ceil((expiresAt - msBeforeExpiry - Date.now()) / 1000);
    await sim().control.setClockOffset(offsetFor(31 * DAY * 1000));
    await newProcess();
    expect(await preview(id, outs, news)).toEqual(NO_CHANGE);
    await sim().control.setClockOffset(offsetFor(29 * DAY * 1000));
    await newProcess();
    expect(await preview(id, outs, news)).toEqual({ changes: true, replaces: ["rotateBeforeExpiryDays"], deleteBeforeReplace: false });
  });

  it("a rotation setting added to a key already due replaces it; removed, it stops", async () => {
    const { id, outs, news } = await rotating({});
    await sim().control.setClockOffset(200 * DAY);
    await newProcess();
    expect(await preview(id, outs, { ...news, rotateAfterDays: 100 })).toMatchObject({ replaces: ["rotateAfterDays"] });
    expect(await preview(id, outs, news)).toEqual(NO_CHANGE);
  });

  it("decides nothing while a rotation setting is unknown (preview), nor rotateAfterDays for state without createdAt", async () => {
    const { id, outs, news } = await rotating({ rotateAfterDays: 10 });
    await sim().control.setClockOffset(20 * DAY);
    await newProcess();
    expect(await preview(id, outs, { ...news, rotateAfterDays: UNKNOWN })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const { createdAt: _c, ...olderState } = outs;
    expect(await preview(id, olderState, news)).toEqual(NO_CHANGE);
  });

  it("another change that replaces the key wins over the rotation rule", async () => {
    const { id, outs, news } = await rotating({ rotateAfterDays: 10 });
    await sim().control.setClockOffset(20 * DAY);
    await newProcess();
    expect(await preview(id, outs, { ...news, generate: { modulusLength: 3072 } })).toMatchObject({ replaces: ["generate"] });
  });
});

describe("a rotation, step by step as the engine runs it", () => {
  it("the successor is registered next to the old key, both get tokens, then the old key goes; the successor is not due", async () => {
    const { client, id, outs, news } = await rotating({ rotateAfterDays: 90, kidConvention: { name: "rot", environment: "TEST" } });
    await sim().control.setClockOffset(91 * DAY);
    await newProcess();
    expect(await preview(id, outs, news)).toMatchObject({ replaces: ["rotateAfterDays"] });

    const successor = await up(news);
    const date = new Date(Date.now() + 91 * DAY * 1000).toISOString().slice(0, 10);
    expect(successor.outs["kid"]).toBe(`rot-TEST.${date}`);
    expect(await kidsOf(client.client_id)).toEqual([outs["kid"], successor.outs["kid"]].sort());
    await expect(tokenWith(client.client_id, outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: outs["kid"] });
    await expect(tokenWith(client.client_id, successor.outs["privateKeyJwk"] as string)).resolves.toMatchObject({
      kid: successor.outs["kid"],
    });

    await clientKeyProvider.delete(id, { ...outs, __provider: PROVIDER });
    expect(await kidsOf(client.client_id)).toEqual([successor.outs["kid"]]);
    expect(await preview(successor.id, successor.outs, news)).toEqual(NO_CHANGE);
  });

  it("a client with five keys keeps its key: the successor has no place, and the message says why", async () => {
    const { client, inputs, outs, news } = await rotating({ rotateAfterDays: 30 });
    await portal().replaceKeys(client.client_id, [
      ...(await keysOf(client.client_id)).map(({ exp: _exp, ...k }) => ({ ...k, kid: k.kid! })),
      ...["a", "b", "c", "d"].map((kid) => rsaKeyPair(kid).publicJwk),
    ]);
    await sim().control.setClockOffset(31 * DAY);
    await newProcess();
    // The successor's create, as the engine runs a replacement: check with the replaced key's inputs, then create.
    const err = (await clientKeyProvider.create(await check(news, inputs)).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/would have 6 keys, but Maskinporten allows at most 5/);
    expect(err.message).toMatch(/rotating key's successor is registered before the key it replaces is removed.*the current key stays/);
    expect(await kidsOf(client.client_id)).toEqual([outs["kid"] as string, "a", "b", "c", "d"].sort());
  });
});
