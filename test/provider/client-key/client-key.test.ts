/**
 * The ClientKey provider's methods against the simulator, called as the engine calls them: inputs through
 * `check` (with a `__provider` string), outputs of one step as the `olds` of the next, and the simulator's
 * portal as the ground truth and the source of out-of-band changes.
 */
import { randomUUID } from "node:crypto";
import { ConfigError, TooManyKeysError } from "../../../provider/api/errors";
import type { ApiClient, Jwk } from "../../../provider/api/wire";
import { resetRuntime } from "../../../provider/runtime";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { rsaThumbprint } from "../../../provider/key-lifecycle/thumbprint";
import { UNKNOWN } from "../../../provider/resources/shared/unknown";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../../simulator";
import { keyWriteRoutes } from "../../helpers/key-writes";
import { issueCertificate, pemBody, rsaKey, type TestKey } from "../../helpers/certificates";
import { encodable } from "../../helpers/engine-values";
import { configureProvider, simulatorConfig, type ConfigValues, PROVIDER, type Props } from "../../helpers/provider";
import { secretSlices } from "../../helpers/rejections";
import { rsaKeyPair, useSimulator } from "../../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const portal = () => sim().control.portal(owner().orgno);

const DAY = 24 * 60 * 60;

let config: ConfigValues;

beforeEach(async () => {
  config = simulatorConfig(sim(), owner().orgno, { owner: owner().orgno });
  await configureProvider(config);
});
afterEach(async () => {
  await sim().control.clearFaults();
});
afterAll(async () => {
  await resetRuntime();
});

/** A new provider process, as `pulumi refresh` starts: nothing read before is remembered. */
async function newProcess(): Promise<void> {
  await configureProvider(config);
}

async function newClient(): Promise<ApiClient> {
  return portal().createClient({
    client_name: `keys-${randomUUID().slice(0, 8)}`,
    description: "Holds keys for the ClientKey tests",
    integration_type: "maskinporten",
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
    scopes: [OPEN_CATALOGUE_SCOPE],
  });
}

/** A public key in the forms users have it, all of one key pair. */
function keyForms(key: TestKey = rsaKey()) {
  const jwk = key.publicKey.export({ format: "jwk" }) as Record<string, string>;
  const publicJwk = { kty: "RSA", n: jwk["n"]!, e: jwk["e"]! };
  return {
    key,
    jwk: publicJwk,
    jwkJson: JSON.stringify(publicJwk),
    jwkBase64: Buffer.from(JSON.stringify({ ...publicJwk, use: "sig", alg: "RS256" })).toString("base64"),
    pem: key.publicKey.export({ type: "spki", format: "pem" }) as string,
    certificatePem: issueCertificate({ commonName: "myapp", key }).certificatePem,
    thumbprint: rsaThumbprint(publicJwk)!,
  };
}

function isoIn(seconds: number): string {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString();
}

async function checkWith(news: Props, olds: Props = {}) {
  return clientKeyProvider.check(olds, { ...news, __provider: PROVIDER });
}

async function check(news: Props, olds: Props = {}): Promise<Props> {
  const result = await checkWith(news, olds);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs!;
}

/** `pulumi up` of a new key: check, then create. */
async function up(news: Props): Promise<{ id: string; inputs: Props; outs: Props }> {
  const inputs = await check(news);
  const { id, outs } = await clientKeyProvider.create(inputs);
  return { id, inputs, outs: outs as Props };
}

/** `pulumi preview` of the program against the state: check, then diff. */
async function preview(id: string, state: Props, news: Props) {
  return clientKeyProvider.diff(id, state, await check(news, state));
}

async function failuresOf(news: Props, olds: Props = {}) {
  return (await checkWith(news, olds)).failures ?? [];
}

async function keysOf(clientId: string): Promise<Jwk[]> {
  const response = await portal().request<{ keys: Jwk[] }>("GET", `/clients/${clientId}/jwks`);
  return response.status === 404 ? [] : response.body.keys;
}

async function apiWrites(): Promise<number> {
  return (await sim().control.counters()).apiWrites;
}

describe("check", () => {
  it("keeps the key as given and settles the kid (the key's thumbprint) and the thumbprint", async () => {
    const forms = keyForms();
    expect(await check({ clientId: "c-1", publicKey: forms.pem })).toEqual({
      clientId: "c-1",
      publicKey: forms.pem,
      kid: forms.thumbprint,
      thumbprint: forms.thumbprint,
      __provider: PROVIDER,
    });
  });

  it("reads every public form of one key as the same key", async () => {
    const forms = keyForms();
    for (const publicKey of [forms.jwk, forms.jwkJson, forms.jwkBase64, forms.pem, forms.certificatePem]) {
      expect(await check({ clientId: "c-1", publicKey, kid: "k1" })).toMatchObject({ kid: "k1", thumbprint: forms.thumbprint });
    }
  });

  it("takes the kid of a JWK that has one, and an explicit kid over it", async () => {
    const { publicJwk } = rsaKeyPair("from-the-jwk");
    expect(await check({ clientId: "c-1", publicKey: publicJwk })).toMatchObject({ kid: "from-the-jwk" });
    expect(await check({ clientId: "c-1", publicKey: publicJwk, kid: "explicit" })).toMatchObject({ kid: "explicit" });
  });

  it("normalizes expiresAt to whole seconds in UTC", async () => {
    const at = new Date(Date.now() + 10 * DAY * 1000);
    at.setUTCMilliseconds(456);
    const inputs = await check({ clientId: "c-1", publicKey: keyForms().pem, expiresAt: at.toISOString() });
    expect(inputs["expiresAt"]).toBe(new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString());
  });

  it.each([
    ["clientId", { clientId: undefined }, /is required/],
    ["kid", { kid: "has spaces" }, /letters, digits, "\.", "_" and "-" only/],
    ["expiresAt", { expiresAt: isoIn(367 * DAY) }, /more than one year ahead/],
    ["expiresAt", { expiresAt: isoIn(-60) }, /lies in the past/],
    ["expiresAt", { expiresAt: "next tuesday" }, /ISO 8601/],
    ["publicKey", { publicKey: 42 }, /must be a public key/],
    ["publicKey", { publicKey: "not a key at all" }, /neither JSON, PEM nor base64/],
    ["publicKey", { publicKey: keyForms(rsaKey(1024)).pem }, /1024-bit RSA key; Maskinporten requires at least 2048 bits/],
    ["publicKey", { publicKey: { kty: "EC", crv: "P-256", x: "x", y: "y" } }, /RSA keys only/],
  ])("names %s", async (property, change, reason) => {
    expect(await failuresOf({ clientId: "c-1", publicKey: keyForms().pem, ...change })).toEqual([
      { property, reason: expect.stringMatching(reason) },
    ]);
  });

  it("refuses inputs it does not know, such as a misspelt field", async () => {
    expect(await failuresOf({ clientId: "c-1", publicKey: keyForms().pem, expiresat: isoIn(DAY) })).toEqual([
      { property: "(resource)", reason: expect.stringContaining("expiresat: not an input of ClientKey") },
    ]);
  });

  it.each([
    ["a private JWK", () => rsaKeyPair("k").privateJwk, (k: Record<string, unknown>) => [k["d"] as string, k["p"] as string]],
    ["a private JWK as JSON", () => JSON.stringify(rsaKeyPair("k").privateJwk), (k: string) => [JSON.parse(k).d as string]],
    ["a private PEM", () => rsaKey().privateKeyPem, (k: string) => [pemBody(k)]],
  ] as const)("refuses %s as publicKey without echoing it, and does not return it", async (_what, make, secretsOf) => {
    const publicKey = make();
    const result = await checkWith({ clientId: "c-1", publicKey });
    expect(result.failures).toEqual([{ property: "publicKey", reason: expect.stringContaining("give only the public key") }]);
    const printed = JSON.stringify(result);
    for (const secret of (secretsOf as (k: unknown) => string[])(publicKey)) {
      for (const slice of secretSlices(secret)) expect(printed).not.toContain(slice);
    }
    expect(result.inputs).not.toHaveProperty("publicKey");
  });

  it("refuses new key material under the kid of the key it replaces", async () => {
    const old = await check({ clientId: "c-1", publicKey: keyForms().pem, kid: "myapp-1" });
    expect(await failuresOf({ clientId: "c-1", publicKey: keyForms().pem, kid: "myapp-1" }, old)).toEqual([
      { property: "kid", reason: expect.stringContaining("a new key needs a new kid") },
    ]);
    // Same material, or another client, or a new kid: fine.
    expect(await failuresOf({ clientId: "c-1", publicKey: old["publicKey"], kid: "myapp-1" }, old)).toEqual([]);
    expect(await failuresOf({ clientId: "c-2", publicKey: keyForms().pem, kid: "myapp-1" }, old)).toEqual([]);
    expect(await failuresOf({ clientId: UNKNOWN, publicKey: keyForms().pem, kid: "myapp-1" }, old)).toEqual([
      { property: "kid", reason: expect.any(String) },
    ]);
    expect(await failuresOf({ clientId: "c-1", publicKey: keyForms().pem, kid: "myapp-2" }, old)).toEqual([]);
  });

  it("lets values unknown during preview through: the key may then be any key", async () => {
    expect(await check({ clientId: UNKNOWN, publicKey: UNKNOWN })).toEqual({
      clientId: UNKNOWN,
      publicKey: UNKNOWN,
      kid: UNKNOWN,
      thumbprint: UNKNOWN,
      __provider: PROVIDER,
    });
    expect(await check({ clientId: "c-1", publicKey: UNKNOWN, kid: "k", expiresAt: UNKNOWN })).toMatchObject({
      kid: "k",
      thumbprint: UNKNOWN,
    });
    const forms = keyForms();
    expect(await check({ clientId: UNKNOWN, publicKey: forms.pem })).toMatchObject({ clientId: UNKNOWN, thumbprint: forms.thumbprint });
    expect(await failuresOf({ clientId: UNKNOWN, publicKey: UNKNOWN, kid: "bad kid" })).toEqual([
      { property: "kid", reason: expect.any(String) },
    ]);
  });

  it("fails on a profile missing from the config, naming the key, without any request", async () => {
    await sim().control.resetRequests();
    const err = await checkWith({ clientId: "c-1", publicKey: keyForms().pem, profile: "consumer" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/no profile "consumer" in maskinporten:profiles/);
    expect((await sim().control.counters()).total).toBe(0);
  });
});

describe("diff", () => {
  it("shows no change right after create (up, then preview), also for another form of the same key", async () => {
    const client = await newClient();
    const forms = keyForms();
    const news = { clientId: client.client_id, publicKey: forms.pem, kid: "k1", expiresAt: isoIn(30 * DAY), profile: "owner" };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect((await preview(id, outs, { ...news, publicKey: forms.jwk })).changes).toBe(false);
    const { expiresAt: _e, ...withoutExpiry } = news;
    expect((await preview(id, outs, withoutExpiry)).changes).toBe(false);
  });

  it("replaces for new key material (create before delete), another client or another kid", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, { ...news, publicKey: keyForms().pem })).toEqual({
      changes: true,
      replaces: ["kid", "thumbprint"],
      deleteBeforeReplace: false,
    });
    expect(await preview(id, outs, { ...news, clientId: "another" })).toMatchObject({ changes: true, replaces: ["clientId"] });
    expect(await preview(id, outs, { ...news, kid: "renamed" })).toMatchObject({ changes: true, replaces: ["kid"] });
  });

  it("updates in place for a new expiry or profile", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, { ...news, expiresAt: isoIn(10 * DAY) })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await preview(id, outs, { ...news, profile: "owner" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("replaces for a client id unknown during preview: only a new Client has one (an updated Client keeps its id among its inputs)", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, { ...news, clientId: UNKNOWN })).toEqual({
      changes: true,
      replaces: ["clientId"],
      deleteBeforeReplace: false,
    });
  });

  it("replaces when the key is unknown during preview", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, { ...news, publicKey: UNKNOWN })).toMatchObject({ changes: true, replaces: ["kid", "thumbprint"] });
  });
});

describe("create, read, update, delete", () => {
  it("registers the key on the client; the id is <clientId>/<kid>; Maskinporten's expiry is an output", async () => {
    const client = await newClient();
    const forms = keyForms();
    const { id, outs } = await up({ clientId: client.client_id, publicKey: forms.pem, kid: "myapp-1" });
    expect(id).toBe(`${client.client_id}/myapp-1`);
    const [registered] = await keysOf(client.client_id);
    expect(registered).toEqual({
      kty: "RSA",
      kid: "myapp-1",
      use: "sig",
      alg: "RS256",
      n: forms.jwk.n,
      e: forms.jwk.e,
      exp: expect.any(Number),
    });
    expect(registered!.exp! - Date.now() / 1000).toBeGreaterThan(364 * DAY);
    expect(outs).toEqual({
      clientId: client.client_id,
      publicKey: forms.pem,
      kid: "myapp-1",
      thumbprint: forms.thumbprint,
      expiresAt: new Date(registered!.exp! * 1000).toISOString(),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(encodable(outs)).toBe(true);
  });

  it("registers a certificate's key with its chain, and the expiry the program sets", async () => {
    const client = await newClient();
    const forms = keyForms();
    const expiresAt = isoIn(90 * DAY);
    const { outs } = await up({ clientId: client.client_id, publicKey: forms.certificatePem, kid: "cert", expiresAt });
    const [registered] = await keysOf(client.client_id);
    expect(registered).toMatchObject({ kid: "cert", exp: Date.parse(expiresAt) / 1000, x5c: [pemBody(forms.certificatePem)] });
    expect(outs).toMatchObject({ expiresAt });
  });

  it("adopts a key already registered under its kid with the same material, writing nothing", async () => {
    const client = await newClient();
    const { publicJwk } = rsaKeyPair("by-hand");
    await portal().replaceKeys(client.client_id, [publicJwk]);
    const before = await apiWrites();
    const { id, outs } = await up({ clientId: client.client_id, publicKey: publicJwk });
    expect(await apiWrites()).toBe(before);
    expect(id).toBe(`${client.client_id}/by-hand`);
    expect(outs).toMatchObject({ kid: "by-hand", expiresAt: expect.any(String) });
  });

  it("refuses a kid the client already uses for another key", async () => {
    const client = await newClient();
    await portal().replaceKeys(client.client_id, [rsaKeyPair("taken").publicJwk]);
    const err = await clientKeyProvider
      .create(await check({ clientId: client.client_id, publicKey: keyForms().pem, kid: "taken" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: "KID_TAKEN", field: "kid", message: expect.stringContaining('kid "taken"') });
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["taken"]);
  });

  it("reads what it created: the same outputs, and inputs as the program wrote them", async () => {
    const client = await newClient();
    const forms = keyForms();
    const news = { clientId: client.client_id, publicKey: forms.jwk, profile: "owner" };
    const { id, outs } = await up(news);
    await newProcess();
    const read = await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toEqual({
      id,
      props: outs,
      inputs: { clientId: client.client_id, publicKey: forms.jwk, kid: forms.thumbprint, thumbprint: forms.thumbprint, profile: "owner" },
    });
    expect((await preview(id, read.props as Props, news)).changes).toBe(false);
  });

  it("updates the expiry in place, leaving the client's other keys as they are", async () => {
    const client = await newClient();
    const other = rsaKeyPair("other").publicJwk;
    await portal().replaceKeys(client.client_id, [other]);
    const news = { clientId: client.client_id, publicKey: keyForms().pem, kid: "mine", expiresAt: isoIn(30 * DAY) };
    const { id, outs } = await up(news);
    const otherBefore = (await keysOf(client.client_id)).find((k) => k.kid === "other");

    const changed = { ...news, expiresAt: isoIn(60 * DAY) };
    const inputs = await check(changed, outs);
    expect(await clientKeyProvider.diff(id, outs, inputs)).toMatchObject({ changes: true, replaces: [] });
    const { outs: updated } = await clientKeyProvider.update(id, outs, inputs);
    const keys = await keysOf(client.client_id);
    expect(keys.find((k) => k.kid === "mine")!.exp).toBe(Date.parse(changed.expiresAt) / 1000);
    expect(keys.find((k) => k.kid === "other")).toEqual(otherBefore);
    expect(updated).toMatchObject({ expiresAt: changed.expiresAt });
    expect((await preview(id, updated as Props, changed)).changes).toBe(false);
  });

  it("a profile change alone writes nothing", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem };
    const { id, outs } = await up(news);
    const before = await apiWrites();
    const { outs: updated } = await clientKeyProvider.update(id, outs, await check({ ...news, profile: "owner" }, outs));
    expect(await apiWrites()).toBe(before);
    expect(updated).toEqual({ ...outs, profile: "owner" });
  });

  it("rotates: the new key is registered next to the old one, then the old one goes", async () => {
    const client = await newClient();
    const old = await up({ clientId: client.client_id, publicKey: keyForms().pem });
    const news = { clientId: client.client_id, publicKey: keyForms().pem };
    expect(await preview(old.id, old.outs, news)).toMatchObject({ replaces: ["kid", "thumbprint"] });
    // Pulumi's default replacement order: create the new resource, then delete the old one.
    const created = await up(news);
    expect((await keysOf(client.client_id)).map((k) => k.kid).sort()).toEqual([old.outs["kid"], created.outs["kid"]].sort());
    await clientKeyProvider.delete(old.id, { ...old.outs, __provider: PROVIDER });
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual([created.outs["kid"]]);
  });

  it("deletes only its own key; the last key goes with one DELETE; a key or client already gone counts as deleted", async () => {
    const client = await newClient();
    const a = await up({ clientId: client.client_id, publicKey: keyForms().pem, kid: "a" });
    const b = await up({ clientId: client.client_id, publicKey: keyForms().pem, kid: "b" });
    await clientKeyProvider.delete(a.id, a.outs);
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["b"]);

    await sim().control.resetRequests();
    await clientKeyProvider.delete(b.id, b.outs);
    expect(await keysOf(client.client_id)).toEqual([]);
    const counters = await sim().control.counters();
    expect(counters.byRoute[keyWriteRoutes(sim()).lastKeyRemoval]).toBe(1);
    expect(counters.apiWrites).toBe(1);

    await expect(clientKeyProvider.delete(b.id, b.outs)).resolves.toBeUndefined();
    await expect(clientKeyProvider.delete("never-made/k", { clientId: "never-made", kid: "k" })).resolves.toBeUndefined();
  });

  it("does not delete a key that replaced its own under the same kid elsewhere", async () => {
    const client = await newClient();
    const mine = await up({ clientId: client.client_id, publicKey: keyForms().pem, kid: "shared" });
    const theirs = { ...rsaKeyPair("shared").publicJwk };
    await portal().replaceKeys(client.client_id, [theirs]);
    await clientKeyProvider.delete(mine.id, mine.outs);
    expect((await keysOf(client.client_id)).map((k) => k.n)).toEqual([theirs.n]);
  });

  it("works without clientId and kid in state, from the id", async () => {
    const client = await newClient();
    const { id, outs } = await up({ clientId: client.client_id, publicKey: keyForms().pem, kid: "from-id" });
    expect((await clientKeyProvider.read(id, { __provider: PROVIDER })).props).toMatchObject({
      kid: "from-id",
      thumbprint: outs["thumbprint"],
    });
    await clientKeyProvider.delete(id, {});
    expect(await keysOf(client.client_id)).toEqual([]);
  });
});

describe("drift made in the portal", () => {
  it("a key removed: refresh reports it gone, and up registers it again", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem, kid: "k1" };
    const { id, outs } = await up(news);
    await portal().deleteKey(client.client_id, "k1");
    await newProcess();
    expect(await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER })).toEqual({ id: "", props: {} });
    const again = await up(news);
    expect(again.id).toBe(id);
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["k1"]);
  });

  it("a key whose kid now names other material is gone", async () => {
    const client = await newClient();
    const { id, outs } = await up({ clientId: client.client_id, publicKey: keyForms().pem, kid: "k1" });
    await portal().replaceKeys(client.client_id, [rsaKeyPair("k1").publicJwk]);
    await newProcess();
    expect((await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER })).id).toBe("");
  });

  it("a client deactivated in the portal keeps its keys: refresh finds them unchanged, and nothing is written for them", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem, kid: "k1" };
    const { id, outs } = await up(news);
    await portal().deleteClient(client.client_id);
    await newProcess();
    const writes = await apiWrites();
    const read = await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read).toMatchObject({ id, props: { kid: "k1", thumbprint: outs["thumbprint"] } });
    expect(await preview(id, read.props as Props, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await apiWrites()).toBe(writes);
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["k1"]);
  });

  it("an unknown client: its keys are gone", async () => {
    expect((await clientKeyProvider.read("nope/k", { clientId: "nope", kid: "k", __provider: PROVIDER })).id).toBe("");
  });

  it("an expiry changed in the portal: refresh reports it, and up sets the program's again", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, publicKey: keyForms().pem, kid: "k1", expiresAt: isoIn(100 * DAY) };
    const { id, outs } = await up(news);
    const [registered] = await keysOf(client.client_id);
    const portalExp = registered!.exp! - 50 * DAY;
    await portal().putKey(client.client_id, { ...registered!, kid: "k1", exp: portalExp });

    await newProcess();
    const read = await clientKeyProvider.read(id, { ...outs, __provider: PROVIDER });
    expect(read.inputs).toMatchObject({ expiresAt: new Date(portalExp * 1000).toISOString() });
    const state = read.props as Props;
    const inputs = await check(news, read.inputs);
    expect(await clientKeyProvider.diff(id, state, inputs)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    await clientKeyProvider.update(id, state, inputs);
    expect((await keysOf(client.client_id))[0]!.exp).toBe(Date.parse(news.expiresAt) / 1000);
  });
});

describe("several keys of one client", () => {
  it("five keys created at once all land (no lost update of the whole-set API)", async () => {
    const client = await newClient();
    const made = await Promise.all(
      ["k1", "k2", "k3", "k4", "k5"].map((kid) => up({ clientId: client.client_id, publicKey: keyForms().pem, kid })),
    );
    expect((await keysOf(client.client_id)).map((k) => k.kid).sort()).toEqual(["k1", "k2", "k3", "k4", "k5"]);
    expect(made.map((m) => m.id).sort()).toEqual(["k1", "k2", "k3", "k4", "k5"].map((kid) => `${client.client_id}/${kid}`));
  });

  it("a sixth fails before any write, naming the client's current kids", async () => {
    const client = await newClient();
    await Promise.all(["k1", "k2", "k3", "k4", "k5"].map((kid) => up({ clientId: client.client_id, publicKey: keyForms().pem, kid })));
    const sixth = { clientId: client.client_id, publicKey: keyForms().pem, kid: "k6" };
    const before = await apiWrites();
    // check refuses it (so `preview` does), naming the client's kids ...
    expect(await failuresOf(sixth)).toEqual([
      { property: "clientId", reason: expect.stringMatching(/has 5 keys \(k1, k2, k3, k4, k5\).*at most 5/) },
    ]);
    // ... and create refuses it too, should a key appear between preview and up.
    const inputs = { ...(await check({ ...sixth, clientId: UNKNOWN })), clientId: client.client_id };
    const err = await clientKeyProvider.create(inputs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyKeysError);
    expect((err as Error).message).toMatch(/at most 5/);
    expect((err as TooManyKeysError).currentKids).toEqual(["k1", "k2", "k3", "k4", "k5"]);
    expect((err as Error).message).toContain("k1, k2, k3, k4, k5");
    expect(await apiWrites()).toBe(before);
  });
});

describe("faults", () => {
  it("a key write whose response is lost converges on exactly one registration", async () => {
    const client = await newClient();
    await sim().control.addFault({ ...keyWriteRoutes(sim()).addFault, kind: "drop-after-commit", count: 1 });
    const { outs } = await up({ clientId: client.client_id, publicKey: keyForms().pem, kid: "k1" });
    expect((await sim().control.faults())[0]!.hits).toBe(1);
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["k1"]);
    expect(outs).toMatchObject({ kid: "k1", expiresAt: expect.any(String) });
  });

  it("a create that failed after its write landed converges when run again, writing nothing more", async () => {
    const client = await newClient();
    await configureProvider({ ...config, "maskinporten:requestTimeoutSeconds": 1 });
    // Every answer to the write is lost: the key lands, and the create gives up.
    await sim().control.addFault({ ...keyWriteRoutes(sim()).addFault, kind: "drop-after-commit" });
    const news = { clientId: client.client_id, publicKey: keyForms().pem, kid: "k1" };
    await expect(clientKeyProvider.create(await check(news))).rejects.toMatchObject({ code: expect.any(String) });
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["k1"]);

    await sim().control.clearFaults();
    const before = await apiWrites();
    const { outs } = await up(news);
    expect(await apiWrites()).toBe(before);
    expect(outs).toMatchObject({ kid: "k1" });
    expect((await keysOf(client.client_id)).map((k) => k.kid)).toEqual(["k1"]);
  });
});
