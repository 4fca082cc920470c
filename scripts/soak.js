#!/usr/bin/env node
/**
 * `npm run soak`: the fault soak (test/soak/soak.ts) at length. Prints what it did and found, writes
 * docs/soak.json and regenerates docs/benchmarks.md. Run `npm run build` first (npm run soak does).
 *
 *   --seed 1             the fault plan and the simulator's draws (or SOAK_SEED)
 *   --cycles 25          up → change → destroy cycles (or SOAK_CYCLES)
 *   --five-key-runs 50   runs of five keys on one client in one up
 *   --max-attempts 5     runs of one operation before it counts as not converging
 *   --no-docs            print only; leave docs/ as it is
 *
 *   --crash              the crash soak instead (test/soak/crash.ts): seeded `kill -9` of the engine during
 *                        create, change and destroy, then Pulumi's recovery steps; writes docs/soak-crash.json
 *   --runs 30            runs of the crash soak, one kill each (or SOAK_RUNS)
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { registerTypeScript } = require("./bench-typescript.js");

const ROOT = path.resolve(__dirname, "..");

function options() {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: process.env.SOAK_SEED || "1" },
      cycles: { type: "string", default: process.env.SOAK_CYCLES || "25" },
      "five-key-runs": { type: "string", default: "50" },
      "max-attempts": { type: "string", default: "5" },
      "no-docs": { type: "boolean", default: false },
      crash: { type: "boolean", default: false },
      runs: { type: "string", default: process.env.SOAK_RUNS || "30" },
    },
  });
  const numbers = {
    seed: Number(values.seed),
    cycles: Number(values.cycles),
    fiveKeyRuns: Number(values["five-key-runs"]),
    maxAttempts: Number(values["max-attempts"]),
    runs: Number(values.runs),
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got ${value}`);
  }
  return { ...numbers, docs: !values["no-docs"], crash: values.crash };
}

async function main() {
  const settings = options();
  registerTypeScript();
  const { runSoak } = require("../test/soak/soak.ts");
  const { soakTables } = require("../test/bench/docs.ts");
  const { textTable } = require("../test/bench/table.ts");
  const { writeBenchmarksDoc } = require("../test/bench/docs.ts");

  const command = ["npm run soak", ...process.argv.slice(2)].join(" ").replace(/^npm run soak (?=-)/, "npm run soak -- ");
  if (settings.crash) return crash(settings, command);
  const report = await runSoak({ ...settings, log: (line) => process.stderr.write(`[soak] ${line}\n`) }, command);
  process.stdout.write(`\n${soakTables(report).map(textTable).join("\n\n")}\n`);
  if (settings.docs) {
    fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, "docs", "soak.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeBenchmarksDoc();
    process.stdout.write("wrote docs/soak.json and docs/benchmarks.md\n");
  }
}

/** The crash soak: prints its tables and, unlike the fault soak, exits 1 when any invariant broke. */
async function crash(settings, command) {
  const { runCrashSoak } = require("../test/soak/crash.ts");
  const { crashTables, writeBenchmarksDoc } = require("../test/bench/docs.ts");
  const { textTable } = require("../test/bench/table.ts");
  const report = await runCrashSoak(
    { seed: settings.seed, runs: settings.runs, log: (line) => process.stderr.write(`[crash-soak] ${line}\n`) },
    command,
  );
  process.stdout.write(`\n${crashTables(report).map(textTable).join("\n\n")}\n`);
  if (report.problems.length > 0) process.stdout.write(`\nWhat broke:\n${report.problems.map((p) => `- ${p}`).join("\n")}\n`);
  if (settings.docs) {
    fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, "docs", "soak-crash.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeBenchmarksDoc();
    process.stdout.write("wrote docs/soak-crash.json and docs/benchmarks.md\n");
  }
  if (report.problems.length > 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`npm run soak failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
