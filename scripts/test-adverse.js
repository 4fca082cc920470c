#!/usr/bin/env node
/**
 * `npm run test:adverse`: the second pass of `npm test`. Runs the provider tests and the end-to-end suites
 * against the simulator's `adverse` preset (every open switch set to the answer hardest for a client; see
 * simulator/README.md), through the test helpers' `MASKINPORTEN_TEST_SIM_VARIANT`. The simulator's own tests are
 * left out on purpose: many assert the default answers. Extra arguments go to Jest; Jest's summary ends the output.
 * Run `npm run build` first (npm test does): the end-to-end suites run the built package.
 */
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

/** What must hold against every answer the evidence allows (issue 15's "Done when"). */
const ADVERSE_SUITES = [
  "test/provider/",
  "test/e2e/quickstart.test.ts",
  "test/e2e/api-provider.test.ts",
  "test/e2e/key-rotation.test.ts",
  "test/e2e/key-rotation-example.test.ts",
  "test/e2e/migrate.test.ts",
  "test/e2e/preview-refusals.test.ts",
  "test/soak/soak.test.ts",
];

const jest = require.resolve("jest/bin/jest", { paths: [ROOT] });
const child = spawn(process.execPath, [jest, ...ADVERSE_SUITES, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, MASKINPORTEN_TEST_SIM_VARIANT: "adverse" },
});
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
