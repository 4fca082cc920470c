/**
 * The process tree of one engine run, read from /proc (Linux): which descendants the `pulumi` process has when
 * the harness kills it, and which of them outlive it. Only processes this harness started, or their
 * descendants, are ever signalled, each by its own pid.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** What the process is, in the words of the report: the executable's name, or the script a `node` runs. */
  role: ProcessRole;
  command: string;
}

export type ProcessRole = "engine" | "language host" | "program" | "provider" | "other";

function statOf(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: the fields that follow start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
}

export function roleOf(command: string): ProcessRole {
  if (/dynamic-provider|pulumi-resource-pulumi-nodejs/.test(command)) return "provider";
  if (/pulumi-language-nodejs/.test(command)) return "language host";
  if (/@pulumi[/\\]pulumi[/\\]cmd[/\\]run|run-plugin|ts-node|\/cmd\/run\b/.test(command)) return "program";
  if (/(^|\/)pulumi( |$)/.test(command)) return "engine";
  return "other";
}

/** Alive and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  const stat = statOf(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

/** Every live descendant of `root` (children, their children, ...), found by walking /proc's parent links. */
export function descendants(root: number): ProcessInfo[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat && stat.state !== "Z") parents.set(Number(entry), stat.ppid);
  }
  const found: ProcessInfo[] = [];
  const wanted = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (wanted.has(ppid) && !wanted.has(pid)) {
        wanted.add(pid);
        const command = commandOf(pid);
        found.push({ pid, ppid, role: roleOf(command), command });
        grew = true;
      }
    }
  }
  return found;
}

/** Sends SIGKILL to one process by its pid; false when it was already gone. */
export function killNine(pid: number): boolean {
  try {
    process.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `ms` for the processes to exit; returns those still alive. */
export async function survivorsAfter(processes: readonly ProcessInfo[], ms: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + ms;
  let alive = processes.filter((p) => isAlive(p.pid));
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = alive.filter((p) => isAlive(p.pid));
  }
  return alive;
}
