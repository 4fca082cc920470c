/**
 * End-to-end harness: a Pulumi program in a throwaway directory, run by the real engine (built from Go
 * modules, see tools/pulumi-engine) with a local file backend, against a simulator started in this process.
 *
 * Programs live under <repo>/.cache/e2e/, so `pulumi-maskinporten` resolves to this checkout's build (dist/,
 * through the node_modules self-link), both in the program and in the provider host, which resolves from the
 * program's directory. The test of the packed package installs the tarball instead (see packed.test.ts).
 */
import { randomUUID } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { configureForSimulator, openStack } from "../../scripts/lib/stack-workspace";
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from "../../simulator";

export const REPO = resolve(__dirname, "../..");
export const E2E_ROOT = join(REPO, ".cache", "e2e");

/** Engine runs are slow (a TypeScript program, a provider process): a generous per-test timeout. */
export const ENGINE_TIMEOUT_MS = 10 * 60 * 1000;

export const TSCONFIG = {
  compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, skipLibCheck: true },
};

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

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A simulator for the tests of one file, started before them and closed after. */
export function useEngineSimulator(options: SimulatorOptions = {}): () => SimulatorHandle {
  let sim: SimulatorHandle | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim) throw new Error("the simulator is not started yet");
    return sim;
  };
}

export interface EngineStack {
  stack: Stack;
  dir: string;
  envVars: Record<string, string>;
}

/**
 * Opens stack `stackName` of the project with its own backend and PULUMI_HOME (inside the project directory)
 * and configures it for the simulator: one credential profile per entry of `profiles` (name → orgno).
 */
export async function stackFor(
  dir: string,
  sim: SimulatorHandle,
  profiles: Record<string, string>,
  options: { stackName?: string; config?: Record<string, string> } = {},
): Promise<EngineStack> {
  const { stack, envVars } = await openStack({ projectDir: dir, stackName: options.stackName ?? "test", stateDir: join(dir, ".pulumi-local") });
  await configureForSimulator(stack, sim, profiles);
  for (const [key, value] of Object.entries(options.config ?? {})) await stack.setConfig(key, { value });
  return { stack, dir, envVars };
}

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

/** The substrings of `text` that must never be there: any 16-character slice of each secret. */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
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
