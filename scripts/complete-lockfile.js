#!/usr/bin/env node
/**
 * Run after `npm install` on a machine whose registry does not serve other platforms' optional binaries
 * (e.g. @swc/core-darwin-arm64): npm then leaves them out of package-lock.json and `npm ci` refuses the lock
 * as out of sync. This adds their entries in the shape npm writes them (version, os, cpu, libc, optional);
 * on a non-matching platform npm skips them without fetching, elsewhere it fetches them from the registry.
 */
const fs = require("fs");
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const pk = lock.packages;
const CPUS = ["arm64", "x64", "ia32", "ppc64", "s390x", "loong64", "riscv64", "arm"];
const OSES = ["darwin", "linux", "win32", "android", "freebsd", "openharmony"];
function platform(name) {
  const parts = name.split("/").pop().split("-");
  const os = parts.find((p) => OSES.includes(p));
  const cpu = parts.find((p) => CPUS.includes(p));
  const abi = parts[parts.indexOf(cpu) + 1];
  const libc = os === "linux" && abi ? (abi.startsWith("musl") ? "musl" : abi.startsWith("gnu") ? "glibc" : undefined) : undefined;
  if (!os || !cpu) throw new Error(`cannot read the platform of ${name}`);
  return { os, cpu, libc };
}
let added = 0;
for (const entry of Object.values(pk)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies || {})) {
    if (pk[`node_modules/${dep}`]) continue;
    const sibling =
      pk[Object.keys(pk).find((k) => k.startsWith(`node_modules/${dep.split("/")[0]}/`) && pk[k].optional && pk[k].os) ?? ""] ?? {};
    const { os, cpu, libc } = platform(dep);
    pk[`node_modules/${dep}`] = {
      version,
      cpu: [cpu],
      dev: true,
      ...(libc && { libc: [libc] }),
      ...(sibling.license && { license: sibling.license }),
      optional: true,
      os: [os],
      ...(sibling.engines && { engines: sibling.engines }),
    };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} entries`);
