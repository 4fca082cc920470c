#!/usr/bin/env node
// @ts-check
/**
 * Makes the real Pulumi engine available: the `pulumi` CLI, a `pulumi-language-nodejs` language host and
 * `pulumi-resource-pulumi-nodejs` (the dynamic provider host), all in one bin directory.
 *
 * - A `pulumi` on PATH that is new enough, together with a `pulumi-language-nodejs` on PATH, is used as it is.
 * - Otherwise both Go programs are built from the wrapper module in tools/pulumi-engine (which pins the
 *   version of github.com/pulumi/pulumi/pkg/v3) into <repo>/.cache/pulumi/v<version>/bin. The build happens in a
 *   temporary directory that is renamed into place, so an interrupted build leaves no half cache. A complete
 *   cache is recognised from its stamp file without running `go`. PULUMI_ENGINE_CACHE_DIR overrides the cache
 *   root (.cache/pulumi), PULUMI_ENGINE_IGNORE_PATH=true skips the PATH check.
 *
 * CLI:    node scripts/ensure-pulumi.js            prints the bin directory on stdout (progress on stderr)
 *         node scripts/ensure-pulumi.js --json     prints { binDir, pulumi, version, source } as JSON
 *         node scripts/ensure-pulumi.js --pin [X]  re-pins tools/pulumi-engine to pkg/v3 vX (default: the
 *                                                   @pulumi/pulumi version), then builds
 *         node scripts/ensure-pulumi.js --for-tests  as without flags, unless MASKINPORTEN_E2E=off (never in CI)
 * Module: const { ensurePulumi, engineEnv } = require("./scripts/ensure-pulumi.js");
 *         const { binDir } = await ensurePulumi();
 *         execFileSync("pulumi", ["version"], { env: engineEnv(binDir) });
 *
 * Plain CommonJS with no dependencies (it runs before TypeScript is compiled), type-checked from its JSDoc by
 * tsconfig.scripts.json. One job per module in scripts/engine/: paths (where things are, logging), versions,
 * cache (hash, stamp, provider host), on-path (an installed CLI), go (toolchain, running commands), build, pin,
 * env (engineEnv, the e2e opt-out) and ensure (choosing among PATH, cache and build).
 */
"use strict";

const { ensurePulumi } = require("./engine/ensure");
const { E2E_OPT_OUT_VARIABLE, e2eOptedOut, engineEnv } = require("./engine/env");
const { log } = require("./engine/paths");
const { pin } = require("./engine/pin");
const { compareVersions, pinnedEngineVersion, sdkVersion } = require("./engine/versions");

/**
 * @param {string[]} argv
 * @returns {Promise<void>}
 */
async function main(argv) {
  if (argv.includes("--for-tests") && e2eOptedOut()) {
    log(`${E2E_OPT_OUT_VARIABLE}=off: not building the engine; the end-to-end tests will be left out`);
    return;
  }
  const i = argv.indexOf("--pin");
  if (i >= 0) {
    const next = argv[i + 1];
    const requested = next && !next.startsWith("--") ? next : sdkVersion();
    await pin(requested);
  }
  const result = await ensurePulumi();
  process.stdout.write(argv.includes("--json") ? `${JSON.stringify(result)}\n` : `${result.binDir}\n`);
}

module.exports = { ensurePulumi, engineEnv, sdkVersion, pinnedEngineVersion, compareVersions, e2eOptedOut, E2E_OPT_OUT_VARIABLE };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    log(`error: ${e.message}`);
    process.exitCode = 1;
  });
}
