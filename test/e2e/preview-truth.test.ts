/**
 * Preview and refresh tell the truth, through the real engine: a new client's id is unknown in preview (Digdir
 * assigns it); refresh reports no drift when the program's own key write moved the client's `last_updated`;
 * a generated key deleted in the portal is named by refresh and preview, and up replaces it.
 */
import {
  changesOf,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  makeProject,
  previewSteps,
  removeProject,
  setConfig,
  stackFor,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

const DAY = 24 * 3600;

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("truth");
const client = new maskinporten.Client("client", { clientName: "preview-truth", scopes: ["difitest:open"] });
const key = new maskinporten.ClientKey("key", { clientId: client.clientId, generate: { modulusLength: 2048 } });
if (config.getBoolean("secondKey")) new maskinporten.ClientKey("second", { clientId: client.clientId, generate: { modulusLength: 2048 } });

export const clientId = client.clientId;
export const kid = key.kid;
`;

describeEngine("preview tells the truth", () => {
  const sim = useEngineSimulator();
  const consumer = () => sim().orgs[1]!;
  let dir: string;
  let engine: EngineStack;

  beforeAll(async () => {
    await sim().control.setClockOffset(0);
    dir = makeProject("preview-truth", { "index.ts": PROGRAM });
    engine = await stackFor(dir, sim(), {}, { defaultCredential: consumer().orgno });
  }, ENGINE_TIMEOUT_MS);
  afterAll(() => {
    if (dir) removeProject(dir);
  });

  it(
    "a new client's clientId is unknown in preview, never a value",
    async () => {
      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout)).toEqual(["create Client::client", "create ClientKey::key"]);
      const outputs = preview.stdout.slice(preview.stdout.indexOf("--outputs:--"));
      expect(outputs).toMatch(/clientId\s*:\s*\[unknown\]/);
      const up = await engine.up();
      const clientId = up.outputs["clientId"]!.value as string;
      expect(preview.stdout).not.toContain(clientId);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "refresh reports nothing when only the program's own key write moved the client's last_updated",
    async () => {
      // A day on, so the key write's timestamp surely differs from the client's (in one second, it often does not).
      await sim().control.setClockOffset(DAY);
      await setConfig(engine.stack, { "truth:secondKey": true });
      expect(changesOf((await engine.up()).summary.resourceChanges)).toEqual({ create: 1 });
      const clientId = (await engine.stack.outputs())["clientId"]!.value as string;
      const client = await sim().control.portal(consumer().orgno).getClient(clientId);
      expect(Date.parse(client.last_updated!)).toBeGreaterThan(Date.now());
      await engine.refresh({ expectNoChanges: true });
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a generated key deleted in the portal: refresh and preview say it is gone and that up replaces it and its private key",
    async () => {
      const { clientId, kid } = await engine.stack.outputs();
      await sim()
        .control.portal(consumer().orgno)
        .deleteKey(clientId!.value as string, kid!.value as string);
      const gone = `generated key "${kid!.value as string}" of client ${clientId!.value as string} is gone from Maskinporten`;

      const refresh = await engine.refresh();
      expect(changesOf(refresh.summary.resourceChanges)).toEqual({ update: 1 });
      expect(refresh.stdout + refresh.stderr).toContain(gone);
      expect(refresh.stdout + refresh.stderr).toContain(
        "the next `pulumi up` registers a new key pair (a new kid) that replaces the private key in this stack's outputs",
      );

      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout).map((s) => s.split(" (")[0])).toEqual(["replace ClientKey::key"]);
      expect(preview.stdout + preview.stderr).toContain(gone);

      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ replace: 1 });
      const after = await engine.stack.outputs();
      expect(
        (
          await sim()
            .control.portal(consumer().orgno)
            .getKeys(clientId!.value as string)
        ).keys.map((k) => k.kid),
      ).toContain(after["kid"]!.value);
      await engine.preview({ expectNoChanges: true });
      await engine.destroy();
    },
    ENGINE_TIMEOUT_MS,
  );
});
