/**
 * Helpers for the CLI tests: in-memory streams for running actions in-process, the compiled CLI as a
 * subprocess, and a consumer client on the simulator with given public keys.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { CliIo } from "../../cli/io";
import { JWT_BEARER_GRANT, MASKINPORTEN_INTEGRATION_TYPE, type Jwk } from "../../provider/api/wire";
import { OPEN_CATALOGUE_SCOPE, type SimulatorHandle } from "../../simulator";

export const ROOT = join(__dirname, "..", "..");
export const BIN = join(ROOT, "bin", "maskinporten.js");
const DIST_MAIN = join(ROOT, "dist", "cli", "main.js");

export interface MemoryIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** Streams in memory; `stdin` is what `-` reads. */
export function memoryIo(options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; now?: Date } = {}): MemoryIo {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    now: () => options.now ?? new Date(),
  };
  return { io, stdout: () => out, stderr: () => err };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (`npm run build`) when it is missing or older than the sources the CLI is made of. */
export function ensureBuilt(): void {
  const sources = Math.max(...["cli", "sdk", "simulator", "provider"].map((d) => newestMtime(join(ROOT, d))));
  if (existsSync(DIST_MAIN) && statSync(DIST_MAIN).mtimeMs >= sources) return;
  // Type errors elsewhere in the tree do not stop tsc from emitting; only the output matters here.
  spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "ignore",
  });
  if (!existsSync(DIST_MAIN)) throw new Error("npm run build did not produce dist/cli/main.js");
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/maskinporten.js ...args` to its end. Asynchronous, so the in-process simulator keeps answering. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env["PATH"] ?? "", ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** A Maskinporten client of the organisation (made in the portal) with `keys` registered; returns its id. */
export async function clientWithKeys(
  sim: SimulatorHandle,
  orgno: string,
  keys: readonly object[],
  scopes: string[] = [OPEN_CATALOGUE_SCOPE],
): Promise<string> {
  const portal = sim.control.portal(orgno);
  const client = await portal.createClient({
    client_name: "cli test client",
    description: "made by a CLI test",
    integration_type: MASKINPORTEN_INTEGRATION_TYPE,
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: [JWT_BEARER_GRANT],
    scopes,
  });
  if (keys.length > 0) await portal.replaceKeys(client.client_id, keys as Jwk[]);
  return client.client_id;
}

/** The claims of a JWT, unverified. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}
