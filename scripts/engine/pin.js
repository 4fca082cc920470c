// @ts-check
/** Moving the pin of tools/pulumi-engine to another pkg/v3 version. */
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { checkGo, run } = require("./go");
const { log, PKG_MODULE, TOOLS_DIR } = require("./paths");

/**
 * Re-pins the wrapper module to pkg/v3 v<version>: `go get`, copies the non-local `replace` directives of
 * pkg/v3's own go.mod (they do not apply to dependents) and `go mod tidy`.
 * @param {string} version
 * @returns {Promise<void>}
 */
async function pin(version) {
  checkGo();
  const v = `v${version.replace(/^v/, "")}`;
  log(`pinning tools/pulumi-engine to ${PKG_MODULE}@${v}`);
  /** @type {{ GoMod: string }} */
  let info;
  try {
    info = JSON.parse(
      execFileSync("go", ["mod", "download", "-json", `${PKG_MODULE}@${v}`], {
        cwd: TOOLS_DIR,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  } catch (e) {
    const failed = /** @type {{ stdout?: string, stderr?: string, message?: string }} */ (e);
    const detail = (() => {
      try {
        return JSON.parse(failed.stdout ?? "").Error;
      } catch {
        return String(failed.stderr || failed.message).trim();
      }
    })();
    throw new Error(`cannot download ${PKG_MODULE}@${v}: ${detail}`, { cause: e });
  }
  const gomod = fs.readFileSync(info.GoMod, "utf8");
  /** @type {string[]} */
  const edits = [];
  for (const m of gomod.matchAll(/^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s+=>\s+(\S+)\s+(v\S+)\s*$/gm)) {
    const [, from, to, toVersion] = m;
    if (to !== undefined && !to.startsWith(".") && !to.startsWith("/")) edits.push(`-replace=${from}=${to}@${toVersion}`);
  }
  if (edits.length) await run("go", ["mod", "edit", ...edits], { cwd: TOOLS_DIR });
  await run("go", ["get", `${PKG_MODULE}@${v}`], { cwd: TOOLS_DIR });
  await run("go", ["mod", "tidy"], { cwd: TOOLS_DIR });
  log(`pinned; review and commit tools/pulumi-engine/go.mod and go.sum (replaces copied: ${edits.length})`);
}

module.exports = { pin };
