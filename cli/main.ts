/**
 * The `maskinporten` command. Each subcommand lives in `cli/commands/<name>.ts` and registers itself here.
 */
import { Command } from "commander";
import { registerSimulatorCommand } from "./commands/simulator";

export function buildProgram(): Command {
  const program = new Command("maskinporten")
    .description("Maskinporten clients as code: a local simulator, keys and tokens")
    .showHelpAfterError();
  registerSimulatorCommand(program);
  return program;
}

/** Runs the command line (`argv` as in `process.argv`). */
export async function run(argv: readonly string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
