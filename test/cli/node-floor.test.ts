/**
 * An unsupported Node.js is refused with one clear message (the version found, the version needed, what to do)
 * by every entry point of the built package and by the `maskinporten` command, before undici or jose load: on
 * Node 20 they would crash with `TypeError: Cannot read properties of undefined (reading 'bind')` (undici 8)
 * or ERR_REQUIRE_ESM (jose 6).
 *
 * The built files run in subprocesses under every Node.js older than the floor found on PATH outside
 * node_modules (the machine's own Node, e.g. /usr/bin/node 20), and under this repository's Node with
 * `process.versions.node` set to an old version before anything loads, so the refusal is proven on any machine.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, sep } from "node:path";
import { compareVersions, MINIMUM_NODE_VERSION, unsupportedNodeError } from "../../provider/api/node-support";
import { BIN, ensureBuilt, ROOT } from "./helpers";

const ENTRY_POINTS = [
  "pulumi-maskinporten",
  "pulumi-maskinporten/tokens",
  "pulumi-maskinporten/keys",
  "pulumi-maskinporten/provider",
  "pulumi-maskinporten/api",
  "pulumi-maskinporten/simulator",
];

/** Records, on stderr, every module whose loading would mean the check came too late. */
const WATCH_LOADS = `
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/(^|[\\\\/])(undici|jose|zod|@pulumi[\\\\/]pulumi)([\\\\/]|$)/.test(request)) process.stderr.write("[loaded too early] " + request + "\\n");
  return load.call(this, request, ...rest);
};
`;
const PRETEND_OLD = `Object.defineProperty(process.versions, "node", { value: "20.19.0" });\n`;

interface OldNode {
  label: string;
  executable: string;
  version: string;
  preload: string;
}

/** The `node` executables on PATH outside any node_modules that are older than the floor. */
function oldNodesOnPath(): { executable: string; version: string }[] {
  const seen = new Set<string>();
  const found: { executable: string; version: string }[] = [];
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (!dir || dir.split(sep).includes("node_modules")) continue;
    let executable: string;
    try {
      executable = realpathSync(join(dir, "node"));
    } catch {
      continue;
    }
    if (seen.has(executable)) continue;
    seen.add(executable);
    const version = execFileSync(executable, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
    if (compareVersions(version, MINIMUM_NODE_VERSION) < 0) found.push({ executable, version });
  }
  return found;
}

describe("an unsupported Node.js is refused clearly, before undici loads", () => {
  let work: string;
  const nodes: OldNode[] = [];

  beforeAll(() => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), "maskinporten-node-floor-"));
    writeFileSync(join(work, "watch.js"), WATCH_LOADS);
    writeFileSync(join(work, "pretend-old.js"), PRETEND_OLD + WATCH_LOADS);
    for (const old of oldNodesOnPath())
      nodes.push({ label: `${old.executable} (${old.version})`, ...old, preload: join(work, "watch.js") });
    nodes.push({
      label: "this repository's Node, reporting 20.19.0",
      executable: process.execPath,
      version: "20.19.0",
      preload: join(work, "pretend-old.js"),
    });
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("the floor is package.json's engines.node", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
  });

  it("versions compare numerically, and only older ones are refused", () => {
    expect(compareVersions("22.9.0", "22.19.0")).toBeLessThan(0);
    expect(compareVersions("v22.19.0", "22.19.0")).toBe(0);
    expect(compareVersions("24.0.0-pre", "22.19.0")).toBeGreaterThan(0);
    expect(unsupportedNodeError("22.19.0", "node")).toBeUndefined();
    expect(unsupportedNodeError("23.0.0", "node")).toBeUndefined();
    expect(unsupportedNodeError("22.18.9", "/opt/node")?.message).toContain("this is Node.js 22.18.9 (/opt/node)");
  });

  it("every old Node.js on PATH outside node_modules is tried (on this machine the system Node 20, when present)", () => {
    // Printed so a reader of the test output sees whether a real old Node ran, not only the pretended one.
    console.info(`old Node.js executables tried: ${nodes.map((n) => n.label).join("; ")}`);
    const real = oldNodesOnPath().map((n) => n.executable);
    expect(nodes.map((n) => n.executable)).toEqual([...real, process.execPath]);
  });

  it.each(ENTRY_POINTS)("require(%p) throws the refusal: found, needed, what to do", (entry) => {
    for (const node of nodes) {
      const result = spawnSync(node.executable, ["-r", node.preload, "-e", `require(${JSON.stringify(entry)})`], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect({ node: node.label, status: result.status }).toEqual({ node: node.label, status: 1 });
      expectRefusal(result.stderr, node);
      expect(result.stderr).toContain("UnsupportedNodeError");
    }
  });

  it("the maskinporten command prints the refusal on one line and exits 1, whatever the subcommand", () => {
    for (const node of nodes) {
      for (const args of [["--version"], ["keys", "list", "--client-id", "x"], ["simulator"]]) {
        const result = spawnSync(node.executable, ["-r", node.preload, BIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
        expect({ node: node.label, args, status: result.status, stdout: result.stdout }).toEqual({
          node: node.label,
          args,
          status: 1,
          stdout: "",
        });
        expectRefusal(result.stderr, node);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toMatch(/^maskinporten: pulumi-maskinporten needs Node\.js/);
      }
    }
  });
});

function expectRefusal(stderr: string, node: OldNode): void {
  expect(stderr).toContain(`needs Node.js ${MINIMUM_NODE_VERSION} or newer`);
  expect(stderr).toContain(`this is Node.js ${node.version}`);
  expect(stderr).toMatch(/Install Node\.js 22 \(22\.19 or later\) or 24/);
  expect(stderr).not.toContain("[loaded too early]");
  expect(stderr).not.toMatch(/reading 'bind'|ERR_REQUIRE_ESM|undici/);
}
