/**
 * Lets `npm run bench` and `npm run soak` (plain Node scripts) load the TypeScript modules under test/ —
 * the benchmark, the soak and the end-to-end harness they share with the Jest suites — compiled on the fly
 * by SWC with the options jest.config.js uses.
 */
"use strict";

const fs = require("node:fs");

const OPTIONS = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

function registerTypeScript() {
  if (require.extensions[".ts"]) return;
  const swc = require("@swc/core");
  require.extensions[".ts"] = (module, filename) => {
    const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), { ...OPTIONS, filename });
    module._compile(code, filename);
  };
}

module.exports = { registerTypeScript };
