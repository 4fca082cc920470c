/**
 * The `maskinporten` command. Each subcommand lives in `cli/commands/<name>.ts` and registers itself here.
 *
 * Exit codes: 0 ok, 1 the API, the token endpoint or the network failed, 2 bad usage or input (commander's
 * usage errors too), 3 `keys list --fail-on-expiring` found a key that expires soon.
 */
import "../provider/api/node-support"; // first: refuses an unsupported Node.js before undici or jose load
import { Command, CommanderError } from "commander";
import { registerKeysCommand } from "./commands/keys";
import { registerSimulatorCommand } from "./commands/simulator";
import { registerTokenCommand } from "./commands/token";
import { EXIT, processIo, reportError, type CliContext, type CliIo } from "./io";

export function buildProgram(ctx: CliContext = { io: processIo(), exitCode: 0 }): Command {
  const { io } = ctx;
  // Output and exit settings are inherited by the subcommands created after them.
  const program = new Command("maskinporten")
    .description("Maskinporten clients as code: a local simulator, keys and tokens")
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError("(add --help for usage and examples)")
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 the API, token endpoint or network failed, 2 bad usage or input,
3 'keys list --fail-on-expiring' found a key that expires soon.`,
    );
  registerSimulatorCommand(program);
  registerKeysCommand(program, ctx);
  registerTokenCommand(program, ctx);
  return program;
}

/**
 * Runs the command line (`argv` as in `process.argv`) and resolves with its exit code. With the process's own
 * streams (no `io`), a failure also sets `process.exitCode`.
 */
export async function run(argv: readonly string[] = process.argv, io?: CliIo): Promise<number> {
  const ctx: CliContext = { io: io ?? processIo(), exitCode: EXIT.OK };
  let code: number;
  try {
    await buildProgram(ctx).parseAsync([...argv]);
    code = ctx.exitCode;
  } catch (err) {
    // Commander has already printed its message (and the help hint) on stderr.
    code = err instanceof CommanderError ? (err.exitCode === 0 ? EXIT.OK : EXIT.USAGE) : reportError(ctx.io, "", err);
  }
  if (io === undefined && code !== EXIT.OK) process.exitCode = code;
  return code;
}
