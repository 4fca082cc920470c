#!/usr/bin/env node
/**
 * The main job: a real `pulumi up` of the quickstart (Pulumi.yaml → examples/quickstart) against the built-in
 * Maskinporten simulator.
 *
 * 1. Starts the simulator with its state in .quickstart/simulator.json (so clients, keys and grants survive
 *    between runs, like Digdir's do) on 127.0.0.1:4455 (MASKINPORTEN_SIMULATOR_PORT to change it; the folder
 *    is MASKINPORTEN_QUICKSTART_DIR when set, which the tests use).
 * 2. Opens the stack `dev` with a local file backend in .quickstart/pulumi and configures it for the
 *    simulator: two credential profiles, the API owner and the consumer organisation.
 * 3. Runs `pulumi up` (the engine prints the outputs), proves the client works by getting a token with its key,
 *    and says how to do that yourself. A second run changes nothing and says so. When the simulator's state file
 *    is gone but the stack is not, it refreshes the stack first, so `up` makes again what the simulator lost.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { openStack, configureForSimulator } = require("./lib/stack-workspace.js");

const ROOT = path.resolve(__dirname, "..");
const WORK = path.resolve(ROOT, process.env.MASKINPORTEN_QUICKSTART_DIR || ".quickstart");
const STATE_FILE = path.join(WORK, "simulator.json");
const DEFAULT_PORT = 4455;

async function startQuickstartSimulator() {
  const { startSimulator } = require("../dist/simulator");
  const port = Number(process.env.MASKINPORTEN_SIMULATOR_PORT || DEFAULT_PORT);
  try {
    return await startSimulator({ port, stateFile: STATE_FILE });
  } catch (err) {
    if (err && err.code === "EADDRINUSE") {
      throw new Error(`port ${port} is in use: stop what runs there, or set MASKINPORTEN_SIMULATOR_PORT to a free port`, { cause: err });
    }
    throw err;
  }
}

const DONE = {
  create: "created",
  update: "updated",
  delete: "deleted",
  replace: "replaced",
  "create-replacement": "created as replacements",
  "delete-replaced": "replaced ones deleted",
};

function describeChanges(summary) {
  const changes = Object.entries(summary.resourceChanges || {}).filter(([op, n]) => op !== "same" && n > 0);
  if (changes.length === 0) return "No changes: the simulator already matches the program.";
  return `Changes applied: ${changes.map(([op, n]) => `${n} ${DONE[op] || op}`).join(", ")}.`;
}

async function proveClientWorks(sim, outputs, keyFile) {
  const { getToken } = require("../dist/sdk");
  const token = await getToken({
    issuer: sim.issuer,
    clientId: outputs.clientId.value,
    key: outputs.privateKeyJwk.value,
    scopes: [outputs.scopeName.value],
  });
  const claims = JSON.parse(Buffer.from(token.accessToken.split(".")[1], "base64url").toString("utf8"));
  console.log(`\nThe client works: a token for ${claims.scope}, client_id ${claims.client_id}, organisation ${claims.consumer.ID}.`);
  fs.writeFileSync(keyFile, outputs.privateKeyJwk.value, { mode: 0o600 });
  console.log("\nTo get a token yourself, keep the simulator running with the same state:");
  console.log(`  npm run simulator -- --state ${path.relative(ROOT, STATE_FILE)} --port ${new URL(sim.url).port}`);
  console.log("and, in another terminal:");
  console.log(
    `  npx maskinporten token --issuer ${sim.issuer} --client-id ${outputs.clientId.value} ` +
      `--key ${path.relative(ROOT, keyFile)} --scope ${outputs.scopeName.value}`,
  );
  console.log(`(${path.relative(ROOT, keyFile)} holds the client's private key; the stack keeps it as a secret output.)`);
}

async function stackHoldsResources(stack) {
  const state = await stack.exportStack();
  return ((state.deployment && state.deployment.resources) || []).length > 0;
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  const simulatorIsNew = !fs.existsSync(STATE_FILE);
  const sim = await startQuickstartSimulator();
  try {
    console.log(`Maskinporten simulator at ${sim.url} (state: ${path.relative(ROOT, STATE_FILE)})`);
    const [owner, consumer] = sim.orgs;
    const { stack } = await openStack({
      projectDir: ROOT,
      stackName: "dev",
      stateDir: path.join(WORK, "pulumi"),
      passphrase: "quickstart",
    });
    await configureForSimulator(stack, sim, { owner: owner.orgno, consumer: consumer.orgno });
    await stack.setAllConfig({ "quickstart:prefix": { value: owner.prefixes[0] }, "quickstart:consumerOrgno": { value: consumer.orgno } });
    console.log(`Stack dev: API owner ${owner.name} (${owner.orgno}), consumer ${consumer.name} (${consumer.orgno})\n`);

    if (simulatorIsNew && (await stackHoldsResources(stack))) {
      // The stack may hold what an earlier simulator had: forget what is gone, so that `up` makes it again. With
      // the program's provider config (runProgram), not the state's, whose admin keys were the old simulator's.
      console.log("The simulator starts empty (its state file is gone): refreshing the stack first.\n");
      const refresh = await stack.refresh({ runProgram: true });
      const changes = refresh.summary.resourceChanges || {};
      const gone = changes.delete || 0;
      // A generated key stays in the stack, marked gone, so that up says it replaces the key pair (see its warning).
      const marked = changes.update || 0;
      const kept = marked ? ` and ${marked} marked as gone from it` : "";
      console.log(
        gone || marked
          ? `Refresh: ${gone} resources the simulator no longer holds were dropped from the stack${kept}; up makes them again.\n`
          : "Refresh: nothing to drop.\n",
      );
    }
    // The engine's own output, outputs included (secrets masked), streams as it runs.
    const result = await stack.up({ onOutput: (text) => process.stdout.write(text) });
    console.log(describeChanges(result.summary));
    await proveClientWorks(sim, result.outputs, path.join(WORK, "weather-client.key.json"));
  } finally {
    await sim.close();
  }
}

main().catch((err) => {
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
