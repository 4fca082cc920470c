/**
 * An HTTP proxy in front of a simulator's self-service API that answers the ways production callers saw Digdir
 * answer where the simulator (today) answers otherwise: 201/204 without bodies, client lists without inline
 * keys, `200 {}` for a keyless client, a supplied client_id ignored or refused, one scope read only at
 * `GET /scopes?scope=`, zero lifetimes, keys without `use`, `"name": ""` in scope bodies. The simulator stays
 * the ground truth (state, rules, tokens); the proxy only reshapes requests and answers, and records what the
 * provider sent, so tests can see e.g. that no client_id and no key without `use` ever left the provider.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface AnswerSwitches {
  /** Status of POST /clients, POST /scopes and POST /clients/{id}/jwks; `bodyless` drops the body. */
  createStatus?: 200 | 201 | 204;
  bodyless?: boolean;
  /** Status of PUT /clients/{id}, PUT /scopes and the grant's PUT; with `bodyless`, no body. */
  putStatus?: 200 | 204;
  /** Status of the DELETEs. */
  deleteStatus?: 200 | 204;
  /** `GET /clients/{id}/jwks` of a client without keys. */
  keyless?: "404" | "200 {}" | "200 keys []";
  /** Client lists and reads carry only `jwks_uri`, no inline keys. */
  noInlineJwks?: boolean;
  /** What the server does with a `client_id` in POST /clients. */
  clientId?: "honoured" | "ignored" | "refused";
  /** `GET /scopes?scope=` answers the one scope as an object, 404 when unknown (and `/scopes/scope` is unknown: 404). */
  scopeQueryObject?: boolean;
  /** Unset lifetimes come back as 0, and a PUT sending a 0 lifetime is refused (400). */
  zeroLifetimes?: boolean;
  /** Keys come back without `use`, and a key set posted with a key lacking it is refused (400). */
  keysWithoutUse?: boolean;
  /** Scope answers carry `"name": ""`. */
  emptyScopeName?: boolean;
}

export const ADVERSE: AnswerSwitches = {
  createStatus: 201,
  bodyless: true,
  putStatus: 204,
  deleteStatus: 204,
  keyless: "200 {}",
  noInlineJwks: true,
  clientId: "refused",
  scopeQueryObject: true,
  zeroLifetimes: true,
  keysWithoutUse: true,
  emptyScopeName: true,
};

export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface AnswerProxy {
  /** The API base to configure: `http://127.0.0.1:<port>/api/v1`. */
  apiBaseUrl: string;
  switches: AnswerSwitches;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const LIFETIMES = ["access_token_lifetime", "authorization_lifetime", "refresh_token_lifetime"];

export async function startAnswerProxy(upstreamApiBaseUrl: string, switches: AnswerSwitches = {}): Promise<AnswerProxy> {
  const upstream = new URL(upstreamApiBaseUrl);
  const requests: ProxiedRequest[] = [];
  const proxy = { switches, requests } as AnswerProxy;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readAll(req);
    const url = new URL(req.url ?? "/", "http://proxy");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const method = req.method ?? "GET";
    const body = text === "" ? undefined : (JSON.parse(text) as unknown);
    requests.push({ method, path, query: url.searchParams, body });
    const answer = await answerFor(proxy.switches, { method, path, query: url.searchParams, body }, (m, p, q, b) =>
      forward(upstream, req.headers.authorization, m, p, q, b),
    );
    const payload = answer.body === undefined ? "" : JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...answer.headers, ...(payload !== "" && { "content-type": "application/json" }) });
    res.end(payload);
  };

  const server: Server = createServer((req, res) => {
    // The simulator dropped the connection (a fault): the answer is lost here too.
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  proxy.apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  proxy.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

type Forward = (method: string, path: string, query: URLSearchParams, body: unknown) => Promise<Answer>;

async function answerFor(s: AnswerSwitches, req: ProxiedRequest, forward: Forward): Promise<Answer> {
  const { method, path, query } = req;
  let body = req.body;
  const isClients = path === "/clients";
  const isJwks = /^\/clients\/[^/]+\/jwks$/.test(path);
  const isScopes = path === "/scopes";

  if (method === "POST" && isClients && isObject(body) && body["client_id"] !== undefined) {
    if (s.clientId === "refused") return refusal("client_id", "is assigned by Digdir; leave it out");
    if (s.clientId === "ignored") body = omit(body, "client_id");
  }
  if (method === "PUT" && s.zeroLifetimes && isObject(body) && LIFETIMES.some((f) => body[f] === 0)) {
    return refusal(
      LIFETIMES.find((f) => (body as Record<string, unknown>)[f] === 0)!,
      "must be greater than 0",
    );
  }
  if (method === "POST" && isJwks && s.keysWithoutUse && isObject(body) && Array.isArray(body["keys"])) {
    if ((body["keys"] as Record<string, unknown>[]).some((k) => k["use"] === undefined)) return refusal("keys.use", "is required");
  }
  if (method === "GET" && path === "/scopes/scope" && s.scopeQueryObject)
    return { status: 404, headers: {}, body: { status: 404, error: "not_found" } };

  let answer = await forward(method, path, query, body);
  if (answer.status >= 300) return answer;
  if (method === "GET" && isScopes && query.has("scope") && s.scopeQueryObject) answer = oneScope(answer, query.get("scope")!);

  if (method === "GET" && isJwks && answer.status === 200 && isObject(answer.body) && s.keysWithoutUse) {
    answer.body = { ...answer.body, keys: ((answer.body["keys"] as Record<string, unknown>[]) ?? []).map((k) => omit(k, "use")) };
  }
  if (method === "GET" && isJwks && answer.status === 404 && s.keyless !== undefined && s.keyless !== "404") {
    answer = {
      status: 200,
      headers: answer.headers,
      body: s.keyless === "200 {}" ? {} : { keys: [], created: "2025-01-01T00:00:00Z", last_updated: "2025-01-01T00:00:00Z" },
    };
  }
  if (method === "GET" && (isClients || /^\/clients\/[^/]+$/.test(path))) answer.body = mapClients(answer.body, s);
  if (isScopes || path === "/scopes/scope") answer.body = mapScopes(answer.body, s);

  const writeStatus =
    method === "POST" ? s.createStatus : method === "PUT" ? s.putStatus : method === "DELETE" ? s.deleteStatus : undefined;
  if (writeStatus !== undefined) {
    answer.status = writeStatus;
    if (s.bodyless || writeStatus === 204) answer.body = undefined;
  }
  return answer;
}

/**
 * `GET /scopes?scope=X` answered as the scope itself (404 when unknown), from whatever the upstream gave: the
 * scope, a list holding it, or the whole list when it ignores `?scope=` (the simulator's `singleScopeRead` and
 * `scopeQueryShape` switches). Built from that one route, so it holds under every upstream variant.
 */
function oneScope(answer: Answer, name: string): Answer {
  if (!Array.isArray(answer.body)) return answer;
  const found = (answer.body as Record<string, unknown>[]).find((x) => x["name"] === name);
  return found ? { ...answer, body: found } : { status: 404, headers: answer.headers, body: { status: 404, error: "not_found" } };
}

function mapClients(body: unknown, s: AnswerSwitches): unknown {
  const one = (c: Record<string, unknown>) => {
    let out = c;
    if (s.noInlineJwks) out = { ...omit(out, "jwks"), jwks_uri: `https://example.invalid/clients/${String(c["client_id"])}/jwks` };
    if (s.zeroLifetimes) out = { ...Object.fromEntries(LIFETIMES.map((f) => [f, 0])), ...out, refresh_token_lifetime: 0 };
    return out;
  };
  if (Array.isArray(body)) return body.map((c) => one(c as Record<string, unknown>));
  return isObject(body) ? one(body) : body;
}

function mapScopes(body: unknown, s: AnswerSwitches): unknown {
  if (!s.emptyScopeName) return body;
  const one = (x: unknown) => (isObject(x) ? { ...x, name: "", protected: false } : x);
  return Array.isArray(body) ? body.map(one) : one(body);
}

async function forward(
  upstream: URL,
  authorization: string | undefined,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Promise<Answer> {
  const url = new URL(`${upstream.href.replace(/\/$/, "")}${path}`);
  query.forEach((v, k) => url.searchParams.set(k, v));
  const response = await fetch(url, {
    method,
    headers: {
      ...(authorization && { authorization }),
      accept: "application/json",
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const headers: Record<string, string> = {};
  for (const name of ["date", "retry-after", "www-authenticate", "x-correlation-id"]) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

function refusal(field: string, message: string): Answer {
  return {
    status: 400,
    headers: {},
    body: {
      status: 400,
      correlation_id: "proxy-refusal",
      errors: [{ errorMessage: message, isFieldError: true, fieldIdentifier: field }],
      error: "invalid_request",
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function omit<T extends Record<string, unknown>>(value: T, key: string): T {
  const { [key]: _dropped, ...rest } = value;
  return rest as T;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
