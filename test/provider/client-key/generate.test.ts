/**
 * ClientKey with `generate`: the provider makes the key pair in `create`, registers the public half and returns
 * the private half as a JWK; it and every form the SDK derives from it gets a token from the simulator through
 * the API client and through `getToken`. Nothing secret in `check`'s result, and the forms carried through
 * update and refresh.
 */
import { pemBegin } from "../../helpers/pem";
import { connect } from "../../../provider/api/connection";
import { resetRuntime } from "../../../provider/runtime";
import { derivedKeyForms } from "../../../provider/key-lifecycle/key-forms";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { rsaThumbprint } from "../../../provider/key-lifecycle/thumbprint";
import { UNKNOWN } from "../../../provider/resources/shared/unknown";
import { clearTokenCache } from "../../../sdk/tokens";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../../simulator";
import { simulatorEndpoints } from "../../helpers/api";
import { keyWriteRoutes } from "../../helpers/key-writes";
import { clientKeyDriver, DAY_MS, PROVIDER, type Props } from "../../helpers/client-key";
import { encodable } from "../../helpers/engine-values";
import { configureProvider, simulatorConfig } from "../../helpers/provider";
import { secretSlices } from "../../helpers/rejections";
import { useSimulator } from "../../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const { check, checkWith, failuresOf, up, preview, newClient, keysOf, kidsOf, tokenWith, portal } = clientKeyDriver(sim, owner);

/** The private key's stored form; the SDK derives the others (`derivedKeyForms`). */
const PRIVATE_FORMS = ["privateKeyJwk"] as const;

/** The forms the SDK derives from the stored JWKs. */
function derived(outs: Props) {
  return derivedKeyForms(outs["privateKeyJwk"] as string, outs["publicKeyJwk"] as Record<string, unknown>);
}

beforeEach(async () => {
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
});
afterEach(async () => {
  await sim().control.setClockOffset(0);
  await clearTokenCache();
});
afterAll(async () => {
  await resetRuntime();
});

/** Every 16-character slice of the private key material in these outputs (the JWK's public members aside). */
function privateSlices(outs: Props): string[] {
  const jwk = JSON.parse(outs["privateKeyJwk"] as string) as Record<string, string>;
  const members = ["d", "p", "q", "dp", "dq", "qi"].map((name) => jwk[name]!);
  return [...members, derived(outs).privateKeyBase64, derived(outs).privateKeyPem].flatMap(secretSlices);
}

describe("check", () => {
  it("fills in the generation defaults and makes nothing: no kid, no thumbprint, no key", async () => {
    expect(await check({ clientId: "c-1", generate: {} })).toEqual({
      clientId: "c-1",
      generate: { algorithm: "RS256", modulusLength: 3072 },
      __provider: PROVIDER,
    });
    expect(
      await check({
        clientId: "c-1",
        generate: { algorithm: "RS512", modulusLength: 4096 },
        kidConvention: { name: "myapp", environment: "test" },
      }),
    ).toEqual({
      clientId: "c-1",
      generate: { algorithm: "RS512", modulusLength: 4096 },
      kidConvention: { name: "myapp", environment: "TEST" },
      __provider: PROVIDER,
    });
  });

  it.each([
    ["publicKey", {}, /is required unless generate is given/],
    ["generate", { publicKey: "PEM", generate: {} }, /cannot be used with publicKey/],
    ["generate.algorithm", { generate: { algorithm: "ES256" } }, /must be one of RS256, RS384, RS512/],
    ["generate.modulusLength", { generate: { modulusLength: 1024 } }, /must be one of 2048, 3072, 4096/],
    ["generate", { generate: { bits: 2048 } }, /bits: not a setting of generate/],
    ["kidConvention.environment", { generate: {}, kidConvention: { name: "myapp", environment: "te st" } }, /letters and digits/],
    ["kidConvention.name", { generate: {}, kidConvention: { name: "", environment: "TEST" } }, /short name/],
    ["kidConvention", { generate: {}, kid: "k", kidConvention: { name: "myapp", environment: "TEST" } }, /cannot be used with kid/],
    [
      "kidConvention",
      { publicKey: "PEM", kidConvention: { name: "myapp", environment: "TEST" } },
      /with publicKey, the program supplies the key/,
    ],
  ])("names %s", async (property, change, reason) => {
    expect(await failuresOf({ clientId: "c-1", ...change })).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  it("lets an unknown client id through during preview", async () => {
    expect(await check({ clientId: UNKNOWN, generate: {} })).toMatchObject({ clientId: UNKNOWN, generate: { algorithm: "RS256" } });
  });

  it("refuses new generate settings under a fixed kid: the new key would collide with the one it replaces", async () => {
    const old = await check({ clientId: "c-1", generate: {}, kid: "fixed" });
    expect(await failuresOf({ clientId: "c-1", generate: { modulusLength: 4096 }, kid: "fixed" }, old)).toEqual([
      { property: "kid", reason: expect.stringContaining("a new key needs a new kid") },
    ]);
    expect(await failuresOf({ clientId: "c-1", generate: {}, kid: "fixed" }, old)).toEqual([]);
  });
});

describe("create", () => {
  it("a key set written but never confirmed (every answer lost) leaves no key registered: its private half would be lost", async () => {
    const client = await newClient();
    await sim().control.addFault({ ...keyWriteRoutes(sim()).addFault, kind: "drop-after-commit", count: 5 });
    try {
      const err = await up({ clientId: client.client_id, generate: {} }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/registering the generated key on client .* failed: .*The new key is not left registered/);
      expect(await kidsOf(client.client_id)).toEqual([]);
    } finally {
      await sim().control.clearFaults();
    }
  });

  it.each([
    ["RS256", 2048],
    ["RS384", 3072],
    ["RS512", 4096],
  ] as const)(
    "%s/%i: registers the public half; every private form gets a token, through the API client and getToken",
    async (algorithm, modulusLength) => {
      const client = await newClient();
      const { id, outs } = await up({ clientId: client.client_id, generate: { algorithm, modulusLength } });
      const kid = outs["kid"] as string;
      expect(id).toBe(`${client.client_id}/${kid}`);
      const [registered] = await keysOf(client.client_id);
      expect(registered).toEqual({
        kty: "RSA",
        kid,
        use: "sig",
        alg: algorithm,
        n: expect.any(String),
        e: "AQAB",
        exp: expect.any(Number),
      });
      expect(Buffer.from(registered!.n!, "base64url").length * 8).toBe(modulusLength);
      expect(kid).toBe(rsaThumbprint(registered!));
      expect(outs["publicKeyJwk"]).toEqual({ kty: "RSA", kid, use: "sig", alg: algorithm, n: registered!.n, e: "AQAB" });
      expect(JSON.parse(outs["privateKeyJwk"] as string)).toMatchObject({ kid, alg: algorithm, n: registered!.n, d: expect.any(String) });
      const { privateKeyBase64, privateKeyPem } = derived(outs);
      expect(Buffer.from(privateKeyBase64, "base64").toString("utf8")).toBe(outs["privateKeyJwk"]);
      expect(privateKeyPem).toMatch(new RegExp(`^${pemBegin("PRIVATE KEY")}\\n`));

      const forms: [string, string | undefined][] = [
        [outs["privateKeyJwk"] as string, undefined],
        [privateKeyBase64, undefined],
        [privateKeyPem, kid],
      ];
      for (const [privateKey, pemKid] of forms) {
        const connection = connect({
          endpoints: simulatorEndpoints(sim()),
          credential: { clientId: client.client_id, privateKey, ...(pemKid !== undefined && { kid: pemKid }) },
          adminScopes: [OPEN_CATALOGUE_SCOPE],
        });
        try {
          await expect(connection.tokens.token()).resolves.toMatchObject({ scope: OPEN_CATALOGUE_SCOPE });
        } finally {
          await connection.close();
        }
        await expect(tokenWith(client.client_id, privateKey, pemKid)).resolves.toMatchObject({ kid, scope: OPEN_CATALOGUE_SCOPE });
      }
    },
  );

  it("returns every output the state needs, encodable by the engine; createdAt is Maskinporten's time", async () => {
    const client = await newClient();
    await sim().control.setClockOffset(3 * 24 * 3600);
    const { outs } = await up({ clientId: client.client_id, generate: { modulusLength: 2048 }, profile: "owner" });
    expect(Object.keys(outs).sort()).toEqual(
      ["clientId", "generate", "kid", "thumbprint", "expiresAt", "createdAt", "profile", "publicKeyJwk", ...PRIVATE_FORMS].sort(),
    );
    expect(Math.abs(Date.parse(outs["createdAt"] as string) - (Date.now() + 3 * DAY_MS))).toBeLessThan(60_000);
    expect(encodable(outs)).toBe(true);
  });

  it("names the kid by the altinn-jwks convention, dated by Maskinporten's clock", async () => {
    const client = await newClient();
    await sim().control.setClockOffset(10 * 24 * 3600);
    const { id, outs } = await up({
      clientId: client.client_id,
      generate: { modulusLength: 2048 },
      kidConvention: { name: "testklient", environment: "test" },
    });
    const date = new Date(Date.now() + 10 * DAY_MS).toISOString().slice(0, 10);
    expect(outs["kid"]).toBe(`testklient-TEST.${date}`);
    expect(id).toBe(`${client.client_id}/testklient-TEST.${date}`);
    expect(JSON.parse(outs["privateKeyJwk"] as string).kid).toBe(`testklient-TEST.${date}`);
  });

  it("takes a fixed kid, and the expiry the program sets", async () => {
    const client = await newClient();
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 90 * DAY_MS).toISOString();
    const { outs } = await up({ clientId: client.client_id, generate: { modulusLength: 2048 }, kid: "fixed", expiresAt });
    expect(outs).toMatchObject({ kid: "fixed", expiresAt });
    expect((await keysOf(client.client_id))[0]).toMatchObject({ kid: "fixed", exp: Date.parse(expiresAt) / 1000 });
  });

  it("a successor made the same day under the convention gets the next free kid, next to its predecessor", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: { modulusLength: 2048 }, kidConvention: { name: "same", environment: "TEST" } };
    const first = await up(news);
    const replaced = { ...news, generate: { modulusLength: 3072 } };
    expect(await preview(first.id, first.outs, replaced, first.inputs)).toMatchObject({ changes: true, replaces: ["generate"] });
    const second = await up(replaced);
    expect(second.outs["kid"]).toBe(`${first.outs["kid"]}-2`);
    expect(JSON.parse(second.outs["privateKeyJwk"] as string).kid).toBe(second.outs["kid"]);
    expect(await kidsOf(client.client_id)).toEqual([first.outs["kid"], second.outs["kid"]].sort());
    await expect(tokenWith(client.client_id, second.outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: second.outs["kid"] });
  });

  it("holds no private material in check's result or in a failure", async () => {
    const client = await newClient();
    const { outs } = await up({ clientId: client.client_id, generate: { modulusLength: 2048 } });
    const checked = await checkWith({ clientId: client.client_id, generate: { modulusLength: 2048 } }, outs);
    const printed = JSON.stringify(checked);
    for (const slice of privateSlices(outs)) expect(printed).not.toContain(slice);
    await Promise.all(["k2", "k3", "k4", "k5"].map((kid) => up({ clientId: client.client_id, generate: { modulusLength: 2048 }, kid })));
    const err = (await clientKeyProvider
      .create(await check({ clientId: client.client_id, generate: { modulusLength: 2048 } }))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/at most 5/);
    for (const slice of privateSlices(outs)) expect(err.message).not.toContain(slice);
  });
});

describe("diff, update, read", () => {
  async function generated(extra: Props = {}) {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: { modulusLength: 2048 }, ...extra };
    return { client, news, ...(await up(news)) };
  }

  it("shows no change right after create, also with the defaults spelt out or left out", async () => {
    const { id, outs, inputs, news } = await generated({ generate: {} });
    expect(await preview(id, outs, news, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await preview(id, outs, { ...news, generate: { algorithm: "RS256", modulusLength: 3072 } }, inputs)).toMatchObject({
      changes: false,
    });
  });

  it("replaces for new generate settings, a new convention, another client, or a fixed kid that differs", async () => {
    const { id, outs, news } = await generated();
    expect(await preview(id, outs, { ...news, generate: { modulusLength: 4096 } })).toMatchObject({
      changes: true,
      replaces: ["generate"],
    });
    expect(await preview(id, outs, { ...news, generate: { algorithm: "RS384", modulusLength: 2048 } })).toMatchObject({
      replaces: ["generate"],
    });
    expect(await preview(id, outs, { ...news, kidConvention: { name: "x", environment: "TEST" } })).toMatchObject({
      replaces: ["kidConvention"],
    });
    expect(await preview(id, outs, { ...news, clientId: "another" })).toMatchObject({ replaces: ["clientId"] });
    expect(await preview(id, outs, { ...news, kid: "other" })).toMatchObject({ replaces: ["kid"] });
    expect(await preview(id, outs, { ...news, kid: outs["kid"] })).toMatchObject({ changes: false });
  });

  it("switching between a given and a generated key replaces", async () => {
    const { id, outs, news } = await generated();
    const { generate: _g, ...given } = { ...news, publicKey: derived(outs).publicKeyPem };
    expect(await preview(id, outs, given)).toMatchObject({ changes: true, replaces: ["generate"] });
  });

  it("updates in place for rotation, verification, expiry and profile settings, carrying the private forms", async () => {
    const { client, id, outs, news } = await generated();
    for (const change of [
      { rotateAfterDays: 90 },
      { verify: { scope: OPEN_CATALOGUE_SCOPE } },
      { profile: "owner" },
      { expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString() },
    ]) {
      const changed = { ...news, ...change };
      const inputs = await check(changed, outs);
      expect(await clientKeyProvider.diff(id, outs, inputs)).toMatchObject({ changes: true, replaces: [] });
      const { outs: updated } = await clientKeyProvider.update(id, outs, inputs);
      for (const name of [...PRIVATE_FORMS, "kid", "createdAt", "publicKeyJwk"]) expect((updated as Props)[name]).toEqual(outs[name]);
      expect(await preview(id, updated as Props, changed)).toMatchObject({ changes: false });
    }
    const [registered] = await keysOf(client.client_id);
    expect(new Date(registered!.exp! * 1000).toISOString().slice(0, 10)).toBe(
      new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10),
    );
    expect(await kidsOf(client.client_id)).toEqual([outs["kid"]]);
  });

  it("update registers the key again when it was removed in the portal", async () => {
    const { client, id, outs, news } = await generated();
    await portal().deleteKey(client.client_id, outs["kid"] as string);
    const inputs = await check({ ...news, rotateBeforeExpiryDays: 30 }, outs);
    await clientKeyProvider.update(id, outs, inputs);
    await expect(tokenWith(client.client_id, outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: outs["kid"] });
  });

  it("refresh reads the expiry and keeps the private forms and createdAt; its inputs hold no kid, thumbprint, key or unmanaged expiry", async () => {
    const { client, id, outs, news } = await generated({ kidConvention: { name: "r", environment: "TEST" } });
    const [registered] = await keysOf(client.client_id);
    const portalExp = registered!.exp! - 100 * 24 * 3600;
    await portal().putKey(client.client_id, { ...registered!, kid: outs["kid"] as string, exp: portalExp });
    await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
    const read = await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.props).toEqual({ ...outs, expiresAt: new Date(portalExp * 1000).toISOString() });
    expect(read.inputs).toEqual({
      clientId: client.client_id,
      generate: { algorithm: "RS256", modulusLength: 2048 },
      kidConvention: { name: "r", environment: "TEST" },
    });
    expect(await preview(id, read.props as Props, news, read.inputs)).toMatchObject({ changes: false });
  });

  it("a client deactivated in the portal: refresh keeps the key and its private forms, so reactivating the client needs no new key pair", async () => {
    const { client, id, outs, news, inputs } = await generated();
    await portal().deleteClient(client.client_id);
    await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
    const read = await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toMatchObject({ id, props: outs });
    expect(await preview(id, read.props as Props, news, inputs)).toMatchObject({ changes: false });
    await portal().updateClient(client.client_id, { active: true });
    await expect(tokenWith(client.client_id, outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: outs["kid"] });
  });

  it("a fixed kid survives refresh among the inputs", async () => {
    const { id, outs } = await generated({ kid: "fixed-kid" });
    const read = await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.inputs).toMatchObject({ kid: "fixed-kid" });
  });

  it("delete removes the generated key", async () => {
    const { client, id, outs } = await generated();
    await clientKeyProvider.delete(id, outs);
    expect(await keysOf(client.client_id)).toEqual([]);
  });
});
