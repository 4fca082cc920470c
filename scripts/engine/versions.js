// @ts-check
/** Versions: parsing and comparing them, the SDK's, the pinned engine's and the Go the wrapper module needs. */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { PKG_MODULE, ROOT, TOOLS_DIR } = require("./paths");

/** @typedef {{ major: number, minor: number, patch: number, pre: string }} Version */

/**
 * Parses "v3.270.0" / "3.270.0-alpha.1+x" into comparable parts, or null.
 * @param {unknown} text
 * @returns {Version | null}
 */
function parseVersion(text) {
  const m = /v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?/.exec(String(text));
  return m ? { major: +(m[1] ?? 0), minor: +(m[2] ?? 0), patch: +(m[3] ?? 0), pre: m[4] ? m[4].slice(1) : "" } : null;
}

/**
 * Compares two version strings (pre-releases sort before their release).
 * @param {string} a
 * @param {string} b
 * @returns {-1 | 0 | 1}
 */
function compareVersions(a, b) {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`cannot compare versions ${a} and ${b}`);
  for (const k of /** @type {const} */ (["major", "minor", "patch"])) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * The version of the Pulumi Node SDK the project uses (installed copy first, then package.json).
 * @param {string} [root]
 * @returns {string}
 */
function sdkVersion(root = ROOT) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version;
  } catch {
    return declaredSdkVersion(root);
  }
}

/**
 * The @pulumi/pulumi version package.json asks for in development (devDependencies, else dependencies).
 * @param {string} [root]
 * @returns {string}
 */
function declaredSdkVersion(root = ROOT) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const spec = (pkg.devDependencies || {})["@pulumi/pulumi"] || (pkg.dependencies || {})["@pulumi/pulumi"];
  const v = spec && parseVersion(spec);
  if (!v) throw new Error("cannot determine the @pulumi/pulumi version: run npm install");
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** @returns {string} tools/pulumi-engine/go.mod */
function goMod() {
  return fs.readFileSync(path.join(TOOLS_DIR, "go.mod"), "utf8");
}

/**
 * The pkg/v3 version pinned by tools/pulumi-engine/go.mod, without the leading "v".
 * @returns {string}
 */
function pinnedEngineVersion() {
  const m = new RegExp(`^\\s*(?:require\\s+)?${PKG_MODULE.replace(/[./]/g, "\\$&")}\\s+v(\\S+)`, "m").exec(goMod());
  if (!m || m[1] === undefined) throw new Error(`tools/pulumi-engine/go.mod does not require ${PKG_MODULE}`);
  return m[1];
}

/**
 * The minimum Go version the wrapper module needs (its `go` directive).
 * @returns {string}
 */
function requiredGoVersion() {
  const m = /^go\s+(\S+)/m.exec(goMod());
  return m?.[1] ?? "1.25";
}

module.exports = { parseVersion, compareVersions, sdkVersion, declaredSdkVersion, pinnedEngineVersion, requiredGoVersion };
