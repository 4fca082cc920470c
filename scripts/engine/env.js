// @ts-check
/** The environment the engine runs in, and the explicit opt-out of the end-to-end tests. */
"use strict";

const path = require("node:path");
const { ROOT } = require("./paths");

/**
 * Environment for running the engine: binDir and this repo's node_modules/.bin (Node 24) first on PATH, no update
 * checks and no plugin downloads. `extra` is merged last.
 * @param {string} binDir
 * @param {NodeJS.ProcessEnv} [extra]
 * @param {NodeJS.ProcessEnv} [base]
 * @returns {NodeJS.ProcessEnv}
 */
function engineEnv(binDir, extra = {}, base = process.env) {
  const PATH = [binDir, path.join(ROOT, "node_modules", ".bin"), base.PATH || ""].filter(Boolean).join(path.delimiter);
  return {
    ...base,
    PATH,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...extra,
  };
}

/** The explicit opt-out of the end-to-end tests for machines without Go or Pulumi; never honoured in CI. */
const E2E_OPT_OUT_VARIABLE = "MASKINPORTEN_E2E";

/**
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {boolean}
 */
function e2eOptedOut(env = process.env) {
  if (env[E2E_OPT_OUT_VARIABLE] !== "off") return false;
  if (env.CI && env.CI !== "false") {
    throw new Error(`${E2E_OPT_OUT_VARIABLE}=off is set in CI; CI must run the end-to-end tests (unset it)`);
  }
  return true;
}

module.exports = { engineEnv, E2E_OPT_OUT_VARIABLE, e2eOptedOut };
