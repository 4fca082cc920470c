#!/usr/bin/env node
/**
 * `npm run bench`: request economy and speed of the package through the real engine, next to do-nothing
 * dynamic resources, with and without latency, and the simulator's throughput. Prints the tables, writes
 * docs/benchmarks.json and regenerates docs/benchmarks.md. Run `npm run build` first (npm run bench does).
 *
 *   --n 10,50,200            clients per program (or BENCH_N)
 *   --latency-ms 50          latency of every request of A+L; 0 skips A+L (or BENCH_LATENCY_MS)
 *   --throughput-seconds 5   per throughput measurement; 0 skips them
 *   --repeat 3               cycles (up … destroy) per size below 100 clients; times are medians
 *   --repeat-large 2         cycles per size from 100 clients on (one cycle of 200 takes ~7 minutes)
 *   --connections 32         of the throughput load generator
 *   --no-padded              skip B′ (B padded to A's state size)
 *   --no-docs                print only; leave docs/ as it is
 *
 * One size only, one cycle, A next to B (the targets' comparison), without the latency runs, B′ and the
 * throughput measurement, leaving docs/ alone (a few minutes at N = 200 instead of ~23 for the full run):
 *
 *   npm run bench -- --n 200 --repeat-large 1 --latency-ms 0 --throughput-seconds 0 --no-padded --no-docs
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
      n: { type: "string", default: process.env.BENCH_N || "10,50,200" },
      "latency-ms": { type: "string", default: process.env.BENCH_LATENCY_MS || "50" },
      "throughput-seconds": { type: "string", default: "5" },
      repeat: { type: "string", default: "3" },
      "repeat-large": { type: "string", default: "2" },
      connections: { type: "string", default: "32" },
      "no-padded": { type: "boolean", default: false },
      "no-docs": { type: "boolean", default: false },
      variant: { type: "string", default: "" },
    },
  });
  const sizes = values.n.split(",").map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--n must be positive whole numbers separated by commas, got ${values.n}`);
  return {
    sizes,
    latencyMs: Number(values["latency-ms"]),
    throughputMs: Number(values["throughput-seconds"]) * 1000,
    repeats: Number(values.repeat),
    repeatsLarge: Number(values["repeat-large"]),
    connections: Number(values.connections),
    padded: !values["no-padded"],
    docs: !values["no-docs"],
    variant: values.variant,
  };
}

async function main() {
  const settings = options();
  // The bench's simulators start through the test helpers, which read this; `--variant adverse` counts the
  // requests against the simulator's hardest answers (docs/benchmarks-adverse.json, shown beside the default).
  if (settings.variant) process.env.MASKINPORTEN_TEST_SIM_VARIANT = settings.variant;
  registerTypeScript();
  const { runBench } = require("../test/bench/run.ts");
  const { benchTables, targets } = require("../test/bench/report.ts");
  const { textTable } = require("../test/bench/table.ts");
  const { writeBenchmarksDoc } = require("../test/bench/docs.ts");

  const command = ["npm run bench", ...process.argv.slice(2)].join(" ").replace(/^npm run bench (?=-)/, "npm run bench -- ");
  const started = Date.now();
  const report = await runBench({ ...settings, log: (line) => process.stderr.write(`[bench] ${line}\n`) }, command);
  report.simulatorVariant = settings.variant || "default";
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const tables = benchTables(report).filter((t) => t.rows.length > 0);
  process.stdout.write(`\n${tables.map(textTable).join("\n\n")}\n\nbench took ${minutes} min\n`);

  const json = `${JSON.stringify(report, null, 2)}\n`;
  fs.mkdirSync(path.join(ROOT, ".cache", "bench"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, ".cache", "bench", "report.json"), json);
  if (settings.docs) {
    fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
    const file = settings.variant ? `benchmarks-${settings.variant}.json` : "benchmarks.json";
    fs.writeFileSync(path.join(ROOT, "docs", file), json);
    writeBenchmarksDoc();
    process.stdout.write(`wrote docs/${file} and docs/benchmarks.md\n`);
  }
  const missed = targets(report).filter((t) => !t.met);
  if (missed.length > 0) {
    process.stderr.write(`targets not met: ${missed.map((t) => t.name).join("; ")}\n`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`npm run bench failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
