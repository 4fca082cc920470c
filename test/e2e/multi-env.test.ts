/**
 * examples/multi-env through the real engine: one program, the stacks `test` and `prod` with the example's own
 * `Pulumi.test.yaml` and `Pulumi.prod.yaml`, each pointed at its own simulator (two Maskinporten environments
 * that know nothing of each other). The test adds only what every user adds: the endpoints, the admin
 * credential and the environment's public key. Changes and drift in one environment leave the other alone.
 */
import { clearTokenCache, getToken } from "../../sdk/tokens";
import { generateAltinnKeyPairs, type AltinnKeyPair } from "../../sdk/keys";
import type { SimulatorHandle } from "../../simulator";
import {
  changesOf,
  copyExample,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  previewSteps,
  privateJwkParts,
  removeProject,
  secretsIn,
  setConfig,
  stackConfigFiles,
  stackFor,
  storedState,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

const CONSUMER = "312000008";

interface Environment {
  name: "test" | "prod";
  sim: () => SimulatorHandle;
  engine: EngineStack;
  key: AltinnKeyPair;
  /** multi-env:scopes as the committed stack file has them. */
  scopes: string[];
  clientId: string;
}

describeEngine("examples/multi-env", () => {
  const simTest = useEngineSimulator();
  const simProd = useEngineSimulator();
  let dir: string;
  const envs = {} as Record<"test" | "prod", Environment>;
  const consumerPortal = (env: Environment) => env.sim().control.portal(CONSUMER);

  /**
   * What an environment must already hold for the committed config to work: every scope it names exists and is
   * granted to the consumer (the API owners' business, outside this program).
   */
  async function provideScopes(sim: SimulatorHandle, scopes: string[]): Promise<void> {
    for (const name of scopes) {
      const [prefix, subscope] = name.split(":") as [string, string];
      let owner = sim.orgs.find((o) => o.prefixes.includes(prefix));
      if (!owner) owner = await sim.control.addOrganisation({ orgno: "315000009", name: "Eksempel Eier AS", prefixes: [prefix] });
      const portal = sim.control.portal(owner.orgno);
      await portal.createScope({ prefix, subscope, description: `${subscope} (provided by the test)`, visibility: "PRIVATE" });
      await portal.grantAccess(name, CONSUMER);
    }
  }

  /** The kids registered on a client (the API answers 404 for a client without keys). */
  async function kidsOf(env: Environment): Promise<string[]> {
    const response = await consumerPortal(env).request<{ keys: { kid: string }[] }>("GET", `/clients/${env.clientId}/jwks`);
    if (response.status === 404) return [];
    return response.body.keys.map((k) => k.kid);
  }

  async function tokenScopes(env: Environment, scopes: string[]): Promise<string> {
    clearTokenCache();
    const token = await getToken({ issuer: env.sim().issuer, clientId: env.clientId, key: env.key.privateJwkJson, scopes });
    return (JSON.parse(Buffer.from(token.accessToken.split(".")[1]!, "base64url").toString("utf8")) as { scope: string }).scope;
  }

  beforeAll(async () => {
    dir = copyExample("multi-env");
    const keys = await generateAltinnKeyPairs("weather-sync");
    for (const [name, sim] of [
      ["test", simTest],
      ["prod", simProd],
    ] as const) {
      const key = keys.find((k) => k.environment === name.toUpperCase())!;
      const engine = await stackFor(
        dir,
        sim(),
        {},
        {
          stackName: name,
          defaultCredential: CONSUMER,
          config: { "multi-env:publicKey": JSON.stringify(key.publicJwk) },
        },
      );
      const scopes = JSON.parse((await engine.stack.getConfig("multi-env:scopes")).value) as string[];
      await provideScopes(sim(), scopes);
      envs[name] = { name, sim, engine, key, scopes, clientId: "" };
    }
  }, ENGINE_TIMEOUT_MS);

  afterAll(() => removeProject(dir));

  it(
    "up of each stack makes its environment's client, as its stack file says, with a key that gets tokens",
    async () => {
      for (const env of Object.values(envs)) {
        const up = await env.engine.up();
        expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 3 }); // the stack, the client, the key
        env.clientId = up.outputs["clientId"]!.value as string;
        expect(up.outputs["kid"]!.value).toBe(env.key.kid);
        const client = await consumerPortal(env).getClient(env.clientId);
        expect(client).toMatchObject({
          client_name: env.name === "test" ? "weather-sync-test" : "weather-sync",
          scopes: env.scopes,
          active: true,
        });
        expect(client.access_token_lifetime).toBe(env.name === "test" ? 600 : 120);
        expect(await tokenScopes(env, env.scopes)).toBe(env.scopes.join(" "));
      }
      // Each environment knows only its own client and key.
      expect((await consumerPortal(envs.prod).listClients()).map((c) => c.client_id)).not.toContain(envs.test.clientId);
      await expect(
        getToken({ issuer: simProd().issuer, clientId: envs.prod.clientId, key: envs.test.key.privateJwkJson, scopes: envs.prod.scopes }),
      ).rejects.toThrow();

      for (const env of Object.values(envs)) {
        expect((await env.engine.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
        await env.engine.refresh({ expectNoChanges: true });
      }
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a scope added to the test stack's config: preview --diff shows that one client update, prod stays as it is",
    async () => {
      const scopes = [...envs.test.scopes, "difitest:open"];
      await setConfig(envs.test.engine.stack, { "multi-env:scopes": scopes });
      const preview = await envs.test.engine.preview({ diff: true });
      expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
      expect(previewSteps(preview.stdout)).toEqual(["update Client::weather-sync (scopes)"]);
      await envs.prod.engine.preview({ expectNoChanges: true });

      const up = await envs.test.engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ update: 1 });
      expect((await consumerPortal(envs.test).getClient(envs.test.clientId)).scopes).toEqual([...scopes].sort());
      expect(await tokenScopes(envs.test, ["difitest:open"])).toBe("difitest:open");
      expect((await consumerPortal(envs.prod).getClient(envs.prod.clientId)).scopes).toEqual(envs.prod.scopes);
      await envs.test.engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "drift: in test a client deactivated and its key deleted, in prod a scope removed from the client; refresh reports each, up repairs",
    async () => {
      await consumerPortal(envs.test).deleteKey(envs.test.clientId, envs.test.key.kid);
      await consumerPortal(envs.test).deleteClient(envs.test.clientId);
      await consumerPortal(envs.prod).updateClient(envs.prod.clientId, { scopes: ["difitest:open"] });

      const refreshTest = await envs.test.engine.refresh();
      expect(changesOf(refreshTest.summary.resourceChanges)).toEqual({ update: 1, delete: 1 });
      const refreshProd = await envs.prod.engine.refresh();
      expect(changesOf(refreshProd.summary.resourceChanges)).toEqual({ update: 1 });

      const previewTest = await envs.test.engine.preview({ diff: true });
      expect(previewSteps(previewTest.stdout)).toEqual(["create ClientKey::weather-sync-key", "update Client::weather-sync (active)"]);
      const previewProd = await envs.prod.engine.preview({ diff: true });
      expect(previewSteps(previewProd.stdout)).toEqual(["update Client::weather-sync (scopes)"]);

      for (const env of Object.values(envs)) {
        await env.engine.up();
        await env.engine.preview({ expectNoChanges: true });
        await env.engine.refresh({ expectNoChanges: true });
      }
      const testClient = await consumerPortal(envs.test).getClient(envs.test.clientId);
      expect(testClient.active).toBe(true);
      expect(await kidsOf(envs.test)).toEqual([envs.test.key.kid]);
      expect((await consumerPortal(envs.prod).getClient(envs.prod.clientId)).scopes).toEqual(envs.prod.scopes);
      expect(await tokenScopes(envs.test, envs.test.scopes)).toBe(envs.test.scopes.join(" "));
      expect(await tokenScopes(envs.prod, envs.prod.scopes)).toBe(envs.prod.scopes.join(" "));
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "destroy of each stack leaves no active client and no key in its environment",
    async () => {
      for (const env of Object.values(envs)) {
        const destroy = await env.engine.destroy();
        expect(changesOf(destroy.summary.resourceChanges)).toEqual({ delete: 3 });
        const client = await consumerPortal(env).getClient(env.clientId);
        expect(client.active).toBe(false);
        expect(await kidsOf(env)).toEqual([]);
        expect((await consumerPortal(env).listClients(false)).filter((c) => c.client_name?.startsWith("weather-sync"))).toEqual([]);
      }
    },
    ENGINE_TIMEOUT_MS,
  );

  it("no admin key, client private key or token in the stored state, the stack files or the engine's output", () => {
    const secrets = [
      ...[simTest(), simProd()].flatMap((sim) => sim.orgs.flatMap((o) => privateJwkParts(o.adminKey))),
      ...Object.values(envs).flatMap((env) => privateJwkParts(env.key.privateJwk)),
    ];
    const transcript = Object.values(envs)
      .flatMap((env) => env.engine.transcript)
      .join("\n");
    expect(secretsIn(storedState(dir), secrets)).toEqual([]);
    expect(secretsIn(stackConfigFiles(dir), secrets)).toEqual([]);
    expect(secretsIn(transcript, secrets)).toEqual([]);
  });
});
