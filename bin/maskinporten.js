#!/usr/bin/env node
"use strict";
// A reader that stops early (`maskinporten keys list | head`) closes the pipe: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err && err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}
// Before anything loads undici or jose: an old Node.js gets one line saying what to do, not their stack traces.
try {
  require("../dist/provider/api/node-support.js");
} catch (err) {
  process.stderr.write(`maskinporten: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
}
require("../dist/cli/main.js")
  .run(process.argv)
  .catch((err) => {
    process.stderr.write(`maskinporten: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
