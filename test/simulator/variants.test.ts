/**
 * Every switch and every answer it gives, through real HTTP. One simulator; each test sets the switch it
 * is about on top of the default preset with the `/__sim/variant` hook (so flipping at run time is tested
 * too). Default and adverse choices are checked against the table in `simulator/variant.ts`.
 */
import {
  SWITCHES,
  SWITCH_NAMES,
  SimulatorOptionError,
  WRITE_ANSWERS,
  preset,
  resolveVariant,
  startSimulator,
  type SimulatorSwitches,
} from "../../simulator";
import { SimulatorControlError } from "../../simulator";
import {
  adminApi,
  adminToken,
  clientBody,
  expectApiError,
  expectOAuthError,
  requestToken,
  roles,
  rsaKeyPair,
  useSimulator,
  type ApiCaller,
} from "./helpers";

const sim = useSimulator({ variant: "default" });
let ownerApi: ApiCaller;
let consumerApi: ApiCaller;
let scopeCount = 0;

beforeAll(async () => {
  ownerApi = await adminApi(sim(), roles(sim()).owner);
  consumerApi = await adminApi(sim(), roles(sim()).consumer);
});

/** Sets `switches` on top of the default preset. */
async function only(switches: Partial<SimulatorSwitches>): Promise<void> {
  const now = await sim().control.setVariant({ base: "default", ...switches });
  expect(now).toMatchObject(switches);
}

async function newClient(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await consumerApi.post("/clients", clientBody(extra));
  expect(res.status).toBe(200);
  return res.body.client_id as string;
}

async function newScope(): Promise<string> {
  const subscope = `variant${++scopeCount}`;
  expect((await ownerApi.post("/scopes", { prefix: "eksempel", subscope, description: "x" })).status).toBe(200);
  return `eksempel:${subscope}`;
}

/** The status and body an answer switch promises. */
function expectAnswer(res: { status: number; body: unknown }, answer: string, body: Record<string, unknown>): void {
  expect(res.status).toBe(Number(answer.slice(0, 3)));
  if (answer === "200" || answer === "201") expect(res.body).toMatchObject(body);
  else expect(res.body).toBeUndefined();
}

describe("presets and the switch hooks", () => {
  it("default is every switch's default; adverse every switch's adverse choice", () => {
    for (const name of SWITCH_NAMES) {
      expect(preset("default")[name]).toBe(SWITCHES[name].default);
      expect(preset("adverse")[name]).toBe(SWITCHES[name].adverse);
      expect(SWITCHES[name].values).toContain(SWITCHES[name].default);
      expect(SWITCHES[name].values).toContain(SWITCHES[name].adverse);
    }
    expect(resolveVariant({ base: "adverse", clientIdOnCreate: "refused" })).toEqual({ ...preset("adverse"), clientIdOnCreate: "refused" });
  });

  it("reports the switches in force at start, at run time and on the handle; a partial change keeps the others", async () => {
    expect(sim().startupInfo().variant).toEqual(preset("default"));
    await sim().control.setVariant("adverse");
    expect(await sim().control.variant()).toEqual(preset("adverse"));
    await sim().control.setVariant({ keylessJwks: "404" });
    expect(sim().switches).toEqual({ ...preset("adverse"), keylessJwks: "404" });
    expect(sim().setVariant("default")).toEqual(preset("default"));
  });

  it("refuses an unknown switch, an unknown value and an unknown preset, naming them", async () => {
    await expect(startSimulator({ variant: { createAnswer: "202" as never } })).rejects.toThrow(SimulatorOptionError);
    await expect(startSimulator({ variant: { nope: "x" } as never })).rejects.toThrow(/unknown switch "nope"/);
    await expect(startSimulator({ variant: "hostile" as never })).rejects.toThrow(/variant: must be one of default, adverse/);
    const err = await sim()
      .control.setVariant({ keylessJwks: "410" as never })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulatorControlError);
    expect((err as SimulatorControlError).status).toBe(400);
    expect((err as Error).message).toMatch(/variant\.keylessJwks: must be one of empty-keys, empty-object, 404/);
  });
});

describe("createAnswer", () => {
  it.each(WRITE_ANSWERS)("%s on POST /clients and POST /scopes", async (answer) => {
    await only({ createAnswer: answer });
    const name = `created-${answer}`;
    expectAnswer(await consumerApi.post("/clients", clientBody({ client_name: name })), answer, { client_name: name });
    const subscope = `create${answer.replace("-", "")}`;
    expectAnswer(await ownerApi.post("/scopes", { prefix: "eksempel", subscope, description: "x" }), answer, {
      name: `eksempel:${subscope}`,
    });
    const listed = (await consumerApi.get("/clients")).body as { client_name: string }[];
    expect(listed.filter((c) => c.client_name === name)).toHaveLength(1);
  });
});

describe("keyWriteAnswer", () => {
  it.each(WRITE_ANSWERS)("%s on POST /jwks and PUT /jwks/{kid}", async (answer) => {
    await only({ keyWriteAnswer: answer });
    const id = await newClient();
    const first = rsaKeyPair("first");
    expectAnswer(await consumerApi.post(`/clients/${id}/jwks`, { keys: [first.publicJwk] }), answer, {
      keys: [expect.objectContaining({ kid: "first" })],
    });
    expectAnswer(await consumerApi.put(`/clients/${id}/jwks/second`, rsaKeyPair("second").publicJwk), answer, { kid: "second" });
    expect(((await consumerApi.get(`/clients/${id}/jwks`)).body.keys as { kid: string }[]).map((k) => k.kid)).toEqual(["first", "second"]);
  });
});

describe("deleteAnswer", () => {
  it.each(WRITE_ANSWERS)("%s on DELETE of a client, a scope, a key, the key set and a grant", async (answer) => {
    await only({ deleteAnswer: answer });
    const id = await newClient({ jwks: { keys: [rsaKeyPair("a").publicJwk, rsaKeyPair("b").publicJwk] } });
    expectAnswer(await consumerApi.del(`/clients/${id}/jwks/a`), answer, { keys: [expect.objectContaining({ kid: "b" })] });
    expectAnswer(await consumerApi.del(`/clients/${id}/jwks`), answer, { keys: [] });
    expectAnswer(await consumerApi.del(`/clients/${id}`), answer, { client_id: id, active: false });
    expect((await consumerApi.get(`/clients/${id}`)).body.active).toBe(false);
    const scope = await newScope();
    expect((await ownerApi.put(`/scopes/access/${roles(sim()).consumer.orgno}?scope=${scope}`)).status).toBe(200);
    expectAnswer(await ownerApi.del(`/scopes/access/${roles(sim()).consumer.orgno}?scope=${scope}`), answer, { state: "DENIED" });
    expectAnswer(await ownerApi.del(`/scopes?scope=${scope}`), answer, { name: scope, active: false });
  });
});

describe("singleKeyEndpoints", () => {
  it("available: GET, PUT and DELETE /jwks/{kid} read, add and remove one key", async () => {
    await only({ singleKeyEndpoints: "available" });
    const id = await newClient({ jwks: { keys: [rsaKeyPair("kept").publicJwk] } });
    expect((await consumerApi.put(`/clients/${id}/jwks/added`, rsaKeyPair("added").publicJwk)).status).toBe(200);
    expect((await consumerApi.get(`/clients/${id}/jwks/added`)).body).toMatchObject({ kid: "added" });
    expect((await consumerApi.del(`/clients/${id}/jwks/added`)).status).toBe(200);
    expect(((await consumerApi.get(`/clients/${id}/jwks`)).body.keys as { kid: string }[]).map((k) => k.kid)).toEqual(["kept"]);
  });

  it("absent: the three single-key routes answer 404 no such endpoint for a client that exists, and change nothing", async () => {
    await only({ singleKeyEndpoints: "absent" });
    const id = await newClient({ jwks: { keys: [rsaKeyPair("kept").publicJwk] } });
    expectApiError(await consumerApi.put(`/clients/${id}/jwks/added`, rsaKeyPair("added").publicJwk), 404, /no such endpoint: PUT/);
    expectApiError(await consumerApi.get(`/clients/${id}/jwks/kept`), 404, /no such endpoint: GET/);
    expectApiError(await consumerApi.del(`/clients/${id}/jwks/kept`), 404, /no such endpoint: DELETE/);
    expect(((await consumerApi.get(`/clients/${id}/jwks`)).body.keys as { kid: string }[]).map((k) => k.kid)).toEqual(["kept"]);
    // The whole-set operations stay.
    expect(
      (await consumerApi.post(`/clients/${id}/jwks`, { keys: [rsaKeyPair("kept").publicJwk, rsaKeyPair("added").publicJwk] })).status,
    ).toBe(200);
  });
});

describe("keylessJwks", () => {
  it.each([
    ["empty-keys", 200, { keys: [] }],
    ["empty-object", 200, {}],
  ] as const)("%s: GET /jwks of a client without keys answers %i %j", async (answer, status, body) => {
    await only({ keylessJwks: answer });
    const res = await consumerApi.get(`/clients/${await newClient()}/jwks`);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(body);
  });

  it("404: GET /jwks of a client without keys answers 404, also after its keys were deleted", async () => {
    await only({ keylessJwks: "404" });
    const id = await newClient({ jwks: { keys: [rsaKeyPair("gone").publicJwk] } });
    expect((await consumerApi.get(`/clients/${id}/jwks`)).status).toBe(200);
    await consumerApi.del(`/clients/${id}/jwks`);
    expectApiError(await consumerApi.get(`/clients/${id}/jwks`), 404, /has no keys/);
  });
});

describe("clientJwks", () => {
  it("uri-only: list, read and create show jwks_uri to the key set, never the keys; an echoed jwks_uri is not stored", async () => {
    await only({ clientJwks: "uri-only" });
    const id = await newClient({ jwks: { keys: [rsaKeyPair("listed").publicJwk] } });
    const uri = `${sim().apiBaseUrl}/clients/${id}/jwks`;
    const listed = ((await consumerApi.get("/clients")).body as { client_id: string }[]).find((c) => c.client_id === id)!;
    expect(listed).toMatchObject({ jwks_uri: uri });
    expect(listed).not.toHaveProperty("jwks");
    const read = (await consumerApi.get(`/clients/${id}`)).body;
    expect(read.jwks_uri).toBe(uri);
    const { created: _c, last_updated: _u, refresh_token_lifetime: _r, ...body } = read;
    expect((await consumerApi.put(`/clients/${id}`, body)).status).toBe(200);
    await only({ clientJwks: "inline" });
    expect((await consumerApi.get(`/clients/${id}`)).body).not.toHaveProperty("jwks_uri");
  });

  it("inline: list, read and create carry the keys as jwks", async () => {
    await only({ clientJwks: "inline" });
    const created = await consumerApi.post("/clients", clientBody({ jwks: { keys: [rsaKeyPair("inline").publicJwk] } }));
    expect(created.body.jwks.keys[0].kid).toBe("inline");
    const listed = ((await consumerApi.get("/clients")).body as { client_id: string; jwks?: { keys: { kid: string }[] } }[]).find(
      (c) => c.client_id === created.body.client_id,
    )!;
    expect(listed.jwks?.keys.map((k) => k.kid)).toEqual(["inline"]);
    expect((await consumerApi.get(`/clients/${created.body.client_id}`)).body.jwks.keys).toHaveLength(1);
  });
});

describe("clientIdOnCreate", () => {
  it("ignored: the server assigns a new id every time", async () => {
    await only({ clientIdOnCreate: "ignored" });
    const a = await newClient({ client_id: "chosen-by-caller" });
    const b = await newClient({ client_id: "chosen-by-caller" });
    expect(a).not.toBe("chosen-by-caller");
    expect(b).not.toBe(a);
  });

  it("honoured: the id is taken, a second POST is 409, and so is one of a deactivated client", async () => {
    await only({ clientIdOnCreate: "honoured" });
    expect(await newClient({ client_id: "honoured-id" })).toBe("honoured-id");
    expectApiError(await consumerApi.post("/clients", clientBody({ client_id: "honoured-id" })), 409, /client honoured-id already exists/);
    await consumerApi.del("/clients/honoured-id");
    expectApiError(
      await consumerApi.post("/clients", clientBody({ client_id: "honoured-id" })),
      409,
      /deactivated; reactivate it with PUT/,
    );
    expectApiError(await consumerApi.post("/clients", clientBody({ client_id: "has space" })), 400, /client_id may hold only/);
  });

  it("refused: 400 naming client_id; without one the client is made", async () => {
    await only({ clientIdOnCreate: "refused" });
    const res = await consumerApi.post("/clients", clientBody({ client_id: "refused-id", client_name: "refused" }));
    expectApiError(res, 400, /client_id is assigned by Digdir/);
    expect(res.body.errors[0].fieldIdentifier).toBe("client_id");
    expect(((await consumerApi.get("/clients")).body as { client_name: string }[]).some((c) => c.client_name === "refused")).toBe(false);
    await newClient();
  });
});

describe("singleScopeRead and scopeQueryShape", () => {
  it("both: one scope at GET /scopes?scope= and at GET /scopes/scope?scope=", async () => {
    await only({ singleScopeRead: "both" });
    const scope = await newScope();
    expect((await ownerApi.get(`/scopes?scope=${scope}`)).body).toMatchObject({ name: scope });
    expect((await ownerApi.get(`/scopes/scope?scope=${scope}`)).body).toMatchObject({ name: scope });
  });

  it("query: GET /scopes/scope is not there (404)", async () => {
    await only({ singleScopeRead: "query" });
    const scope = await newScope();
    expect((await ownerApi.get(`/scopes?scope=${scope}`)).body).toMatchObject({ name: scope });
    expectApiError(await ownerApi.get(`/scopes/scope?scope=${scope}`), 404, /no such endpoint/);
  });

  it("path: GET /scopes ignores ?scope= and lists every scope of the caller", async () => {
    await only({ singleScopeRead: "path" });
    const [a, b] = [await newScope(), await newScope()];
    const listed = (await ownerApi.get(`/scopes?scope=${a}`)).body as { name: string }[];
    expect(listed.map((s) => s.name)).toEqual(expect.arrayContaining([a, b]));
    expect((await ownerApi.get(`/scopes/scope?scope=${a}`)).body).toMatchObject({ name: a });
  });

  it("object: GET /scopes?scope= answers the scope; 404 when unknown; 403 for another's private scope", async () => {
    await only({ scopeQueryShape: "object" });
    const scope = await newScope();
    expect((await consumerApi.get(`/scopes?scope=${scope}`)).body).toMatchObject({ name: scope, owner_orgno: roles(sim()).owner.orgno });
    expectApiError(await ownerApi.get("/scopes?scope=eksempel:unknown"), 404, /does not exist/);
    expect(
      (await ownerApi.post("/scopes", { prefix: "eksempel", subscope: "private", description: "x", visibility: "PRIVATE" })).status,
    ).toBe(200);
    expectApiError(await consumerApi.get("/scopes?scope=eksempel:private"), 403, /belongs to organisation 311000004/);
  });

  it("list: GET /scopes?scope= answers [the scope]; [] when unknown", async () => {
    await only({ scopeQueryShape: "list" });
    const scope = await newScope();
    expect((await ownerApi.get(`/scopes?scope=${scope}`)).body).toEqual([expect.objectContaining({ name: scope })]);
    expect((await ownerApi.get("/scopes?scope=eksempel:unknown")).body).toEqual([]);
  });
});

describe("unsetLifetimes", () => {
  it("zero: an unset refresh_token_lifetime comes back as 0, which POST and PUT refuse", async () => {
    await only({ unsetLifetimes: "zero" });
    const created = await consumerApi.post("/clients", clientBody());
    expect(created.body.refresh_token_lifetime).toBe(0);
    const { created: _c, last_updated: _u, ...echoed } = created.body;
    expectApiError(
      await consumerApi.put(`/clients/${created.body.client_id}`, echoed),
      400,
      /refresh_token_lifetime must be a positive whole number/,
    );
    expectApiError(await consumerApi.post("/clients", clientBody({ access_token_lifetime: 0 })), 400, /access_token_lifetime/);
  });

  it("absent: an unset lifetime is left out; 0 is still refused", async () => {
    await only({ unsetLifetimes: "absent" });
    const created = await consumerApi.post("/clients", clientBody());
    expect(created.body).not.toHaveProperty("refresh_token_lifetime");
    expect(created.body).toMatchObject({ access_token_lifetime: 120, authorization_lifetime: 7200 });
    expectApiError(await consumerApi.post("/clients", clientBody({ refresh_token_lifetime: 0 })), 400, /refresh_token_lifetime/);
  });
});

describe("seededKeyUse and keys without use", () => {
  const adminKeys = async () =>
    (await ownerApi.get(`/clients/${roles(sim()).owner.adminClientId}/jwks`)).body.keys as Record<string, unknown>[];

  it('sig: the seeded admin keys carry use: "sig"', async () => {
    await only({ seededKeyUse: "sig" });
    expect((await adminKeys())[0]).toMatchObject({ use: "sig" });
  });

  it("absent: the seeded admin key has no use, still gets tokens, and is refused when posted back without it", async () => {
    await only({ seededKeyUse: "absent" });
    const keys = await adminKeys();
    expect(keys[0]).not.toHaveProperty("use");
    const { owner } = roles(sim());
    await expect(adminToken(sim(), owner)).resolves.toEqual(expect.any(String));
    expectApiError(await ownerApi.post(`/clients/${owner.adminClientId}/jwks`, { keys }), 400, /keys\[0\]\.use must be "sig", got nothing/);
    expect((await ownerApi.post(`/clients/${owner.adminClientId}/jwks`, { keys: keys.map((k) => ({ ...k, use: "sig" })) })).status).toBe(
      200,
    );
    await expect(adminToken(sim(), owner)).resolves.toEqual(expect.any(String));
  });

  it("addLegacyKey registers a key without use on any client; posting the set back needs use added", async () => {
    const id = await newClient();
    const legacy = rsaKeyPair("legacy");
    const { use: _use, ...withoutUse } = legacy.publicJwk;
    expect(await sim().control.addLegacyKey(id, withoutUse)).not.toHaveProperty("use");
    const keys = (await consumerApi.get(`/clients/${id}/jwks`)).body.keys as Record<string, unknown>[];
    expect(keys[0]).not.toHaveProperty("use");
    expect((await requestToken(sim(), { clientId: id, privateJwk: legacy.privateJwk, scope: "difitest:open" })).status).toBe(200);
    expectApiError(await consumerApi.post(`/clients/${id}/jwks`, { keys: [...keys, rsaKeyPair("new").publicJwk] }), 400, /keys\[0\]\.use/);
    const patched = keys.map((k) => ({ ...k, use: "sig" }));
    expect((await consumerApi.post(`/clients/${id}/jwks`, { keys: [...patched, rsaKeyPair("new").publicJwk] })).status).toBe(200);
    await expect(sim().control.addLegacyKey(id, { ...withoutUse, kid: "bad kid" })).rejects.toThrow(/kid must be a key id/);
  });
});

describe("consumerAdminScopes and ownerAdminScopes", () => {
  const tokenFor = (org: ReturnType<typeof roles>["consumer"], scope: string) =>
    requestToken(sim(), { clientId: org.adminClientId, privateJwk: org.adminKey, scope });

  it("dcr-only: the consumer's self-service clients hold only dcr.read dcr.write; a scopes.* token is refused, Clients work", async () => {
    await only({ consumerAdminScopes: "dcr-only" });
    const consumer = roles(sim()).consumer;
    expect(consumer.adminScopes).toEqual(["idporten:dcr.read", "idporten:dcr.write"]);
    expectOAuthError(
      await tokenFor(consumer, "idporten:scopes.read"),
      "invalid_scope",
      /idporten:scopes\.read \(not registered on the client\)/,
    );
    const token = await tokenFor(consumer, "idporten:dcr.read idporten:dcr.write");
    expect(token.status).toBe(200);
    const dcr = await adminApi(sim(), consumer);
    expect((await dcr.post("/clients", clientBody())).status).toBe(200);
    expectApiError(await dcr.get("/scopes/access/all"), 403, /missing scope idporten:scopes\.read or idporten:scopes\.write/);
    expect(roles(sim()).owner.adminScopes).toContain("idporten:scopes.read");
  });

  it("standard: the consumer holds dcr.read/write/modify and scopes.read/write", async () => {
    await only({ consumerAdminScopes: "standard" });
    const consumer = roles(sim()).consumer;
    expect(consumer.adminScopes).toEqual([
      "idporten:dcr.read",
      "idporten:dcr.write",
      "idporten:dcr.modify",
      "idporten:scopes.read",
      "idporten:scopes.write",
    ]);
    expect((await tokenFor(consumer, "idporten:scopes.read")).status).toBe(200);
  });

  it("no-scopes-read: the API owner holds dcr.read dcr.write scopes.write (NAV's set); scopes.write still reads scopes", async () => {
    await only({ ownerAdminScopes: "no-scopes-read" });
    const owner = roles(sim()).owner;
    expect(owner.adminScopes).toEqual(["idporten:dcr.read", "idporten:dcr.write", "idporten:scopes.write"]);
    expectOAuthError(await tokenFor(owner, "idporten:scopes.read"), "invalid_scope");
    expect((await (await adminApi(sim(), owner)).get("/scopes")).status).toBe(200);
    await only({ ownerAdminScopes: "standard" });
    expect((await tokenFor(roles(sim()).owner, "idporten:scopes.read")).status).toBe(200);
  });

  it("a seed with explicit adminScopes keeps them under every switch", async () => {
    const own = await startSimulator({
      orgs: [{ orgno: "314000005", name: "Egen AS", adminScopes: ["idporten:dcr.read"] }],
      variant: "adverse",
    });
    try {
      expect(own.orgs[0]!.adminScopes).toEqual(["idporten:dcr.read"]);
    } finally {
      await own.close();
    }
  });
});
