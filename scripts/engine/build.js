// @ts-check
/** Building the engine into the cache: in a temporary directory renamed into place, so no half cache is left. */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { installDynamicProviderHost, isComplete, writeStamp } = require("./cache");
const { checkGo, run } = require("./go");
const { CACHE_ROOT, GO_PROGRAMS, log, TOOLS_DIR, VERSION_VAR } = require("./paths");

/**
 * How long a build with empty Go caches (downloads included) takes on 2 cores, rounded up from the measurements in
 * docs/engine-notes.md (6 min 23 s cold, 9 min 01 s first build). The README and tools/pulumi-engine/README.md
 * state this number; test/unit/tooling-docs.test.ts keeps them agreeing.
 */
const COLD_BUILD_MINUTES = 9;

/**
 * What the script says when it starts a build.
 * @param {string} version
 * @param {string} goVer
 * @returns {string}
 */
function buildingMessage(version, goVer) {
  return (
    `building Pulumi v${version} (pulumi + pulumi-language-nodejs) with go ${goVer}; ` +
    `with empty Go caches this takes about ${COLD_BUILD_MINUTES} minutes on 2 cores...`
  );
}

/** Leftovers of interrupted builds (old enough not to be a build running right now). */
function removeOldLeftovers() {
  for (const name of fs.readdirSync(CACHE_ROOT)) {
    const p = path.join(CACHE_ROOT, name);
    if (/^\.build-|\.old-\d+$/.test(name) && Date.now() - fs.statSync(p).mtimeMs > 2 * 3600_000) {
      fs.rmSync(p, { recursive: true, force: true });
    }
  }
}

/**
 * Builds the pinned engine into CACHE_ROOT/v<version> and returns its bin directory.
 * @param {string} version
 * @param {string} hash  inputsHash() of the wrapper module
 * @returns {Promise<string>}
 */
async function build(version, hash) {
  const goVer = checkGo();
  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  removeOldLeftovers();
  const finalDir = path.join(CACHE_ROOT, `v${version}`);
  const tmpDir = fs.mkdtempSync(path.join(CACHE_ROOT, `.build-v${version}-`));
  fs.chmodSync(tmpDir, 0o755);
  const binDir = path.join(tmpDir, "bin");
  fs.mkdirSync(binDir);
  const started = Date.now();
  log(buildingMessage(version, goVer));
  try {
    await run("go", ["build", "-trimpath", "-ldflags", `-s -w -X ${VERSION_VAR}=v${version}`, "-o", binDir + path.sep, ...GO_PROGRAMS], {
      cwd: TOOLS_DIR,
      env: process.env,
    });
    installDynamicProviderHost(binDir);
    const seconds = Math.round((Date.now() - started) / 1000);
    writeStamp(tmpDir, { version, inputsHash: hash, go: goVer, builtAt: new Date().toISOString(), buildSeconds: seconds });
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

module.exports = { COLD_BUILD_MINUTES, buildingMessage, build };
