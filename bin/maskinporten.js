#!/usr/bin/env node
"use strict";
require("../dist/cli/main.js")
  .run(process.argv)
  .catch((err) => {
    process.stderr.write(`maskinporten: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
