/**
 * The `maskinporten simulator` command, run as a real subprocess from `bin/` (compiled `dist/`, built here
 * when missing or older than the sources).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preset, type SimulatorHandle, type StartupInfo } from "../../simulator";
import { api, clientBody, requestToken, testVariantArgs, type PrivateJwk } from "./helpers";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "maskinporten.js");
const DIST_MAIN = join(ROOT, "dist", "cli", "main.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const sources = Math.max(...["cli", "simulator", join("provider", "api")].map((d) => newestMtime(join(ROOT, d))));
  if (existsSync(DIST_MAIN) && statSync(DIST_MAIN).mtimeMs >= sources) return;
  // Type errors elsewhere in the tree do not stop tsc from emitting; only the output matters here.
  spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "ignore",
  });
  if (!existsSync(DIST_MAIN)) throw new Error("npm run build did not produce dist/cli/main.js");
}

interface Running {
  child: ChildProcess;
  info: StartupInfo;
  stdoutLines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, "simulator", ...testVariantArgs(), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const stdoutLines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no startup line within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      let nl: number;
      while ((nl = stdout.indexOf("\n")) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        stdoutLines.push(line);
        if (stdoutLines.length === 1) {
          clearTimeout(timer);
          resolve({ child, info: JSON.parse(line) as StartupInfo, stdoutLines, stderr: () => stderr, exited });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing; stderr: ${stderr}`));
    });
  });
}

function runToExit(args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, "simulator", ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** Just enough of a handle for the helpers. */
function asHandle(info: StartupInfo): SimulatorHandle {
  return { url: info.url, issuer: info.issuer, tokenEndpoint: info.token_endpoint, apiBaseUrl: info.api_base_url } as SimulatorHandle;
}

async function adminCaller(info: StartupInfo, index = 0) {
  const org = info.orgs[index]!;
  const token = await requestToken(asHandle(info), {
    clientId: org.admin_client_id,
    privateJwk: org.admin_key as PrivateJwk,
    scope: org.admin_scopes.join(" "),
  });
  expect(token.status).toBe(200);
  return api(asHandle(info), token.body.access_token);
}

describe("maskinporten simulator (CLI)", () => {
  const running: ChildProcess[] = [];

  beforeAll(() => {
    ensureBuilt();
  }, 120_000);

  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("prints one JSON line, serves the API with the printed admin key, and exits 0 on SIGTERM", async () => {
    const sim = await startCli(["--port", "0", "--quiet"]);
    running.push(sim.child);
    const { info } = sim;
    expect(info).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      issuer: `${info.url}/`,
      token_endpoint: `${info.url}/token`,
      jwks_uri: `${info.url}/jwk`,
      api_base_url: `${info.url}/api/v1`,
    });
    expect(info.orgs.map((o) => o.orgno)).toEqual(["311000004", "312000008", "313000001"]);
    expect(info.orgs[0]).toMatchObject({ name: "Eksempel API-tilbyder AS", prefixes: ["eksempel"], admin_client_id: "oidc_311000004_api" });
    expect(info.orgs[0]!.admin_key).toMatchObject({ kty: "RSA", kid: expect.any(String), alg: "RS256", d: expect.any(String) });

    const caller = await adminCaller(info);
    const list = await caller.get("/clients");
    expect(list.status).toBe(200);
    expect(list.body.map((c: { client_id: string }) => c.client_id)).toEqual(["oidc_311000004_api", "oidc_311000004_cert"]);

    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
    expect(sim.stdoutLines).toHaveLength(1);
    expect(sim.stderr()).toBe("");
  });

  it("--variant and repeated --set choose the switches, printed in the startup line and obeyed by the API", async () => {
    const sim = await startCli(["--port", "0", "--quiet", "--variant", "adverse", "--set", "createAnswer=204", "--set", "keylessJwks=404"]);
    running.push(sim.child);
    expect(sim.info.variant).toEqual({ ...preset("adverse"), createAnswer: "204", keylessJwks: "404" });
    const caller = await adminCaller(sim.info, 1);
    const created = await caller.post("/clients", clientBody({ client_name: "cli-variant" }));
    expect(created.status).toBe(204);
    const id = ((await caller.get("/clients")).body as { client_id: string; client_name: string }[]).find(
      (c) => c.client_name === "cli-variant",
    )!.client_id;
    expect((await caller.get(`/clients/${id}/jwks`)).status).toBe(404);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  });

  it("exits 2 naming the switch for an unknown switch, value or preset", () => {
    const unknownSwitch = runToExit(["--set", "nope=1"]);
    expect(unknownSwitch.status).toBe(2);
    expect(unknownSwitch.stderr).toMatch(/--set: unknown switch "nope"/);
    const badValue = runToExit(["--set", "deleteAnswer=410"]);
    expect(badValue.status).toBe(2);
    expect(badValue.stderr).toMatch(/--set\.deleteAnswer: must be one of 200, 200-empty, 201, 201-empty, 204/);
    const badPreset = runToExit(["--variant", "hostile"]);
    expect(badPreset.status).toBe(2);
    expect(badPreset.stderr).toMatch(/variant\.base: must be one of default, adverse/);
    expect(badPreset.stdout).toBe("");
  });

  it("logs for humans on stderr unless --quiet, and stops on SIGINT", async () => {
    const sim = await startCli(["--port", "0"]);
    running.push(sim.child);
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    sim.child.kill("SIGINT");
    expect(await sim.exited).toBe(0);
    expect(sim.stderr()).toMatch(/SIGINT, shutting down/);
  });

  it("keeps state in --state FILE across a restart, with the same printed credentials", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-cli-state-"));
    try {
      const file = join(dir, "sim.json");
      const first = await startCli(["--port", "0", "--quiet", "--state", file]);
      running.push(first.child);
      const caller = await adminCaller(first.info, 1);
      const created = await caller.post("/clients", clientBody());
      expect(created.status).toBe(200);
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(existsSync(file)).toBe(true);

      const second = await startCli(["--port", "0", "--quiet", "--state", file]);
      running.push(second.child);
      expect(second.info.orgs).toEqual(first.info.orgs);
      const again = await adminCaller(second.info, 1);
      expect((await again.get(`/clients/${created.body.client_id}`)).status).toBe(200);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes --propagation-delay", async () => {
    const sim = await startCli(["--port", "0", "--quiet", "--propagation-delay", "250"]);
    running.push(sim.child);
    const res = await fetch(`${sim.info.url}/__sim/propagation`);
    expect(await res.json()).toEqual({ delayMs: 250 });
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  });

  it("refuses a non-loopback host and a bad port with a message and a non-zero exit", () => {
    const host = runToExit(["--host", "0.0.0.0"]);
    expect(host.status).toBe(2);
    expect(host.stderr).toMatch(/host: "0\.0\.0\.0" is not a loopback address/);
    expect(host.stdout).toBe("");
    const port = runToExit(["--port", "seventy"]);
    expect(port.status).not.toBe(0);
    expect(port.stderr).toMatch(/--port must be a whole number/);
  });
});
