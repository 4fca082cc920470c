import { reportError, type CliContext } from "../io";

/**
 * Wraps a command's implementation for commander: its result becomes the exit code, and an error becomes a
 * message on stderr (never a stack trace for an expected error) and the exit code for its kind.
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  command: string,
  run: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      ctx.exitCode = await run(...args);
    } catch (err) {
      ctx.exitCode = reportError(ctx.io, command, err);
    }
  };
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
