#!/usr/bin/env node
/**
 * The state an example writes, in bytes per resource type: `pulumi up` of examples/<name> (default
 * quickstart) against a simulator in this process, its checkpoint file read (secrets encrypted), then `destroy`.
 * Run `npm run build` first: the example loads the package from dist/.
 *
 *   node scripts/state-size.js [example]
 */
"use strict";

const { registerTypeScript } = require("./bench-typescript.js");

async function main() {
  const example = process.argv[2] || "quickstart";
  registerTypeScript();
  const { startSimulator } = require("../simulator");
  const { copyExample, removeProject, stackFor } = require("../test/e2e/harness.ts");
  const { stateBytesByType, storedCheckpoint } = require("../test/bench/state-size.ts");
  const path = require("node:path");
  const sim = await startSimulator({ quiet: true });
  const dir = copyExample(example);
  try {
    const [owner, consumer] = sim.orgs;
    const engine = await stackFor(
      dir,
      sim,
      { owner: owner.orgno, consumer: consumer.orgno },
      {
        stackName: "dev",
        config: { [`${example}:prefix`]: owner.prefixes[0], [`${example}:consumerOrgno`]: consumer.orgno },
      },
    );
    await engine.up();
    const { bytes, deployment } = storedCheckpoint(path.join(dir, ".pulumi-local", "backend"), "dev");
    process.stdout.write(`examples/${example}, state after up (bytes per resource in the checkpoint file, secrets encrypted):\n`);
    for (const { type, resources, bytesPerResource } of stateBytesByType(deployment)) {
      process.stdout.write(`  ${type.padEnd(18)} ${String(resources).padStart(3)} × ${String(bytesPerResource).padStart(6)}\n`);
    }
    process.stdout.write(`  checkpoint file: ${bytes} bytes\n`);
    await engine.destroy();
  } finally {
    await sim.close();
    removeProject(dir);
  }
}

main().catch((err) => {
  process.stderr.write(`state-size failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
