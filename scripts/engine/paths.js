// @ts-check
/** Where the engine is built from and cached, and the names of what is built. */
"use strict";

const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const TOOLS_DIR = path.join(ROOT, "tools", "pulumi-engine");
// PULUMI_ENGINE_CACHE_DIR lets several clones (e.g. CI's fresh clones) share one cache.
const CACHE_ROOT = path.resolve(process.env.PULUMI_ENGINE_CACHE_DIR || path.join(ROOT, ".cache", "pulumi"));
const PKG_MODULE = "github.com/pulumi/pulumi/pkg/v3";
const VERSION_VAR = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
// Import paths of the two programs in the wrapper module.
const GO_PROGRAMS = [`${PKG_MODULE}/cmd/pulumi`, "./cmd/pulumi-language-nodejs"];
const DYNAMIC_PROVIDER_HOST = "pulumi-resource-pulumi-nodejs";
const BINARIES = ["pulumi", "pulumi-language-nodejs", DYNAMIC_PROVIDER_HOST];

/** @param {string} message */
function log(message) {
  process.stderr.write(`[ensure-pulumi] ${message}\n`);
}

module.exports = { ROOT, TOOLS_DIR, CACHE_ROOT, PKG_MODULE, VERSION_VAR, GO_PROGRAMS, DYNAMIC_PROVIDER_HOST, BINARIES, log };
