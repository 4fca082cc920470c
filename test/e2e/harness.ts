/**
 * End-to-end harness: a Pulumi program in a throwaway directory, run by the real engine (built from Go
 * modules, see tools/pulumi-engine) with a local file backend, against a simulator started in this process.
 *
 * Programs live under <repo>/.cache/e2e/, so `pulumi-maskinporten` resolves to this checkout's build (dist/,
 * through the node_modules self-link), both in the program and in the provider host, which resolves from the
 * program's directory. The test of the packed package installs the tarball instead (see packed.test.ts).
 *
 * The suites never skip because the engine is missing: `describeEngine` makes sure it is there (building it
 * when Go is available) and fails with the way to get it otherwise. MASKINPORTEN_E2E=off is the one explicit
 * opt-out, for machines without Go or a Pulumi CLI; it is refused when CI is set.
 *
 * Also loaded outside Jest (the benchmarks and the soak): nothing here touches Jest's globals at
 * import time.
 */
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import type {
  DestroyOptions,
  DestroyResult,
  PreviewOptions,
  PreviewResult,
  RefreshOptions,
  RefreshResult,
  Stack,
  UpOptions,
  UpResult,
} from "@pulumi/pulumi/automation";
import { configureForSimulator, openStack } from "../../scripts/lib/stack-workspace";
import type { SimulatorHandle } from "../../simulator";

export const REPO = resolve(__dirname, "../..");
export const E2E_ROOT = join(REPO, ".cache", "e2e");

/** Engine runs are slow (a TypeScript program, a provider process): a generous per-test timeout. */
export const ENGINE_TIMEOUT_MS = 10 * 60 * 1000;
/** A cold build of the engine from Go modules takes 6 to 10 minutes on 2 cores. */
export const ENGINE_BUILD_TIMEOUT_MS = 60 * 60 * 1000;

export const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "commonjs",
    moduleResolution: "node",
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
  },
};

// ---------------------------------------------------------------------------------------------------------
// The engine: required, never silently skipped

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engineScript = require("../../scripts/ensure-pulumi.js") as {
  ensurePulumi(o?: { quiet?: boolean }): Promise<unknown>;
  e2eOptedOut(): boolean;
  E2E_OPT_OUT_VARIABLE: string;
};

/** The explicit opt-out: `MASKINPORTEN_E2E=off` leaves the engine suites out (loudly); never honoured in CI. */
export const E2E_OPT_OUT_VARIABLE = engineScript.E2E_OPT_OUT_VARIABLE;

const HOW_TO_GET_THE_ENGINE =
  "The end-to-end tests need the real Pulumi engine. Run `npm run engine` (builds it from Pulumi's Go modules into " +
  ".cache/pulumi; needs Go >= 1.25 and the Go module proxy), or install the Pulumi CLI and pulumi-language-nodejs " +
  `on PATH. Without either, set ${E2E_OPT_OUT_VARIABLE}=off to leave these tests out (never in CI).`;

/** Makes sure the engine is there (building it if needed), or fails saying how to get one. */
export async function requireEngine(): Promise<void> {
  try {
    await engineScript.ensurePulumi();
  } catch (err) {
    throw new Error(`${HOW_TO_GET_THE_ENGINE}\n(${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/**
 * `describe` for the suites that run the real engine: checks the engine before the first test (failing with
 * the way to get it), or, with the opt-out, skips the suite with a warning.
 */
export function describeEngine(name: string, body: () => void): void {
  const optedOut = engineScript.e2eOptedOut();
  if (optedOut) console.warn(`[e2e] ${E2E_OPT_OUT_VARIABLE}=off: leaving out "${name}", which needs the real Pulumi engine`);
  const suite = optedOut ? describe.skip : describe;
  suite(name, () => {
    beforeAll(requireEngine, ENGINE_BUILD_TIMEOUT_MS);
    body();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Projects

/** A fresh project directory with `Pulumi.yaml`, `tsconfig.json` and the given files (e.g. `index.ts`). */
export function makeProject(name: string, files: Record<string, string>): string {
  const dir = join(E2E_ROOT, `${name}-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${name}\nmain: index.ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** A copy of one of the examples (examples/<name>) as a project directory. */
export function copyExample(example: string): string {
  const dir = join(E2E_ROOT, `${example}-${randomUUID().slice(0, 8)}`);
  cpSync(join(REPO, "examples", example), dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  return dir;
}

/** Edits a file of a project copy: `replace` must occur exactly once, so a changed example fails loudly here. */
export function editProjectFile(dir: string, file: string, replace: string, by: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const count = text.split(replace).length - 1;
  if (count !== 1) throw new Error(`${file} holds ${JSON.stringify(replace)} ${count} times, not once: update the test to the example`);
  writeFileSync(path, text.replace(replace, by));
}

/** Removes a copied project; nothing when it was never made (its `beforeAll` failed first, and said why). */
export function removeProject(dir: string | undefined): void {
  if (dir === undefined) return;
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------
// Simulators

/** A simulator for the tests of one file, started before them and closed after (the simulator tests' own). */
export { useSimulator as useEngineSimulator } from "../simulator/helpers";

// ---------------------------------------------------------------------------------------------------------
// Stacks

export interface EngineStack {
  stack: Stack;
  dir: string;
  envVars: Record<string, string>;
  /** Everything the engine printed through the methods below (stdout and stderr), for the secret scan. */
  transcript: string[];
  up(options?: UpOptions): Promise<UpResult>;
  preview(options?: PreviewOptions): Promise<PreviewResult>;
  refresh(options?: RefreshOptions): Promise<RefreshResult>;
  destroy(options?: DestroyOptions): Promise<DestroyResult>;
}

/** A credential of the admin client of one of the simulator's organisations, or an explicit one. */
export type CredentialSetting = string | { clientId: string; p12: string; p12Password: string } | { clientId: string; privateKey: string };

/**
 * Opens stack `stackName` of the project with its own backend and PULUMI_HOME (inside the project directory)
 * and configures it for the simulator: one credential profile per entry of `profiles` (name → orgno), the
 * default credential from `defaultCredential` (an orgno, or an explicit credential), then `config` (values are
 * set as they are; objects and lists as structured config).
 */
export async function stackFor(
  dir: string,
  sim: SimulatorHandle,
  profiles: Record<string, string>,
  options: {
    stackName?: string;
    config?: Record<string, unknown>;
    defaultCredential?: CredentialSetting;
  } = {},
): Promise<EngineStack> {
  const { stack, envVars } = await openStack({
    projectDir: dir,
    stackName: options.stackName ?? "test",
    stateDir: join(dir, ".pulumi-local"),
  });
  await configureForSimulator(stack, sim, profiles);
  if (options.defaultCredential !== undefined) await setDefaultCredential(stack, sim, options.defaultCredential);
  await setConfig(stack, options.config ?? {});
  return recorded(stack, dir, envVars);
}

/** Sets stack config the way `pulumi config set [--path]` would: objects and lists become structured config. */
export async function setConfig(stack: Stack, config: Record<string, unknown>): Promise<void> {
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) await stack.removeConfig(key);
    else await setStructured(stack, key, value);
  }
}

async function setStructured(stack: Stack, key: string, value: unknown): Promise<void> {
  if (typeof value === "string") return stack.setConfig(key, { value });
  if (typeof value === "number" || typeof value === "boolean") return stack.setConfig(key, { value: String(value) });
  // Structured values are written leaf by leaf with --path, so they land in the stack file as YAML.
  await stack.removeConfig(key).catch(() => undefined);
  const leaves = Object.entries(flatten(value, key));
  if (leaves.length === 0) throw new Error(`config ${key}: an empty ${Array.isArray(value) ? "list" : "object"} cannot be set`);
  for (const [path, leaf] of leaves) await stack.setConfig(path, { value: leaf }, true);
}

function flatten(value: unknown, path: string): Record<string, string> {
  if (Array.isArray(value)) return Object.assign({}, ...value.map((v, i) => flatten(v, `${path}[${i}]`)));
  if (value !== null && typeof value === "object") {
    return Object.assign(
      {},
      ...Object.entries(value).map(([k, v]) => flatten(v, /^[A-Za-z_][\w-]*$/.test(k) ? `${path}.${k}` : `${path}["${k}"]`)),
    );
  }
  return { [path]: String(value) };
}

async function setDefaultCredential(stack: Stack, sim: SimulatorHandle, credential: CredentialSetting): Promise<void> {
  if (typeof credential === "string") {
    const org = sim.orgs.find((o) => o.orgno === credential);
    if (!org) throw new Error(`the simulator has no organisation ${credential}`);
    credential = { clientId: org.adminClientId, privateKey: JSON.stringify(org.adminKey) };
  }
  const { clientId, ...secrets } = credential;
  await stack.setConfig("maskinporten:clientId", { value: clientId });
  for (const [key, value] of Object.entries(secrets)) await stack.setConfig(`maskinporten:${key}`, { value, secret: true });
}

/** The stack with its engine operations recorded into `transcript`. */
function recorded(stack: Stack, dir: string, envVars: Record<string, string>): EngineStack {
  const transcript: string[] = [];
  const keep = <T extends { stdout: string; stderr: string }>(result: T): T => {
    transcript.push(result.stdout, result.stderr);
    return result;
  };
  return {
    stack,
    dir,
    envVars,
    transcript,
    up: async (options) => keep(await stack.up(options)),
    preview: async (options) => keep(await stack.preview(options)),
    refresh: async (options) => keep(await stack.refresh(options)),
    destroy: async (options) => keep(await stack.destroy(options)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the engine's output

/**
 * What a `preview --diff` (or `up --diff`) would do, one line per resource of this package that changes:
 * `<op> <Type>::<name>`, and for updates the properties that change, e.g. `update Client::weather-client (scopes)`
 * or `create ScopeGrant::read-312000008`. Unchanged resources and the stack are left out.
 */
export function previewSteps(stdout: string): string[] {
  const steps: string[] = [];
  let current: { op: string; type: string; name?: string; props: string[] } | undefined;
  const finish = () => {
    if (current)
      steps.push(`${current.op} ${current.type}::${current.name ?? "?"}${current.props.length ? ` (${current.props.join(", ")})` : ""}`);
    current = undefined;
  };
  for (const raw of stdout.split("\n")) {
    const line = stripVTControlCharacters(raw);
    if (/^Resources:/.test(line)) break;
    if (/^\s*--outputs:--/.test(line)) {
      finish(); // the stack's outputs follow
      continue;
    }
    const header = /^\s*(?:\+-|-\+|[+~-])?\s*[\w-]+:[\w/-]*:([\w-]+): \(([\w-]+)\)/.exec(line);
    if (header) {
      finish();
      if (header[2] !== "same" && !/pulumi:pulumi:Stack/.test(line)) current = { op: header[2]!, type: header[1]!, props: [] };
      continue;
    }
    if (!current) continue;
    const urn = /^\s*\[urn=.*::([^:\]]+)\]/.exec(line);
    if (urn) current.name = urn[1];
    const prop = /^\s*(?:\+-|-\+|[+~-])\s+([A-Za-z_]\w*)\s*:/.exec(line);
    if (prop && current.op !== "create" && current.op !== "delete") current.props.push(prop[1]!);
  }
  finish();
  return steps.sort();
}

/** The operation counts of a preview or an up/refresh summary, without `same`. */
export function changesOf(summary: Record<string, number | undefined> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n !== undefined && n > 0)) as Record<
    string,
    number
  >;
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

/**
 * Everything the file backend stored for the project (stack state, history, backups), as text. This, not the
 * Automation API's `exportStack` (which runs `pulumi stack export --show-secrets`), is what must hold no
 * secret in plaintext.
 */
export function storedState(dir: string): string {
  const root = join(dir, ".pulumi-local", "backend");
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return files.map((e) => readFileSync(join(e.parentPath, e.name), "utf8")).join("\n");
}

/** The project's stack config files (`Pulumi.<stack>.yaml`), where secrets must be ciphertext too. */
export function stackConfigFiles(dir: string): string {
  return readdirSync(dir)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f) && existsSync(join(dir, f)))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

/**
 * The substrings of `text` that must never be there: any 16-character slice of each secret (a secret of 8 to 15
 * characters, such as a password, as a whole).
 */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    if (secret.length < 16) {
      if (secret.length >= 8 && text.includes(secret)) leaks.push(`${secret.slice(0, 3)}… (a secret of ${secret.length} characters)`);
      continue;
    }
    for (let i = 0; i + 16 <= secret.length; i += 8) {
      const slice = secret.slice(i, i + 16);
      if (text.includes(slice)) {
        leaks.push(`${slice}… (from a secret of ${secret.length} characters)`);
        break;
      }
    }
  }
  return leaks;
}

/** What any secret looks like, whoever made it: a JWT (an access token, a grant), a private JWK or PEM key. */
const SECRET_SHAPES: readonly [string, RegExp][] = [
  ["a JWT (access token or grant)", /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/],
  ["a PEM private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a private JWK member ("d")', /\\*"d\\*"\s*:\s*\\*"[\w-]{16,}/],
];

/** The secrets found in `text`: slices of the given ones, and anything shaped like a token or a private key. */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  const shaped = SECRET_SHAPES.filter(([, re]) => re.test(text)).map(([what, re]) => `${what}: ${re.exec(text)![0].slice(0, 24)}…`);
  return [...leakedSecrets(text, secrets), ...shaped];
}

/** The private members of a JWK (`d`, `p`, `q`, `dp`, `dq`, `qi`), each a secret to look for. */
export function privateJwkParts(jwk: object | string): string[] {
  const value = (typeof jwk === "string" ? JSON.parse(jwk) : jwk) as Record<string, unknown>;
  return ["d", "p", "q", "dp", "dq", "qi"].map((k) => value[k]).filter((v): v is string => typeof v === "string");
}
