/**
 * The `pulumi` command run directly, as a user runs it in a terminal or CI, not through the Automation API:
 * the harness needs the engine's pid to `kill -9` it, and the exact text the CLI prints afterwards (its advice
 * is what the recovery follows).
 */
import { spawn } from "node:child_process";
import { descendants, killNine, type ProcessInfo } from "./processes";

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the harness killed the engine: its descendants at that moment. */
  killed?: { children: ProcessInfo[]; afterMs: number };
}

export interface CliRun {
  pid: number;
  /** Kills the engine (`kill -9`) and records its descendants first. */
  kill(): ProcessInfo[];
  done: Promise<CliResult>;
}

/** Flags every engine run gets: no prompts, no colour, no preview before an `up`/`destroy`. */
export function cliArgs(command: string[], stackName: string): string[] {
  const mutating = ["up", "destroy", "refresh"].includes(command[0]!);
  return [...command, "--stack", stackName, "--non-interactive", "--color", "never", ...(mutating ? ["--yes", "--skip-preview"] : [])];
}

export function startPulumi(dir: string, env: Record<string, string>, args: string[]): CliRun {
  const started = Date.now();
  const child = spawn("pulumi", args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  let killed: CliResult["killed"];
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ args, code, signal, stdout, stderr, ...(killed ? { killed } : {}) }));
  });
  return {
    pid: child.pid!,
    kill: () => {
      const children = descendants(child.pid!);
      killNine(child.pid!);
      killed = { children, afterMs: Date.now() - started };
      return children;
    },
    done,
  };
}

export async function runPulumi(dir: string, env: Record<string, string>, args: string[]): Promise<CliResult> {
  return startPulumi(dir, env, args).done;
}

export function outputOf(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}
