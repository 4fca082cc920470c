/**
 * Stops the provider process once the Pulumi engine that started it is gone.
 *
 * The engine starts the provider as `pulumi-resource-pulumi-nodejs <engine address>`, which runs
 * @pulumi/pulumi's `cmd/dynamic-provider` (in its own process group). Up to at least @pulumi/pulumi 3.276 that
 * host never checks on the engine: after a `kill -9` of `pulumi` it keeps serving, and the operations in flight
 * go on sending API writes nobody will record in state. So, in that process only, every write first checks that
 * the engine still accepts connections (a local TCP connect, well under a millisecond), and a timer does the
 * same every second; when the engine is gone the process exits before sending anything more.
 */
import { connect } from "node:net";

/** How long a connect to the engine may take before the engine is taken as alive but busy. */
const PROBE_TIMEOUT_MS = 2_000;
const WATCH_PERIOD_MS = 1_000;

export class EngineGoneError extends Error {
  override readonly name = "EngineGoneError";
}

/**
 * The engine's address when this process is @pulumi/pulumi's dynamic provider host (`node
 * <...>/@pulumi/pulumi/cmd/dynamic-provider[/index.js] [flags] <host:port>`); `undefined` anywhere else (tests,
 * scripts, the CLI), where there is no engine to watch.
 */
export function engineAddressOf(argv: readonly string[]): string | undefined {
  const script = argv[1] ?? "";
  if (!/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(script)) return undefined;
  return [...argv.slice(2)].reverse().find((arg) => /^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d+$/.test(arg));
}

/**
 * Whether something still accepts connections at `address`. Only a refused or unreachable connection counts as
 * gone: a timeout means an engine too busy to accept quickly, which must not stop a deployment.
 */
export function engineReachable(address: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  const separator = address.lastIndexOf(":");
  const host = address.slice(0, separator).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once("connect", () => done(true));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      done(!["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH"].includes(err.code ?? "")),
    );
  });
}

export interface EngineWatch {
  /** Resolves when the engine is reachable; otherwise calls `onGone` and throws `EngineGoneError`. */
  beforeWrite(write: { method: string; operation: string }): Promise<void>;
}

/**
 * Watches the engine at `address`: before each write, and every second in the background (a timer that does
 * not keep the process alive). `onGone` runs once, with what was about to happen.
 */
export function watchEngine(address: string, onGone: (what: string) => void, periodMs = WATCH_PERIOD_MS): EngineWatch {
  let gone = false;
  const markGone = (what: string) => {
    if (!gone) {
      gone = true;
      clearInterval(timer);
      onGone(what);
    }
  };
  const timer = setInterval(() => {
    void engineReachable(address).then((alive) => alive || markGone("while idle"));
  }, periodMs);
  timer.unref();
  return {
    async beforeWrite({ method, operation }) {
      if (!gone && (await engineReachable(address))) return;
      markGone(`before ${method} (${operation})`);
      throw new EngineGoneError(`the Pulumi engine at ${address} that started this provider is gone; not sending ${method} (${operation})`);
    },
  };
}

let processWatch: EngineWatch | undefined | null = null;

/**
 * The watch of this process's engine, started on first use, or `undefined` when this process is not a provider
 * host started by an engine. When the engine is gone the process exits (status 1): nothing it would still do
 * can be recorded in the stack's state.
 */
export function engineWatchOfThisProcess(): EngineWatch | undefined {
  if (processWatch === null) {
    const address = engineAddressOf(process.argv);
    processWatch = address
      ? watchEngine(address, (what) => {
          process.stderr.write(`pulumi-maskinporten: the Pulumi engine that started this provider is gone; stopping ${what}\n`);
          process.exit(1);
        })
      : undefined;
  }
  return processWatch;
}
