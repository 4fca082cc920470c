// @ts-check
/** Choosing the engine: a recent enough `pulumi` on PATH, else the complete cache, else a build. */
"use strict";

const path = require("node:path");
const { build } = require("./build");
const { inputsHash, installDynamicProviderHost, isComplete } = require("./cache");
const { findOnPath, pulumiVersionOf } = require("./on-path");
const { CACHE_ROOT, log } = require("./paths");
const { compareVersions, parseVersion, pinnedEngineVersion, sdkVersion } = require("./versions");

/** @typedef {{ binDir: string, pulumi: string, version: string, source: "path" | "cache" | "built" }} Engine */

/**
 * Ensures a Pulumi engine is available.
 * @param {{ quiet?: boolean, noPath?: boolean }} [options]
 * @returns {Promise<Engine>}
 */
async function ensurePulumi(options = {}) {
  /** @type {(message: string) => void} */
  const say = options.quiet ? () => {} : log;
  const wanted = sdkVersion();
  const pinned = pinnedEngineVersion();
  if (parseVersion(pinned)?.major !== parseVersion(wanted)?.major) {
    throw new Error(
      `tools/pulumi-engine pins Pulumi v${pinned} but @pulumi/pulumi is ${wanted} (another major ` +
        "version): re-pin with `node scripts/ensure-pulumi.js --pin` (see tools/pulumi-engine/README.md)",
    );
  }
  // An installed CLI is good enough when it is at least as new as what we would build ourselves.
  const minimum = compareVersions(pinned, wanted) < 0 ? pinned : wanted;

  if (!options.noPath && process.env.PULUMI_ENGINE_IGNORE_PATH !== "true") {
    const pulumi = findOnPath("pulumi");
    const host = pulumi && findOnPath("pulumi-language-nodejs");
    if (pulumi && host) {
      const version = pulumiVersionOf(pulumi);
      if (version && compareVersions(version, minimum) >= 0) {
        const binDir = path.dirname(pulumi);
        say(`using Pulumi v${version} from PATH (${pulumi})`);
        return { binDir, pulumi, version, source: "path" };
      }
      say(`ignoring ${pulumi} (version ${version || "unknown"}, need >= ${minimum})`);
    }
  }

  if (pinned !== wanted) {
    say(`note: @pulumi/pulumi is ${wanted}; the engine is pinned to v${pinned} in tools/pulumi-engine ` + "(see its README)");
  }
  const hash = inputsHash();
  const dir = path.join(CACHE_ROOT, `v${pinned}`);
  let binDir = path.join(dir, "bin");
  /** @type {Engine["source"]} */
  let source = "cache";
  if (!isComplete(dir, hash)) {
    binDir = await build(pinned, hash);
    source = "built";
  } else {
    installDynamicProviderHost(binDir); // cheap; follows the installed @pulumi/pulumi
  }
  const pulumi = path.join(binDir, "pulumi");
  if (source === "cache") say(`using cached Pulumi v${pinned} (${binDir})`);
  return { binDir, pulumi, version: pinned, source };
}

module.exports = { ensurePulumi };
