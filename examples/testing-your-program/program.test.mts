// Your program's test against the Maskinporten simulator: `npm test` (node --test; Node strips the types).
// It needs the Pulumi CLI on PATH, as `pulumi up` does; the state goes to a temporary folder.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js"; // a file: @pulumi/pulumi has no `exports` map
import { startSimulator } from "pulumi-maskinporten/simulator";

test("the program makes a client that the simulator knows, and a second run changes nothing", async () => {
  const sim = await startSimulator();
  try {
    const org = sim.orgs[1]!; // a seeded organisation, with its admin client
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "ci", workDir: import.meta.dirname },
      { envVars: { PULUMI_BACKEND_URL: `file://${mkdtempSync(join(tmpdir(), "state-"))}`, PULUMI_CONFIG_PASSPHRASE: "test" } },
    );
    await stack.setAllConfig({
      "maskinporten:issuer": { value: sim.issuer },
      "maskinporten:apiBaseUrl": { value: sim.apiBaseUrl },
      "maskinporten:clientId": { value: org.adminClientId },
      "maskinporten:privateKey": { value: JSON.stringify(org.adminKey), secret: true },
    });

    const up = await stack.up();
    const client = await sim.control.portal(org.orgno).getClient(up.outputs["clientId"]!.value);
    assert.deepEqual(client.scopes, ["difitest:open"]);
    assert.equal((await sim.control.portal(org.orgno).getKeys(client.client_id!)).keys[0]!.kid, up.outputs["kid"]!.value);

    await stack.preview({ expectNoChanges: true });
    await stack.destroy();
    await stack.workspace.removeStack("ci");
  } finally {
    await sim.close();
  }
});
