// @ts-check
/** An installed Pulumi CLI: finding it on PATH and asking its version. */
"use strict";

const { execFileSync } = require("node:child_process");
const path = require("node:path");
const { isExecutableFile } = require("./cache");
const { CACHE_ROOT } = require("./paths");
const { parseVersion } = require("./versions");

/**
 * First executable `name` on PATH, ignoring this repository's own cache.
 * @param {string} name
 * @param {string} [envPath]
 * @returns {string | null}
 */
function findOnPath(name, envPath = process.env.PATH || "") {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir || path.resolve(dir).startsWith(CACHE_ROOT + path.sep)) continue;
    const p = path.join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return null;
}

/**
 * `pulumi version` of a binary, e.g. "3.270.0", or null if it cannot tell.
 * @param {string} pulumiPath
 * @returns {string | null}
 */
function pulumiVersionOf(pulumiPath) {
  try {
    const out = execFileSync(pulumiPath, ["version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    const v = parseVersion(out.trim());
    return v ? out.trim().replace(/^v/, "") : null;
  } catch {
    return null;
  }
}

module.exports = { findOnPath, pulumiVersionOf };
