/**
 * Warnings the provider shows in the output of `pulumi preview`, `up` and `refresh`.
 *
 * The Node dynamic provider host gives the methods no logger, and `pulumi.log` in this process has no engine to
 * talk to (the host receives the engine's address as an argument, not in the environment the SDK reads). So
 * the engine's `Log` RPC is called directly, with the address the host was started with, through the gRPC
 * stubs of the program's own `@pulumi/pulumi` (loaded on first use). The methods do not know their resource's
 * URN either, so each message names what it is about itself (a kid and a client_id).
 *
 * Outside an engine (tests, scripts) the warning goes to stderr. Messages never hold secrets: callers pass
 * kids, client ids and dates only.
 */
import { dirname } from "node:path";
import { engineAddressOf } from "./engine-liveness";

type Deliver = (message: string) => Promise<void>;

let deliver: Deliver | undefined;

/** Shows `message` as a warning of this run; never throws (a lost warning must not fail a deployment). */
export async function warnInEngine(message: string): Promise<void> {
  deliver ??= deliveryFor(engineAddressOf(process.argv));
  await deliver(message).catch(() => process.stderr.write(`warning: ${message}\n`));
}

/** Replaces the delivery (tests): returns the previous one. */
export function setWarningDelivery(next: Deliver | undefined): Deliver | undefined {
  const previous = deliver;
  deliver = next;
  return previous;
}

function deliveryFor(address: string | undefined): Deliver {
  if (address === undefined) return async (message) => void process.stderr.write(`warning: ${message}\n`);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as { credentials: { createInsecure(): unknown } };
  const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb") as {
    EngineClient: new (address: string, credentials: unknown) => EngineLog;
  };
  const { LogRequest, LogSeverity } = require("@pulumi/pulumi/proto/engine_pb") as {
    LogRequest: new () => LogRequestLike;
    LogSeverity: { WARNING: number };
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const client = new EngineClient(address, grpc.credentials.createInsecure());
  return (message) =>
    new Promise<void>((resolve, reject) => {
      const request = new LogRequest();
      request.setSeverity(LogSeverity.WARNING);
      request.setMessage(message);
      client.log(request, (err) => (err ? reject(err) : resolve()));
    });
}

interface LogRequestLike {
  setSeverity(severity: number): void;
  setMessage(message: string): void;
}

interface EngineLog {
  log(request: LogRequestLike, callback: (err: Error | null) => void): void;
}
