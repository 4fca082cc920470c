/**
 * The HTTP server: routes public requests (metadata, token, self-service API) through fault injection and
 * the request log, and hands `/__sim/` to the control routes. Handlers return responses; this file alone
 * writes to sockets.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { AuthServer } from "./auth-server";
import type { ControlRoutes } from "./control-routes";
import type { FaultInjector } from "./faults";
import { ApiError, apiErrorBody, type LogFacts, type SimRequest, type SimResponse } from "./http";
import type { RequestLog } from "./request-log";
import { API_PREFIX, apiError, dispatchApi, type ApiDeps, type ApiRoute } from "./api/routes";
import { Router } from "./router";
import type { StateFile } from "./state";
import type { FaultKind, FaultRuleState, RequestKind } from "./types";

const MAX_BODY_BYTES = 1024 * 1024;

export type PublicHandler = (req: SimRequest, facts: LogFacts) => SimResponse | Promise<SimResponse>;

export interface PublicRoute {
  kind: RequestKind;
  handle: PublicHandler;
}

export interface ServerDeps extends ApiDeps {
  auth: AuthServer;
  faults: FaultInjector;
  log: RequestLog;
  stateFile?: StateFile;
  apiRoutes: Router<ApiRoute>;
  logger: (line: string) => void;
  verbose: boolean;
}

class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function send(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | undefined;
  if (response.body !== undefined) {
    if (typeof response.body === "string") {
      payload = response.body;
      headers["content-type"] ??= response.contentType ?? "text/plain; charset=utf-8";
    } else {
      payload = JSON.stringify(response.body);
      headers["content-type"] ??= response.contentType ?? "application/json";
    }
    headers["content-length"] = String(Buffer.byteLength(payload));
  } else {
    headers["content-length"] = "0";
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function splitUrl(rawUrl: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf("?");
  return q < 0
    ? { path: rawUrl, query: new URLSearchParams() }
    : { path: rawUrl.slice(0, q), query: new URLSearchParams(rawUrl.slice(q + 1)) };
}

function kindOfPath(path: string): RequestKind {
  if (path.startsWith(API_PREFIX)) return "api";
  if (path === "/token") return "token";
  if (path.startsWith("/authentication/")) return "exchange";
  return "metadata";
}

export class SimulatorServer {
  private readonly routes = new Router<PublicRoute>();
  control?: ControlRoutes;

  constructor(private readonly deps: ServerDeps) {}

  /** Registers a public (non-API) route such as `/token`. */
  route(method: string, path: string, kind: RequestKind, handle: PublicHandler): this {
    this.routes.add(method, path, { kind, handle });
    return this;
  }

  /** The node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((err: unknown) => {
      this.deps.logger(`simulator: internal error: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent && !res.destroyed)
        this.reply(res, { status: 500, body: { error: "server_error", error_description: "internal error in the simulator" } });
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitUrl(req.url ?? "/");
    const method = (req.method ?? "GET").toUpperCase();
    if (path.startsWith("/__sim/") || path === "/__sim") {
      if (!this.control) return this.reply(res, { status: 404, body: { error: "not_found" } });
      return this.control.handle(req, res, method, path, query);
    }
    const started = performance.now();
    const { deps } = this;
    const isApi = path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
    const kind = isApi ? "api" : kindOfPath(path);
    let template = "unmatched";
    let methodNotAllowed = false;
    let run: ((req: SimRequest, facts: LogFacts) => Promise<SimResponse>) | undefined;
    if (isApi) {
      const m = deps.apiRoutes.match(method, path.slice(API_PREFIX.length));
      if (m && "template" in m) {
        template = API_PREFIX + m.template;
        run = (r, f) => dispatchApi(deps, m.data, { ...r, params: m.params }, f);
      } else methodNotAllowed = !!m;
    } else {
      const m = this.routes.match(method, path);
      if (m && "template" in m) {
        template = m.template;
        run = async (r, f) => m.data.handle({ ...r, params: m.params }, f);
      } else methodNotAllowed = !!m;
    }
    const log = (status: number, facts: LogFacts, fault?: FaultKind) => {
      const entry = deps.log.record({
        time: deps.clock.timestamp(),
        method,
        path,
        route: template,
        status,
        kind,
        ...facts,
        ...(fault ? { fault } : {}),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
      if (deps.verbose) deps.logger(`${entry.seq} ${method} ${path} → ${status}${fault ? ` [${fault}]` : ""}`);
    };

    const decision = deps.faults.decide(method, path);
    const terminal = decision?.terminal;
    const firstFault = terminal?.kind ?? decision?.fired[0];
    if (decision && decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (terminal?.kind === "reset") {
      req.socket.resetAndDestroy();
      log(0, {}, "reset");
      return;
    }
    const correlationId = randomUUID();
    if (terminal?.kind === "status") {
      const response = this.faultResponse(terminal, kind, correlationId);
      req.resume();
      this.reply(res, response);
      log(response.status, {}, "status");
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        this.reply(res, {
          status: 413,
          body: { error: "invalid_request", error_description: `the request body is larger than ${MAX_BODY_BYTES} bytes` },
        });
        log(413, {}, firstFault);
        return;
      }
      throw err;
    }
    const simReq: SimRequest = { method, path, query, headers: req.headers, body, params: {}, correlationId };
    const facts: LogFacts = {};
    let response: SimResponse;
    try {
      response = run ? await run(simReq, facts) : this.notFound(isApi, methodNotAllowed, simReq);
    } catch (err) {
      deps.logger(`simulator: internal error on ${method} ${path}: ${(err as Error)?.stack ?? String(err)}`);
      response = this.internalError(isApi, simReq);
    }
    if (deps.stateFile?.behind) {
      try {
        await deps.stateFile.flush();
      } catch (err) {
        deps.logger(`simulator: could not write the state file: ${(err as Error).message}`);
        response = { status: 500, body: { error: "server_error", error_description: "the simulator could not write its state file" } };
      }
    }
    if (terminal?.kind === "drop-after-commit") {
      res.socket?.destroy();
      log(0, facts, "drop-after-commit");
      return;
    }
    this.reply(res, { ...response, headers: { ...response.headers, "x-correlation-id": correlationId } });
    log(response.status, facts, firstFault);
  }

  /**
   * Sends with the simulator's clock in the `Date` header (Node would send the wall clock), as Maskinporten
   * sends its own: clients that take the server's time from it then follow `setClockOffset`/`advanceClock`.
   */
  private reply(res: ServerResponse, response: SimResponse): void {
    send(res, { ...response, headers: { ...response.headers, date: this.deps.clock.date().toUTCString() } });
  }

  private notFound(isApi: boolean, methodNotAllowed: boolean, req: SimRequest): SimResponse {
    if (isApi) {
      const err = methodNotAllowed
        ? new ApiError(405, "invalid_request", `${req.method} is not supported on ${req.path}`)
        : ApiError.notFound(`no such endpoint: ${req.method} ${req.path}`);
      return apiError(err, req, this.deps.clock);
    }
    return {
      status: methodNotAllowed ? 405 : 404,
      body: { error: "not_found", error_description: `no such endpoint: ${req.method} ${req.path}` },
    };
  }

  private internalError(isApi: boolean, req: SimRequest): SimResponse {
    const description = "internal error in the simulator (details on its stderr)";
    if (isApi) return { status: 500, body: apiErrorBody(500, "server_error", description, req.correlationId, this.deps.clock.timestamp()) };
    return { status: 500, body: { error: "server_error", error_description: description } };
  }

  private faultResponse(rule: FaultRuleState, kind: RequestKind, correlationId: string): SimResponse {
    const status = rule.status ?? 503;
    const headers: Record<string, string> = {};
    if (rule.retryAfterSeconds !== undefined) headers["retry-after"] = String(rule.retryAfterSeconds);
    const description = `simulated fault: ${status}`;
    if (kind === "api") {
      const code = status === 429 ? "too_many_requests" : status === 500 ? "server_error" : "temporarily_unavailable";
      return { status, headers, body: apiErrorBody(status, code, description, correlationId, this.deps.clock.timestamp()) };
    }
    return {
      status,
      headers,
      body: { error: status === 500 ? "server_error" : "temporarily_unavailable", error_description: description },
    };
  }
}
