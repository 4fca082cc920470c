#!/usr/bin/env node
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
 * Module: const { ensurePulumi, engineEnv } = require("./scripts/ensure-pulumi.js");
 *         const { binDir } = await ensurePulumi();
 *         execFileSync("pulumi", ["version"], { env: engineEnv(binDir) });
 *
 * Plain CommonJS with no dependencies: it runs before TypeScript is compiled.
 */
"use strict";

const { execFileSync, spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const TOOLS_DIR = path.join(ROOT, "tools", "pulumi-engine");
// PULUMI_ENGINE_CACHE_DIR lets several clones (e.g. CI's fresh clones) share one cache.
const CACHE_ROOT = path.resolve(process.env.PULUMI_ENGINE_CACHE_DIR || path.join(ROOT, ".cache", "pulumi"));
const PKG_MODULE = "github.com/pulumi/pulumi/pkg/v3";
const VERSION_VAR = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
// Import paths of the two programs in the wrapper module.
const GO_PROGRAMS = [`${PKG_MODULE}/cmd/pulumi`, "./cmd/pulumi-language-nodejs"];
const DYNAMIC_PROVIDER_HOST = "pulumi-resource-pulumi-nodejs";
const BINARIES = ["pulumi", "pulumi-language-nodejs", DYNAMIC_PROVIDER_HOST];
const GO_INSTALL_HINT = "install Go >= 1.25 (https://go.dev/doc/install) or install the Pulumi CLI " +
  "(https://www.pulumi.com/docs/install/) so that `pulumi` and `pulumi-language-nodejs` are on PATH";

function log(message) {
  process.stderr.write(`[ensure-pulumi] ${message}\n`);
}

/** Parses "v3.270.0" / "3.270.0-alpha.1+x" into comparable parts, or null. */
function parseVersion(text) {
  const m = /v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?/.exec(String(text));
  return m ? { major: +m[1], minor: +m[2], patch: +m[3], pre: m[4] ? m[4].slice(1) : "" } : null;
}

/** Compares two version strings (pre-releases sort before their release). */
function compareVersions(a, b) {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`cannot compare versions ${a} and ${b}`);
  for (const k of ["major", "minor", "patch"]) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The version of the Pulumi Node SDK the project uses (installed copy first, then package.json). */
function sdkVersion(root = ROOT) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version;
  } catch {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const spec = (pkg.devDependencies || {})["@pulumi/pulumi"] || (pkg.dependencies || {})["@pulumi/pulumi"];
    const v = spec && parseVersion(spec);
    if (!v) throw new Error("cannot determine the @pulumi/pulumi version: run npm install");
    return `${v.major}.${v.minor}.${v.patch}`;
  }
}

/** The pkg/v3 version pinned by tools/pulumi-engine/go.mod, without the leading "v". */
function pinnedEngineVersion() {
  const gomod = fs.readFileSync(path.join(TOOLS_DIR, "go.mod"), "utf8");
  const m = new RegExp(`^\\s*(?:require\\s+)?${PKG_MODULE.replace(/[./]/g, "\\$&")}\\s+v(\\S+)`, "m").exec(gomod);
  if (!m) throw new Error(`tools/pulumi-engine/go.mod does not require ${PKG_MODULE}`);
  return m[1];
}

/** The minimum Go version the wrapper module needs (its `go` directive). */
function requiredGoVersion() {
  const m = /^go\s+(\S+)/m.exec(fs.readFileSync(path.join(TOOLS_DIR, "go.mod"), "utf8"));
  return m ? m[1] : "1.25";
}

/** Hash of everything the cached binaries are built from. */
function inputsHash() {
  const h = crypto.createHash("sha256");
  const files = [];
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

function isExecutableFile(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** First executable `name` on PATH, ignoring this repository's own cache. */
function findOnPath(name, envPath = process.env.PATH || "") {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir || path.resolve(dir).startsWith(CACHE_ROOT + path.sep)) continue;
    const p = path.join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return null;
}

/** `pulumi version` of a binary, e.g. "3.270.0", or null if it cannot tell. */
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

function goVersion() {
  try {
    const out = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.trim().replace(/^go/, "");
  } catch (e) {
    return e.code === "ENOENT" ? null : "";
  }
}

function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    // Child output goes to stderr: stdout is reserved for the bin directory.
    const child = spawn(cmd, args, { stdio: ["ignore", 2, 2], ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${signal || `exit ${code}`})`)),
    );
  });
}

function readStamp(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "stamp.json"), "utf8"));
  } catch {
    return null;
  }
}

function isComplete(dir, hash) {
  const stamp = readStamp(dir);
  return !!stamp && stamp.inputsHash === hash && BINARIES.every((b) => isExecutableFile(path.join(dir, "bin", b)));
}

/** Copies the SDK's dynamic provider host script into binDir (only when it differs). */
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

function checkGo() {
  const have = goVersion();
  const need = requiredGoVersion();
  if (have === null) throw new Error(`the Pulumi engine must be built but \`go\` is not on PATH: ${GO_INSTALL_HINT}`);
  // "1.26.8", "1.26" or "1.27rc1" -> x.y.z
  const normal = (v) => {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
    return m ? `${m[1]}.${m[2]}.${m[3] || 0}` : null;
  };
  if (!normal(have)) throw new Error(`cannot tell the version of \`go\` (${have || "no output"}): ${GO_INSTALL_HINT}`);
  if (compareVersions(normal(have), normal(need)) < 0) {
    throw new Error(`go ${have} is too old to build the Pulumi engine (needs go >= ${need}): ${GO_INSTALL_HINT}`);
  }
  return have;
}

async function build(version, hash) {
  const goVer = checkGo();
  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  // Leftovers of interrupted builds (old enough not to be a build running right now).
  for (const name of fs.readdirSync(CACHE_ROOT)) {
    const p = path.join(CACHE_ROOT, name);
    if (/^\.build-|\.old-\d+$/.test(name) && Date.now() - fs.statSync(p).mtimeMs > 2 * 3600_000) {
      fs.rmSync(p, { recursive: true, force: true });
    }
  }
  const finalDir = path.join(CACHE_ROOT, `v${version}`);
  const tmpDir = fs.mkdtempSync(path.join(CACHE_ROOT, `.build-v${version}-`));
  fs.chmodSync(tmpDir, 0o755);
  const binDir = path.join(tmpDir, "bin");
  fs.mkdirSync(binDir);
  const started = Date.now();
  log(`building Pulumi v${version} (pulumi + pulumi-language-nodejs) with go ${goVer}; ` +
    "with an empty Go build cache this takes 10-30 min on 2 cores...");
  try {
    await run("go", [
      "build", "-trimpath",
      "-ldflags", `-s -w -X ${VERSION_VAR}=v${version}`,
      "-o", binDir + path.sep,
      ...GO_PROGRAMS,
    ], { cwd: TOOLS_DIR, env: process.env });
    installDynamicProviderHost(binDir);
    const seconds = Math.round((Date.now() - started) / 1000);
    fs.writeFileSync(path.join(tmpDir, "stamp.json"), JSON.stringify({
      version, inputsHash: hash, go: goVer, builtAt: new Date().toISOString(), buildSeconds: seconds,
    }, null, 2) + "\n");
    if (fs.existsSync(finalDir)) {
      // A stale or partial cache from an older wrapper module: move it aside, then replace it.
      const old = `${finalDir}.old-${process.pid}`;
      fs.renameSync(finalDir, old);
      fs.rmSync(old, { recursive: true, force: true });
    }
    try {
      fs.renameSync(tmpDir, finalDir);
    } catch (e) {
      // Another process finished the same build first.
      if (!isComplete(finalDir, hash)) throw e;
      fs.rmSync(tmpDir, { recursive: true, force: true });
    }
    log(`built Pulumi v${version} in ${seconds}s into ${finalDir}`);
    return path.join(finalDir, "bin");
  } catch (e) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Ensures a Pulumi engine is available.
 * @returns {Promise<{ binDir: string, pulumi: string, version: string, source: "path" | "cache" | "built" }>}
 */
async function ensurePulumi(options = {}) {
  const quiet = !!options.quiet;
  const say = quiet ? () => {} : log;
  const wanted = sdkVersion();
  const pinned = pinnedEngineVersion();
  if (parseVersion(pinned).major !== parseVersion(wanted).major) {
    throw new Error(`tools/pulumi-engine pins Pulumi v${pinned} but @pulumi/pulumi is ${wanted} (another major ` +
      "version): re-pin with `node scripts/ensure-pulumi.js --pin` (see tools/pulumi-engine/README.md)");
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
    say(`note: @pulumi/pulumi is ${wanted}; the engine is pinned to v${pinned} in tools/pulumi-engine ` +
      "(see its README)");
  }
  const hash = inputsHash();
  const dir = path.join(CACHE_ROOT, `v${pinned}`);
  let binDir = path.join(dir, "bin");
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

/**
 * Environment for running the engine: binDir and this repo's node_modules/.bin (Node 24) first on PATH, no update
 * checks and no plugin downloads. `extra` is merged last.
 */
function engineEnv(binDir, extra = {}, base = process.env) {
  const PATH = [binDir, path.join(ROOT, "node_modules", ".bin"), base.PATH || ""].filter(Boolean)
    .join(path.delimiter);
  return {
    ...base,
    PATH,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...extra,
  };
}

/**
 * Re-pins the wrapper module to pkg/v3 v<version>: `go get`, copies the non-local `replace` directives of
 * pkg/v3's own go.mod (they do not apply to dependents) and `go mod tidy`.
 */
async function pin(version) {
  checkGo();
  const v = `v${version.replace(/^v/, "")}`;
  log(`pinning tools/pulumi-engine to ${PKG_MODULE}@${v}`);
  let info;
  try {
    info = JSON.parse(execFileSync("go", ["mod", "download", "-json", `${PKG_MODULE}@${v}`], {
      cwd: TOOLS_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
    }));
  } catch (e) {
    const detail = (() => {
      try {
        return JSON.parse(e.stdout).Error;
      } catch {
        return String(e.stderr || e.message).trim();
      }
    })();
    throw new Error(`cannot download ${PKG_MODULE}@${v}: ${detail}`, { cause: e });
  }
  const gomod = fs.readFileSync(info.GoMod, "utf8");
  const edits = [];
  for (const m of gomod.matchAll(/^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s+=>\s+(\S+)\s+(v\S+)\s*$/gm)) {
    if (!m[2].startsWith(".") && !m[2].startsWith("/")) edits.push(`-replace=${m[1]}=${m[2]}@${m[3]}`);
  }
  if (edits.length) await run("go", ["mod", "edit", ...edits], { cwd: TOOLS_DIR });
  await run("go", ["get", `${PKG_MODULE}@${v}`], { cwd: TOOLS_DIR });
  await run("go", ["mod", "tidy"], { cwd: TOOLS_DIR });
  log(`pinned; review and commit tools/pulumi-engine/go.mod and go.sum (replaces copied: ${edits.length})`);
}

/** The explicit opt-out of the end-to-end tests for machines without Go or Pulumi; never honoured in CI. */
const E2E_OPT_OUT_VARIABLE = "MASKINPORTEN_E2E";

function e2eOptedOut(env = process.env) {
  if (env[E2E_OPT_OUT_VARIABLE] !== "off") return false;
  if (env.CI && env.CI !== "false") {
    throw new Error(`${E2E_OPT_OUT_VARIABLE}=off is set in CI; CI must run the end-to-end tests (unset it)`);
  }
  return true;
}

async function main(argv) {
  if (argv.includes("--for-tests") && e2eOptedOut()) {
    log(`${E2E_OPT_OUT_VARIABLE}=off: not building the engine; the end-to-end tests will be left out`);
    return;
  }
  const i = argv.indexOf("--pin");
  if (i >= 0) {
    const requested = argv[i + 1] && !argv[i + 1].startsWith("--") ? argv[i + 1] : sdkVersion();
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
