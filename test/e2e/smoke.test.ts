/**
 * The resources through the real engine: `up`, then `preview` and `refresh` with no changes, then `destroy`.
 * The examples' suites go further; this one proves the harness and the provider's wiring.
 */
import { ENGINE_TIMEOUT_MS, leakedSecrets, makeProject, removeProject, stackFor, storedState, useEngineSimulator } from "./harness";

const sim = useEngineSimulator();

const PROGRAM = `
import * as maskinporten from "pulumi-maskinporten";
const scope = new maskinporten.Scope("api", { prefix: "eksempel", subscope: "smoke", description: "smoke test", profile: "owner" });
const grant = new maskinporten.ScopeGrant("grant", { scope: scope.name, consumerOrgno: "312000008", profile: "owner" });
const client = new maskinporten.Client("client", { clientName: "smoke", scopes: [grant.scope], profile: "consumer" });
export const clientId = client.clientId;
export const scopeName = scope.name;
`;

it(
  "up, preview and refresh without changes, destroy",
  async () => {
    const dir = makeProject("smoke", { "index.ts": PROGRAM });
    try {
      const { stack } = await stackFor(dir, sim(), { owner: sim().orgs[0]!.orgno, consumer: sim().orgs[1]!.orgno });
      const up = await stack.up();
      expect(up.summary.resourceChanges).toMatchObject({ create: 4 });
      const clientId = up.outputs["clientId"]!.value as string;
      expect((await sim().control.portal(sim().orgs[1]!.orgno).getClient(clientId)).scopes).toEqual(["eksempel:smoke"]);

      const preview = await stack.preview({ expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: 4 });
      await stack.refresh({ expectNoChanges: true });

      const adminKeys = sim().orgs.map((o) => o.adminKey.d as string);
      expect(storedState(dir)).toContain("ciphertext");
      expect(leakedSecrets(storedState(dir) + up.stdout + preview.stdout, adminKeys)).toEqual([]);

      await stack.destroy();
      expect((await sim().control.portal(sim().orgs[1]!.orgno).getClient(clientId)).active).toBe(false);
    } finally {
      removeProject(dir);
    }
  },
  ENGINE_TIMEOUT_MS,
);
