/**
 * `/__sim/`: the test hooks. Never hit by faults and not in the request log, except portal edits, which run
 * the self-service handlers as an organisation's admin (so they obey the real rules) and are logged as
 * kind "portal".
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { API_PREFIX, dispatchApi, type ApiDeps, type ApiRoute } from "./api/routes";
import { clientView } from "./api/clients";
import { storedKey } from "./api/keys";
import { scopeView } from "./api/scopes";
import { accessView } from "./api/access";
import type { Caller } from "./api/context";
import { CaError, type ChainVerifier, type TestCa } from "./ca";
import type { Clock } from "./clock";
import { SimulatorOptionError } from "./errors";
import type { FaultInjector } from "./faults";
import type { LogFacts, SimRequest, SimResponse } from "./http";
import type { RequestLog } from "./request-log";
import { Router } from "./router";
import { readBody, send } from "./server";
import { MAX_KEYS_PER_CLIENT, isValidOrgno, jwkProblems } from "./rules";
import { STANDARD_ADMIN_SCOPES } from "./seed";
import type { StateFile, Store } from "./state";
import type { AdminCertificate, BusinessCertificateOptions, FaultRule, OrgSeed, RequestKind, SimulatorOrg, StartupInfo } from "./types";
import type { SimulatorSwitches, VariantSpec } from "./variant";
import { ADMIN_SCOPES } from "./wire";

export const CONTROL_PREFIX = "/__sim";

/** What the control routes act on. */
export interface ControlTarget {
  store: Store;
  clock: Clock;
  faults: FaultInjector;
  log: RequestLog;
  ca: TestCa;
  verifier: ChainVerifier;
  apiDeps: ApiDeps;
  apiRoutes: Router<ApiRoute>;
  stateFile?: StateFile;
  info(): StartupInfo;
  addOrg(seed: OrgSeed): Promise<SimulatorOrg>;
  reset(): Promise<void>;
  setVariant(spec: VariantSpec): SimulatorSwitches;
  adminCertificate(orgno: string, opts?: BusinessCertificateOptions): Promise<AdminCertificate>;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type ControlHandler = (req: SimRequest) => unknown;

function parseJson(req: SimRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const value = JSON.parse(req.body.toString("utf8")) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ControlError(400, "the body must be a JSON object");
}

function numberField(body: Record<string, unknown>, name: string): number {
  const v = body[name];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ControlError(400, `${name} must be a number`);
  return v;
}

function optionalDate(body: Record<string, unknown>, name: string): Date | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  const d = typeof v === "string" || typeof v === "number" ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new ControlError(400, `${name} must be an ISO date`);
  return d;
}

/** `{"preset": "adverse"}` or an object of switches (optionally with `base`). */
function variantFromBody(body: Record<string, unknown>): VariantSpec {
  const keys = Object.keys(body);
  if (keys.length === 1 && keys[0] === "preset") return body["preset"] as VariantSpec;
  return body as VariantSpec;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new ControlError(400, `${name} must be a string`);
  return v;
}

function certificateOptions(body: Record<string, unknown>): BusinessCertificateOptions {
  return {
    notBefore: optionalDate(body, "notBefore"),
    notAfter: optionalDate(body, "notAfter"),
    password: optionalString(body, "password"),
    commonName: optionalString(body, "commonName"),
    seid: body["seid"] as 1 | 2 | undefined,
  };
}

/** Runs `action`, turning the simulator's option and CA errors into 400s. */
async function asBadRequest<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof SimulatorOptionError || err instanceof CaError) throw new ControlError(400, err.message);
    throw err;
  }
}

export class ControlRoutes {
  private readonly router = new Router<ControlHandler>();

  constructor(private readonly t: ControlTarget) {
    const r = this.router;
    const clock = () => ({ now: t.clock.date().toISOString(), nowSeconds: t.clock.nowSeconds(), offsetSeconds: t.clock.offsetSeconds });
    r.add("GET", "/__sim/health", () => ({ ok: true }));
    r.add("GET", "/__sim/info", () => t.info());
    r.add("GET", "/__sim/state", () => this.state());
    r.add("POST", "/__sim/reset", async () => {
      await t.reset();
      return { ok: true };
    });
    r.add("GET", "/__sim/faults", () => t.faults.list());
    r.add("POST", "/__sim/faults", (req) => {
      try {
        return t.faults.add(parseJson(req) as unknown as FaultRule);
      } catch (err) {
        if (err instanceof ControlError) throw err;
        throw new ControlError(400, (err as Error).message);
      }
    });
    r.add("DELETE", "/__sim/faults", () => {
      t.faults.clear();
      return { ok: true };
    });
    r.add("DELETE", "/__sim/faults/{id}", (req) => {
      if (!t.faults.remove(req.params["id"]!)) throw new ControlError(404, `no fault rule ${req.params["id"]}`);
      return { ok: true };
    });
    r.add("GET", "/__sim/requests", (req) => {
      const since = req.query.get("since");
      const kind = req.query.get("kind") as RequestKind | null;
      const limit = req.query.get("limit");
      return {
        entries: t.log.query({
          ...(since !== null ? { since: Number(since) } : {}),
          ...(kind ? { kind } : {}),
          ...(limit !== null ? { limit: Number(limit) } : {}),
        }),
        counters: t.log.snapshotCounters(),
        lastSeq: t.log.lastSeq,
      };
    });
    r.add("GET", "/__sim/counters", () => t.log.snapshotCounters());
    r.add("DELETE", "/__sim/requests", () => {
      t.log.reset();
      return { ok: true };
    });
    r.add("GET", "/__sim/clock", clock);
    r.add("PUT", "/__sim/clock", (req) => {
      t.clock.setOffset(numberField(parseJson(req), "offsetSeconds"));
      return clock();
    });
    r.add("POST", "/__sim/clock/advance", (req) => {
      t.clock.setOffset(t.clock.offsetSeconds + numberField(parseJson(req), "seconds"));
      return clock();
    });
    r.add("GET", "/__sim/propagation", () => ({ delayMs: t.store.keyView.delayMs }));
    r.add("PUT", "/__sim/propagation", (req) => {
      const delayMs = numberField(parseJson(req), "delayMs");
      if (delayMs < 0) throw new ControlError(400, "delayMs must be >= 0");
      t.store.keyView.delayMs = delayMs;
      return { delayMs };
    });
    r.add("GET", "/__sim/ca", () => ({ certificatePem: t.ca.certificatePem }));
    r.add("POST", "/__sim/ca/trust", (req) => {
      const pem = optionalString(parseJson(req), "certificatePem");
      if (!pem) throw new ControlError(400, "certificatePem is required");
      try {
        t.verifier.trust(pem);
      } catch {
        throw new ControlError(400, "certificatePem is not a PEM certificate");
      }
      return { ok: true };
    });
    r.add("POST", "/__sim/certificates", async (req) => {
      const body = parseJson(req);
      const orgno = optionalString(body, "orgno");
      if (!orgno) throw new ControlError(400, "orgno is required");
      return asBadRequest(() => t.ca.issueBusinessCertificate(orgno, certificateOptions(body)));
    });
    r.add("POST", "/__sim/orgs", (req) => asBadRequest(() => t.addOrg(parseJson(req) as unknown as OrgSeed)));
    r.add("POST", "/__sim/orgs/{orgno}/admin-certificate", (req) =>
      asBadRequest(() => t.adminCertificate(req.params["orgno"]!, certificateOptions(parseJson(req)))),
    );
    r.add("GET", "/__sim/variant", () => ({ ...t.store.switches }));
    r.add("PUT", "/__sim/variant", (req) => asBadRequest(() => t.setVariant(variantFromBody(parseJson(req)))));
    r.add("POST", "/__sim/clients/{client_id}/legacy-keys", (req) => this.addLegacyKey(req.params["client_id"]!, parseJson(req)));
  }

  /**
   * Registers a key without `use`, as keys registered before 2025-05-22 are (evidence: "Keys without use"),
   * bypassing the API's rule that now requires it. Every other rule of a key applies.
   */
  private addLegacyKey(clientId: string, jwk: Record<string, unknown>): unknown {
    const { store, clock } = this.t;
    const client = store.clients.get(clientId);
    if (!client) throw new ControlError(404, `client ${JSON.stringify(clientId)} does not exist`);
    const problems = jwkProblems({ ...jwk, use: "sig" }, "key", clock.nowSeconds());
    if (problems.length > 0) throw new ControlError(400, problems.map((p) => `${p.field} ${p.message}`).join("; "));
    const others = client.keys.filter((k) => k.kid !== jwk["kid"]);
    if (others.length + 1 > MAX_KEYS_PER_CLIENT) throw new ControlError(400, `client ${clientId} already has ${others.length} keys`);
    const { use: _use, ...key } = storedKey(jwk, clock.nowSeconds());
    store.setKeys(client, [...others, key]);
    return key;
  }

  private state(): unknown {
    const { store } = this.t;
    return {
      digdirOrgno: store.digdirOrgno,
      orgs: [...store.orgs.values()].map(({ adminKey: _key, ...org }) => org),
      clients: [...store.clients.values()].map((c) => clientView(c)),
      scopes: [...store.scopes.values()].map(scopeView),
      grants: [...store.grants.values()].map((g) => accessView(store, g)),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams): Promise<void> {
    const portal = /^\/__sim\/portal\/([^/]+)(\/.*)?$/.exec(path);
    if (portal) return this.portal(req, res, method, path, query, decodeURIComponent(portal[1]!), portal[2] ?? "");
    const match = this.router.match(method, path);
    let response: SimResponse;
    try {
      if (!match) throw new ControlError(404, `no such hook: ${method} ${path}`);
      if (!("template" in match)) throw new ControlError(405, `${method} is not supported on ${path}`);
      const body = await readBody(req);
      const simReq: SimRequest = { method, path, query, headers: req.headers, body, params: match.params, correlationId: randomUUID() };
      const result = await match.data(simReq);
      if (this.t.stateFile?.behind) await this.t.stateFile.flush();
      response = { status: 200, body: result };
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      response = { status: err.status, body: { error: "invalid_request", error_description: err.message } };
    }
    send(res, response);
  }

  /** `/__sim/portal/{orgno}/api/v1/...`: the self-service API as that organisation's admin, without a token. */
  private async portal(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    orgno: string,
    rest: string,
  ): Promise<void> {
    const started = performance.now();
    const { t } = this;
    const body = await readBody(req);
    const simReq: SimRequest = { method, path, query, headers: req.headers, body, params: {}, correlationId: randomUUID() };
    const org = isValidOrgno(orgno) ? t.store.orgs.get(orgno) : undefined;
    const apiPath = rest.startsWith(API_PREFIX) ? rest.slice(API_PREFIX.length) : undefined;
    const match = org && apiPath !== undefined ? t.apiRoutes.match(method, apiPath) : undefined;
    let response: SimResponse;
    const facts: LogFacts = {};
    let template = "unmatched";
    if (!org) {
      response = {
        status: 404,
        body: {
          error: "not_found",
          error_description: `organisation ${JSON.stringify(orgno)} is not known to the simulator (add it with POST /__sim/orgs)`,
        },
      };
    } else if (!match || !("template" in match)) {
      response = {
        status: 404,
        body: { error: "not_found", error_description: `no such endpoint: ${method} ${rest}; use /__sim/portal/{orgno}/api/v1/...` },
      };
    } else {
      template = `${CONTROL_PREFIX}/portal/{orgno}${API_PREFIX}${match.template}`;
      simReq.params = match.params;
      const scopes = new Set<string>(STANDARD_ADMIN_SCOPES);
      if (org.adminScopes.includes(ADMIN_SCOPES.dcrSupplier)) scopes.add(ADMIN_SCOPES.dcrSupplier);
      const caller: Caller = { orgno, scopes, portal: true };
      response = await dispatchApi(t.apiDeps, match.data, simReq, facts, caller);
      if (t.stateFile?.behind) await t.stateFile.flush();
    }
    send(res, { ...response, headers: { ...response.headers, "x-correlation-id": simReq.correlationId } });
    t.log.record({
      time: t.clock.timestamp(),
      method,
      path,
      route: template,
      status: response.status,
      kind: "portal",
      ...facts,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  }
}
