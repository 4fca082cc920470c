/**
 * What a user does after the engine died in the middle of an operation, following what Pulumi v3.276.0 itself
 * prints on a local file backend (observed with the real CLI, see docs/benchmarks.md "Crash soak"):
 *
 * 1. Any command on the stack fails with "the stack is currently locked by 1 lock(s). Either wait for the other
 *    process(es) to end or delete the lock file with `pulumi cancel`." → `pulumi cancel --yes`.
 * 2. The next `up` warns "Attempting to deploy or update resources with N pending operations ... you can repair
 *    your stack using `pulumi refresh` ... Note that `pulumi refresh` will need to be run interactively to clear
 *    pending CREATE operations." A plain non-interactive `pulumi refresh` leaves pending creates as they are
 *    (exit 0); the prompt's non-interactive equivalent is `--clear-pending-creates` (or `--import-pending-creates
 *    <urn> <id>`, which needs the id of an object the user would first have to find in the portal). So:
 *    `pulumi refresh --yes --clear-pending-creates`.
 * 3. The interrupted operation again: `pulumi up` or `pulumi destroy`.
 *
 * The refresh runs first, and `cancel` only when the refresh reports the lock, as a user meets it.
 *
 * 0. Not advised by Pulumi, which only says "failed to load checkpoint: EOF": the file backend renames the stack's
 *    state to `<stack>.json.bak` and then writes the new one in place, so a kill between the two leaves no readable
 *    state. The known repair (pulumi/pulumi#2801, #4679) is to copy the `.bak` back; the harness does that, and
 *    counts it, since it is a hand edit of the stack.
 */
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cliArgs, outputOf, runPulumi, type CliResult } from "./cli";

export interface RecoveryStep {
  command: string;
  code: number | null;
  /** The CLI's own words for why the step failed, or the warning it printed. */
  note?: string;
}

export interface Recovery {
  steps: RecoveryStep[];
  /** The stack was locked by the killed engine (`pulumi cancel` was needed). */
  locked: boolean;
  /** Pending operations in the state before the refresh, by kind and resource type (`creating Client`, ...). */
  pending: Record<string, number>;
  /** The state could not be read after the kill (e.g. "failed to load checkpoint: EOF"): the CLI's words. */
  unreadableState?: string;
  /** The state file was restored from its `.bak` (a hand edit). */
  restoredBackup: boolean;
  /** The interrupted operation succeeded when run again. */
  converged: boolean;
  results: CliResult[];
}

const LOCKED = /the stack is currently locked/;

export async function recover(dir: string, env: Record<string, string>, stackName: string, operation: "up" | "destroy"): Promise<Recovery> {
  const recovery: Recovery = { steps: [], locked: false, pending: {}, converged: false, results: [], restoredBackup: false };
  const run = async (command: string[]) => {
    const result = await runPulumi(dir, env, cliArgs(command, stackName));
    recovery.results.push(result);
    recovery.steps.push({
      command: `pulumi ${command.join(" ")}`,
      code: result.code,
      ...(result.code !== 0 ? { note: firstError(result) } : {}),
    });
    return result;
  };
  try {
    recovery.pending = await pendingOperations(dir, env, stackName);
  } catch (err) {
    recovery.unreadableState = err instanceof Error ? err.message : String(err);
    const restored = restoreBackup(dir, stackName);
    if (restored) {
      recovery.restoredBackup = true;
      recovery.steps.push({ command: `cp ${restored}.bak ${restored}`, code: 0 });
      recovery.pending = await pendingOperations(dir, env, stackName).catch(() => ({}));
    }
  }
  const refresh = await run(["refresh", "--clear-pending-creates"]);
  if (refresh.code !== 0 && LOCKED.test(outputOf(refresh))) {
    recovery.locked = true;
    await run(["cancel", "--yes"]);
    await run(["refresh", "--clear-pending-creates"]);
  }
  const again = await run([operation]);
  recovery.converged = again.code === 0;
  return recovery;
}

/** Copies the stack's `<stack>.json.bak` over `<stack>.json` in the project's file backend; the path, or undefined. */
function restoreBackup(dir: string, stackName: string): string | undefined {
  const stacks = join(dir, ".pulumi-local", "backend", ".pulumi", "stacks");
  if (!existsSync(stacks)) return undefined;
  const file = readdirSync(stacks, { recursive: true, encoding: "utf8" }).find((f) => f.endsWith(`${stackName}.json.bak`));
  if (!file) return undefined;
  const target = join(stacks, file.slice(0, -".bak".length));
  copyFileSync(join(stacks, file), target);
  return target.slice(dir.length + 1);
}

/** The state's pending operations by kind and type, from `pulumi stack export` (which works on a locked stack). */
export async function pendingOperations(dir: string, env: Record<string, string>, stackName: string): Promise<Record<string, number>> {
  const exported = await runPulumi(dir, env, ["stack", "export", "--stack", stackName, "--non-interactive"]);
  if (exported.code !== 0) throw new Error(`pulumi stack export failed: ${firstError(exported)}`);
  type Pending = { type: string; resource?: { type?: string } };
  const pending = (JSON.parse(exported.stdout) as { deployment?: { pending_operations?: Pending[] } }).deployment?.pending_operations ?? [];
  const counts: Record<string, number> = {};
  for (const op of pending) {
    const what = `${op.type} ${(op.resource?.type ?? "?").replace(/^.*:/, "")}`;
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}

/**
 * The first line that says what went wrong: an `error:` line other than the engine's summary ("update failed"),
 * without the program's own stack traces.
 */
export function firstError(result: CliResult): string {
  const lines = outputOf(result)
    .split("\n")
    .map((l) => l.trim());
  const errors = lines.filter((l) => /^error:/.test(l));
  const specific = errors.find((l) => !/^error: (update|preview|refresh|destroy) failed$/.test(l));
  return (specific ?? errors[0] ?? lines.filter(Boolean).slice(-1)[0] ?? "").slice(0, 400);
}
