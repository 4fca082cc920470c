/**
 * examples/key-rotation through the real engine, the checks every example gets: `up`, `preview` and `refresh`
 * without changes, drift made in the portal (the client deactivated; then also the current key deleted) reported by
 * `refresh` and repaired by `up`, `destroy`, and the secret scan. Rotation itself (the change this example is
 * about) is covered by test/e2e/key-rotation.test.ts.
 */
import { clearTokenCache, getToken } from "../../sdk/tokens";
import {
  changesOf,
  copyExample,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  previewSteps,
  privateJwkParts,
  removeProject,
  secretsIn,
  stackConfigFiles,
  stackFor,
  storedState,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

describeEngine("examples/key-rotation (up, drift, destroy)", () => {
  const sim = useEngineSimulator();
  const consumer = () => sim().orgs[1]!;
  const portal = () => sim().control.portal(consumer().orgno);
  let engine: EngineStack;
  let dir: string;
  let clientId: string;
  const privateKeys: string[] = [];

  async function kids(): Promise<string[]> {
    const response = await portal().request<{ keys: { kid: string }[] }>("GET", `/clients/${clientId}/jwks`);
    return response.status === 404 ? [] : response.body.keys.map((k) => k.kid).sort();
  }

  /** The stack's current private key gets a token (its client_id claim); the key is remembered for the scan. */
  async function tokenWithStackKey(): Promise<string> {
    const outputs = await engine.stack.outputs();
    const jwk = outputs["privateKeyJwk"]!.value as string;
    if (!privateKeys.includes(jwk)) privateKeys.push(jwk);
    clearTokenCache();
    const token = await getToken({ issuer: sim().issuer, clientId, key: jwk, scopes: ["difitest:open"] });
    return (JSON.parse(Buffer.from(token.accessToken.split(".")[1]!, "base64url").toString("utf8")) as { client_id: string }).client_id;
  }

  beforeAll(async () => {
    dir = copyExample("key-rotation");
    engine = await stackFor(dir, sim(), { consumer: consumer().orgno }, { config: { "key-rotation:clientName": "rotation-drift" } });
  }, ENGINE_TIMEOUT_MS);

  afterAll(() => {
    if (dir) removeProject(dir);
  });

  it(
    "up makes the client and its first key; preview and refresh then find nothing",
    async () => {
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 3 }); // the stack, the client, the key
      clientId = up.outputs["clientId"]!.value as string;
      expect(await kids()).toEqual([up.outputs["kid"]!.value]);
      expect(await tokenWithStackKey()).toBe(clientId);
      expect((await engine.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
      await engine.refresh({ expectNoChanges: true });
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "drift: only the client deactivated in the portal; refresh reports the client alone, up reactivates it, the key pair stays",
    async () => {
      const kidBefore = (await engine.stack.outputs())["kid"]!.value as string;
      await portal().deleteClient(clientId);

      const refresh = await engine.refresh();
      expect(changesOf(refresh.summary.resourceChanges)).toEqual({ update: 1 });
      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout)).toEqual(["update Client::app (active)"]);
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ update: 1 });
      expect(up.outputs["kid"]!.value).toBe(kidBefore);
      expect(await kids()).toEqual([kidBefore]);
      expect(await tokenWithStackKey()).toBe(clientId);
      await engine.refresh({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "drift: the current key deleted and the client deactivated in the portal; refresh reports both, up repairs them",
    async () => {
      const kidBefore = (await engine.stack.outputs())["kid"]!.value as string;
      await portal().deleteKey(clientId, kidBefore);
      await portal().deleteClient(clientId);

      const refresh = await engine.refresh();
      // A rotating key whose current key is gone is gone: the next up makes a new key pair.
      expect(changesOf(refresh.summary.resourceChanges)).toEqual({ update: 1, delete: 1 });
      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout)).toEqual(["create RotatingClientKey::app-key", "update Client::app (active)"]);
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 1, update: 1 });
      expect((await portal().getClient(clientId)).active).toBe(true);
      const kidAfter = up.outputs["kid"]!.value as string;
      expect(await kids()).toContain(kidAfter);
      expect(await tokenWithStackKey()).toBe(clientId);
      await engine.preview({ expectNoChanges: true });
      await engine.refresh({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "destroy leaves no active client and no key",
    async () => {
      await engine.destroy();
      expect((await portal().getClient(clientId)).active).toBe(false);
      expect(await kids()).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );

  it("no private key, admin key or token in the stored state, the stack file or the engine's output", () => {
    const secrets = [...privateKeys.flatMap((k) => privateJwkParts(k)), ...sim().orgs.flatMap((o) => privateJwkParts(o.adminKey))];
    expect(privateKeys.length).toBeGreaterThanOrEqual(1);
    expect(storedState(dir).includes("ciphertext")).toBe(true);
    expect(secretsIn(storedState(dir), secrets)).toEqual([]);
    expect(secretsIn(stackConfigFiles(dir), secrets)).toEqual([]);
    expect(secretsIn(engine.transcript.join("\n"), secrets)).toEqual([]);
  });
});
