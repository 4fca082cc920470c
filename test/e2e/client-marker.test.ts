/**
 * The Client's ownership marker through the real engine: a client created by this package keeps its client_id
 * known in the first preview after the `up` that made it (no refresh in between), so a change of the client
 * shows as an update of the client and its keys stay; the portal shows the marker, the program and the outputs do not.
 */
import {
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

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("marker");
const client = new maskinporten.Client("client", {
  clientName: "marker-client",
  description: config.require("description"),
  scopes: ["difitest:open"],
});
const key = new maskinporten.ClientKey("key", { clientId: client.clientId, generate: { modulusLength: 2048 } });

export const clientId = client.clientId;
export const description = client.description;
export const kid = key.kid;
`;

describeEngine("the Client's ownership marker", () => {
  const sim = useEngineSimulator();
  let dir: string;
  let engine: EngineStack;

  afterAll(() => {
    if (dir) removeProject(dir);
  });

  it(
    "the first preview after the up that made the client knows its id: a change updates the client and leaves its key; updates keep the marker",
    async () => {
      const consumer = sim().orgs[1]!;
      dir = makeProject("client-marker", { "index.ts": PROGRAM });
      engine = await stackFor(
        dir,
        sim(),
        {},
        { defaultCredential: consumer.orgno, config: { "marker:description": "Made by the marker test" } },
      );
      const up = await engine.up();
      const clientId = up.outputs["clientId"]!.value as string;
      expect(up.outputs["description"]!.value).toBe("Made by the marker test");
      const client = await sim().control.portal(consumer.orgno).getClient(clientId);
      expect(client.description).toMatch(/^Made by the marker test \[pulumi-maskinporten:[0-9a-f]{16}\]$/);

      await engine.preview({ expectNoChanges: true });
      await setConfig(engine.stack, { "marker:description": "Changed" });
      const preview = await engine.preview({ diff: true });
      // The key stays. The client_id, found by the marker, joins the inputs now (the create's inputs could not
      // hold it: Digdir assigned it), so the engine lists it beside the real change, once.
      expect(previewSteps(preview.stdout)).toEqual(["update Client::client (clientId, description)"]);
      const updated = await engine.up();
      expect(updated.outputs["description"]!.value).toBe("Changed");
      expect((await sim().control.portal(consumer.orgno).getClient(clientId)).description).toBe(
        client.description!.replace("Made by the marker test", "Changed"),
      );
      await setConfig(engine.stack, { "marker:description": "Changed again" });
      expect(previewSteps((await engine.preview({ diff: true })).stdout)).toEqual(["update Client::client (description)"]);
      await engine.destroy();
    },
    ENGINE_TIMEOUT_MS,
  );
});
