// @ts-check
/** The built engine's cache: what it is built from (the hash), whether a cache dir is complete, the provider host. */
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { BINARIES, DYNAMIC_PROVIDER_HOST, ROOT, TOOLS_DIR } = require("./paths");

/**
 * What a complete cache dir records of its build.
 * @typedef {{ version: string, inputsHash: string, go: string, builtAt: string, buildSeconds: number }} Stamp
 */

/**
 * Hash of everything the cached binaries are built from.
 * @returns {string}
 */
function inputsHash() {
  const h = crypto.createHash("sha256");
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.go$|^go\.(mod|sum)$/.test(e.name)) files.push(p);
    }
  };
  walk(TOOLS_DIR);
  for (const f of files.sort()) h.update(path.relative(TOOLS_DIR, f)).update("\0").update(fs.readFileSync(f));
  return h.digest("hex");
}

/**
 * @param {string} p
 * @returns {boolean}
 */
function isExecutableFile(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * @param {string} dir
 * @returns {Stamp | null}
 */
function readStamp(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "stamp.json"), "utf8"));
  } catch {
    return null;
  }
}

/**
 * @param {string} dir
 * @param {Stamp} stamp
 */
function writeStamp(dir, stamp) {
  fs.writeFileSync(path.join(dir, "stamp.json"), JSON.stringify(stamp, null, 2) + "\n");
}

/**
 * A cache dir built from these inputs, with every binary in place.
 * @param {string} dir
 * @param {string} hash
 * @returns {boolean}
 */
function isComplete(dir, hash) {
  const stamp = readStamp(dir);
  return !!stamp && stamp.inputsHash === hash && BINARIES.every((b) => isExecutableFile(path.join(dir, "bin", b)));
}

/**
 * Copies the SDK's dynamic provider host script into binDir (only when it differs).
 * @param {string} binDir
 * @param {string} [root]
 */
function installDynamicProviderHost(binDir, root = ROOT) {
  const src = path.join(root, "node_modules/@pulumi/pulumi", DYNAMIC_PROVIDER_HOST);
  const dest = path.join(binDir, DYNAMIC_PROVIDER_HOST);
  const text = fs.readFileSync(src);
  if (fs.existsSync(dest) && fs.readFileSync(dest).equals(text) && isExecutableFile(dest)) return;
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, dest);
}

module.exports = { inputsHash, isExecutableFile, readStamp, writeStamp, isComplete, installDynamicProviderHost };
