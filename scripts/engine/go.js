// @ts-check
/** Go: the toolchain the engine is built with, and running it (or any command) with output on stderr. */
"use strict";

const { execFileSync, spawn } = require("node:child_process");
const { compareVersions, requiredGoVersion } = require("./versions");

const GO_INSTALL_HINT =
  "install Go >= 1.25 (https://go.dev/doc/install) or install the Pulumi CLI " +
  "(https://www.pulumi.com/docs/install/) so that `pulumi` and `pulumi-language-nodejs` are on PATH";

/**
 * `go env GOVERSION` without the "go", "" when go runs but cannot tell, null when there is no go.
 * @returns {string | null}
 */
function goVersion() {
  try {
    const out = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.trim().replace(/^go/, "");
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === "ENOENT" ? null : "";
  }
}

/**
 * "1.26.8", "1.26" or "1.27rc1" -> x.y.z, or null.
 * @param {string} v
 * @returns {string | null}
 */
function normalGoVersion(v) {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? `${m[1]}.${m[2]}.${m[3] || 0}` : null;
}

/**
 * The Go version on PATH, or an error that says how to get one new enough.
 * @returns {string}
 */
function checkGo() {
  const have = goVersion();
  const need = requiredGoVersion();
  if (have === null) throw new Error(`the Pulumi engine must be built but \`go\` is not on PATH: ${GO_INSTALL_HINT}`);
  const haveNormal = normalGoVersion(have);
  if (!haveNormal) throw new Error(`cannot tell the version of \`go\` (${have || "no output"}): ${GO_INSTALL_HINT}`);
  if (compareVersions(haveNormal, normalGoVersion(need) ?? need) < 0) {
    throw new Error(`go ${have} is too old to build the Pulumi engine (needs go >= ${need}): ${GO_INSTALL_HINT}`);
  }
  return have;
}

/**
 * Runs a command to its end; its output goes to stderr (stdout is reserved for the bin directory).
 * @param {string} cmd
 * @param {string[]} args
 * @param {import("node:child_process").SpawnOptions} [options]
 * @returns {Promise<void>}
 */
function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", 2, 2], ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${signal || `exit ${code}`})`)),
    );
  });
}

module.exports = { GO_INSTALL_HINT, goVersion, checkGo, run };
