/**
 * Generated keys whose run was killed between their registration and the engine saving the state: the kid
 * carries the resource's marker, so the resource's next create (or rotation) removes what it left and nothing
 * else. A "killed run" is a create or update whose result is thrown away, followed by a new provider process.
 */
import { randomBytes } from "node:crypto";
import { resetRuntime } from "../../../provider/runtime";
import { carriesMarker, markedKid } from "../../../provider/key-lifecycle/kid-marker";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { rsaThumbprint } from "../../../provider/key-lifecycle/thumbprint";
import { rotatingClientKeyProvider } from "../../../provider/resources/rotating-client-key/provider";
import { clearTokenCache } from "../../../sdk/tokens";
import type { SimulatorOrg } from "../../../simulator";
import { clientKeyDriver, PROVIDER, type Props } from "../../helpers/client-key";
import { configureProvider, simulatorConfig } from "../../helpers/provider";
import { rsaKeyPair, useSimulator } from "../../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const { up, preview, newClient, keysOf, kidsOf, tokenWith, portal } = clientKeyDriver(sim, owner);

/** A new provider process, as each `pulumi` run starts. */
async function newRun(): Promise<void> {
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
}

beforeEach(newRun);
afterEach(async () => {
  await sim().control.setClockOffset(0);
  await clearTokenCache();
});
afterAll(async () => {
  await resetRuntime();
});

const newMarker = () => randomBytes(8).toString("hex");
const GENERATE = { modulusLength: 2048 };

describe("marked kids", () => {
  it("a generated kid is the thumbprint or the convention's, with the resource's marker; a fixed kid stays as given", async () => {
    const client = await newClient();
    const marker = newMarker();
    const plain = await up({ clientId: client.client_id, generate: GENERATE, __ownerMarker: marker });
    const thumbprint = rsaThumbprint(plain.outs["publicKeyJwk"] as Record<string, string>);
    expect(plain.outs["kid"]).toBe(`${thumbprint}.pm-${marker.slice(0, 12)}`);
    expect(JSON.parse(plain.outs["privateKeyJwk"] as string).kid).toBe(plain.outs["kid"]);

    const named = await up({
      clientId: client.client_id,
      generate: GENERATE,
      kidConvention: { name: "app", environment: "test" },
      __ownerMarker: newMarker(),
    });
    expect(named.outs["kid"]).toMatch(/^app-TEST\.\d{4}-\d{2}-\d{2}\.pm-[0-9a-f]{12}$/);

    const fixed = await up({ clientId: client.client_id, generate: GENERATE, kid: "fixed-1", __ownerMarker: newMarker() });
    expect(fixed.outs["kid"]).toBe("fixed-1");
    await expect(tokenWith(client.client_id, plain.outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: plain.outs["kid"] });
  });

  it("recognises only its own marker, also with a free-kid suffix", () => {
    const marker = newMarker();
    expect(carriesMarker(markedKid("abc", marker), marker)).toBe(true);
    expect(carriesMarker(`${markedKid("abc", marker)}-2`, marker)).toBe(true);
    expect(carriesMarker(markedKid("abc", newMarker()), marker)).toBe(false);
    expect(carriesMarker("abc", marker)).toBe(false);
    expect(carriesMarker(markedKid("abc", marker), undefined)).toBe(false);
  });

  it("refresh reports no kid among a marked key's inputs: the marker is not a kid the program fixed", async () => {
    const client = await newClient();
    const { id, outs } = await up({ clientId: client.client_id, generate: GENERATE, __ownerMarker: newMarker() });
    const read = await clientKeyProvider.read!(id, outs);
    expect(read.inputs).not.toHaveProperty("kid");
    expect(read.inputs).toHaveProperty("__ownerMarker", outs["__ownerMarker"]);
  });
});

describe("a ClientKey create killed after registering", () => {
  it("the next create removes the key the killed run left, registers one new key, and it gets a token", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: GENERATE, __ownerMarker: newMarker() };
    const lost = await up(news);
    await newRun();
    const kept = await up(news);
    expect(await kidsOf(client.client_id)).toEqual([kept.outs["kid"]]);
    expect(kept.outs["kid"]).not.toBe(lost.outs["kid"]);
    await expect(tokenWith(client.client_id, kept.outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: kept.outs["kid"] });
  });

  it("leaves every other key alone: other resources' generated keys, unmarked keys, keys added in the portal", async () => {
    const client = await newClient();
    const other = await up({ clientId: client.client_id, generate: GENERATE, __ownerMarker: newMarker() });
    const unmarked = await up({ clientId: client.client_id, generate: GENERATE });
    const portalKey = { ...(await rsaKeyPair()).publicJwk, kid: `portal.pm-${newMarker().slice(0, 12)}` };
    expect(
      (await portal().request("POST", `/clients/${client.client_id}/jwks`, { keys: [...(await keysOf(client.client_id)), portalKey] }))
        .status,
    ).toBeLessThan(300);
    const news = { clientId: client.client_id, generate: GENERATE, __ownerMarker: newMarker() };
    await up(news);
    await newRun();
    const mine = await up(news);
    expect(await kidsOf(client.client_id)).toEqual([other.outs["kid"], unmarked.outs["kid"], portalKey.kid, mine.outs["kid"]].sort());
  });

  it("a replacement keeps the key it replaces (the engine diffed it in this run) and removes what a killed replacement left", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: GENERATE, __ownerMarker: newMarker() };
    const first = await up(news);
    const replaced = { ...news, generate: { modulusLength: 3072 } };
    // Run 2: the replacement is registered, and the run is killed before the state holds it.
    await newRun();
    expect(await preview(first.id, first.outs, replaced, first.inputs)).toMatchObject({ replaces: ["generate"] });
    const lost = await up(replaced);
    // Run 3: the engine diffs the state's key again, then creates the replacement.
    await newRun();
    expect(await preview(first.id, first.outs, replaced, first.inputs)).toMatchObject({ replaces: ["generate"] });
    const second = await up(replaced);
    expect(await kidsOf(client.client_id)).toEqual([first.outs["kid"], second.outs["kid"]].sort());
    expect(await kidsOf(client.client_id)).not.toContain(lost.outs["kid"]);
    await expect(tokenWith(client.client_id, first.outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: first.outs["kid"] });
  });

  it("a rotation keeps the key it succeeds, which the engine diffed as due", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: GENERATE, rotateAfterDays: 30, __ownerMarker: newMarker() };
    const first = await up(news);
    await sim().control.setClockOffset(31 * 24 * 3600);
    await newRun();
    expect(await preview(first.id, first.outs, news, first.inputs)).toMatchObject({ changes: true, replaces: ["rotateAfterDays"] });
    const second = await up(news);
    expect(await kidsOf(client.client_id)).toEqual([first.outs["kid"], second.outs["kid"]].sort());
  });
});

describe("a RotatingClientKey run killed after registering", () => {
  const provider = rotatingClientKeyProvider;
  const checked = async (news: Props, olds: Props = {}) => {
    const result = await provider.check(olds, { ...news, __provider: PROVIDER });
    expect(result.failures ?? []).toEqual([]);
    return result.inputs!;
  };

  it("a killed create: the next create removes its key", async () => {
    const client = await newClient();
    const news = await checked({
      clientId: client.client_id,
      generate: GENERATE,
      rotateAfterDays: 30,
      gracePeriodDays: 5,
      __ownerMarker: newMarker(),
    });
    await provider.create(news);
    await newRun();
    const { outs } = await provider.create(news);
    expect(await kidsOf(client.client_id)).toEqual([outs["kid"]]);
  });

  it("a killed rotation: the next rotation removes the successor it left and keeps the current key for its grace period", async () => {
    const client = await newClient();
    const news = await checked({
      clientId: client.client_id,
      generate: GENERATE,
      rotateAfterDays: 30,
      gracePeriodDays: 5,
      __ownerMarker: newMarker(),
    });
    const { id, outs } = await provider.create(news);
    await sim().control.setClockOffset(31 * 24 * 3600);
    await newRun();
    const lost = await provider.update!(id, outs, news);
    await newRun();
    const rotated = await provider.update!(id, outs, news);
    expect(rotated.outs!["previousKid"]).toBe(outs["kid"]);
    expect(await kidsOf(client.client_id)).toEqual([outs["kid"], rotated.outs!["kid"]].sort());
    expect(await kidsOf(client.client_id)).not.toContain(lost.outs!["kid"]);
  });
});
