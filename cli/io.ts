/**
 * What the commands share: their streams and environment (replaceable in tests), reading a file or stdin,
 * writing files that hold secrets, and turning errors into a message on stderr and an exit code.
 */
import { constants as fsConstants } from "node:fs";
import { chmod, mkdir, open, readFile } from "node:fs/promises";
import { inspect } from "node:util";
import { MaskinportenError, ConfigError } from "../provider/api/errors";
import { redact } from "../provider/api/redact";

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  now(): Date;
}

/** The state a command run shares with `run`: where to write, and the exit code to end with. */
export interface CliContext {
  io: CliIo;
  exitCode: number;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, now: () => new Date() };
}

export const EXIT = {
  OK: 0,
  /** The API, the token endpoint or the network failed. */
  FAILED: 1,
  /** Bad usage or input: a flag, a file, a key. */
  USAGE: 2,
  /** `keys list --fail-on-expiring`: a key has expired or expires soon. */
  EXPIRING: 3,
} as const;

/** Bad usage or input found by a command itself; the message says what to do. */
export class UsageError extends Error {
  readonly code = "USAGE";

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return EXIT.USAGE;
  return EXIT.FAILED;
}

/**
 * Writes `maskinporten <command>: <message>` to stderr and returns the exit code. Expected errors get their
 * message only; anything else also says it is a bug, with a stack trace only when MASKINPORTEN_DEBUG is set.
 */
export function reportError(io: CliIo, command: string, err: unknown): number {
  const prefix = command ? `maskinporten ${command}: ` : "maskinporten: ";
  if (err instanceof UsageError || err instanceof MaskinportenError) {
    io.stderr.write(`${prefix}${err.message}\n`);
  } else {
    const debug = io.env["MASKINPORTEN_DEBUG"] !== undefined && io.env["MASKINPORTEN_DEBUG"] !== "";
    const text = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${prefix}unexpected error: ${redact(text)}\n`);
    io.stderr.write(
      debug ? `${redact(inspect(err))}\n` : "This is a bug in pulumi-maskinporten; set MASKINPORTEN_DEBUG=1 for details and report it.\n",
    );
  }
  return exitCodeOf(err);
}

/** Reads `path`, or stdin for `-`. `flag` names the option in messages. */
export async function readInput(io: CliIo, path: string, flag: string): Promise<Buffer> {
  if (path === "-") {
    if (io.stdin.isTTY) io.stderr.write(`maskinporten: reading ${flag} from stdin; paste it and end with Ctrl-D\n`);
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    const all = Buffer.concat(chunks);
    if (all.length === 0) throw new UsageError(`${flag}: stdin was empty; pipe the key in (e.g. ${flag} - < key.json) or give a file path`);
    return all;
  }
  if (path.trim() === "") throw new UsageError(`${flag}: give a file path, or - to read stdin`);
  try {
    return await readFile(path);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read "${path}": ${fileProblem(err)}; give the path of an existing file, or - to read stdin`);
  }
}

export function fileProblem(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "EEXIST":
      return "it already exists";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    default:
      return (err as NodeJS.ErrnoException).code ?? "it cannot be read";
  }
}

/** Creates `dir` (and parents) if missing; a new directory is readable by its owner only. */
export async function ensureDirectory(dir: string, flag: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UsageError(`${flag}: cannot create the directory "${dir}": ${fileProblem(err)}`);
  }
}

/**
 * Writes a new file; `secret` files get mode 0600 from the start (not chmod after writing). An existing file is
 * refused unless `overwrite`.
 */
export async function writeNewFile(
  path: string,
  content: string,
  options: { secret: boolean; overwrite?: boolean; flag: string },
): Promise<void> {
  const mode = options.secret ? 0o600 : 0o644;
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | (options.overwrite ? fsConstants.O_TRUNC : fsConstants.O_EXCL);
  let handle;
  try {
    handle = await open(path, flags, mode);
  } catch (err) {
    const hint = (err as NodeJS.ErrnoException).code === "EEXIST" ? "; choose another name or directory, or add --force to replace it" : "";
    throw new UsageError(`${options.flag}: cannot write "${path}": ${fileProblem(err)}${hint}`);
  }
  try {
    await handle.writeFile(content, "utf8");
  } finally {
    await handle.close();
  }
  // An overwritten file keeps its old mode; a secret must not stay readable by others.
  if (options.secret && options.overwrite) await chmod(path, mode);
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Comma- or space-separated values of a flag that may also be repeated. */
export function listValues(values: string | readonly string[] | undefined): string[] {
  const all = typeof values === "string" ? [values] : (values ?? []);
  return all.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
}
