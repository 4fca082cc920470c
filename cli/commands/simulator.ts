/**
 * `maskinporten simulator`: starts the Maskinporten simulator, prints one JSON line with its URLs and the
 * seeded organisations' admin credentials on stdout (human logs go to stderr), and runs until SIGINT or
 * SIGTERM, when it closes and flushes its state file.
 */
import { InvalidArgumentError, type Command } from "commander";
import {
  PRESETS,
  SimulatorOptionError,
  parseSwitchAssignment,
  startSimulator,
  type PresetName,
  type SimulatorHandle,
  type VariantSpec,
} from "../../simulator";

export interface SimulatorCommandOptions {
  port: number;
  host: string;
  state?: string;
  propagationDelay: number;
  clockOffset?: number;
  faultSeed?: number;
  quiet?: boolean;
  verbose?: boolean;
  allowNonLoopback?: boolean;
  variant?: string;
  /** `switch=value` assignments, layered on `variant`. */
  set?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--variant` and `--set` as a variant spec; throws `SimulatorOptionError` for an unknown switch or value. */
export function variantOf(opts: Pick<SimulatorCommandOptions, "variant" | "set">): VariantSpec | undefined {
  if (opts.variant === undefined && !opts.set?.length) return undefined;
  const switches = Object.fromEntries((opts.set ?? []).map(parseSwitchAssignment));
  return { ...(opts.variant !== undefined ? { base: opts.variant as PresetName } : {}), ...switches };
}

function wholeNumber(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number between ${min} and ${max}`);
    return n;
  };
}

export function registerSimulatorCommand(program: Command): Command {
  return program
    .command("simulator")
    .description("run a local Maskinporten (token endpoint and self-service API) for tests and development")
    .option("--port <n>", "port to listen on (0 picks a free one)", wholeNumber("--port", 0, 65535), 0)
    .option("--host <host>", "interface to listen on (loopback only unless --allow-non-loopback)", "127.0.0.1")
    .option("--state <file>", "keep the state in this file so it survives a restart (default: in memory)")
    .option(
      "--propagation-delay <ms>",
      "delay before key changes reach the token endpoint (the real one takes up to 2 minutes)",
      wholeNumber("--propagation-delay", 0),
      0,
    )
    .option("--clock-offset <seconds>", "shift the simulator's clock", wholeNumber("--clock-offset", -1e10, 1e10))
    .option("--fault-seed <n>", "seed of fault probabilities", wholeNumber("--fault-seed", 0))
    .option("--variant <name>", `how to answer where Digdir's behaviour is uncertain: ${PRESETS.join(" or ")} (see the simulator README)`)
    .option("--set <switch=value>", "set one switch, on top of --variant (repeatable)", collect)
    .option("--allow-non-loopback", "allow --host to be a non-loopback interface (the simulator has no real security)")
    .option("--quiet", "no human-readable logs on stderr")
    .option("--verbose", "log every request on stderr")
    .action(async (opts: SimulatorCommandOptions) => {
      await runSimulatorCommand(opts);
    });
}

export async function runSimulatorCommand(opts: SimulatorCommandOptions): Promise<SimulatorHandle | undefined> {
  let sim: SimulatorHandle;
  try {
    const variant = variantOf(opts);
    sim = await startSimulator({
      ...(variant ? { variant } : {}),
      port: opts.port,
      host: opts.host,
      allowNonLoopback: !!opts.allowNonLoopback,
      ...(opts.state ? { stateFile: opts.state } : {}),
      propagationDelayMs: opts.propagationDelay,
      ...(opts.clockOffset !== undefined ? { clockOffsetSeconds: opts.clockOffset } : {}),
      ...(opts.faultSeed !== undefined ? { faultSeed: opts.faultSeed } : {}),
      quiet: !!opts.quiet,
      verbose: !!opts.verbose,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const badOption = err instanceof SimulatorOptionError;
    const message = badOption
      ? (err as Error).message
      : code === "EADDRINUSE"
        ? `port ${opts.port} is already in use; pick another or use --port 0`
        : (err as Error).message;
    process.stderr.write(`maskinporten simulator: ${message}\n`);
    process.exitCode = badOption ? 2 : 1;
    return undefined;
  }
  process.stdout.write(`${JSON.stringify(sim.startupInfo())}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    if (!opts.quiet) process.stderr.write(`maskinporten simulator: ${signal}, shutting down\n`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`maskinporten simulator: could not shut down cleanly: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return sim;
}
