/**
 * Helpers for tests that talk HTTP to the simulator: start one per test file, make keys, sign JWT grants,
 * get admin tokens and call the self-service API. Reusable by other test suites.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import * as jose from "jose";
import type { SimulatorHandle, SimulatorOptions, SimulatorOrg } from "../../simulator";
import { startTestSimulator } from "../helpers/simulator-variant";
import { JWT_BEARER_GRANT } from "../../provider/api/wire";

export { startTestSimulator, testVariant, testVariantArgs, withTestVariant } from "../helpers/simulator-variant";

export type PublicJwk = jose.JWK & { kid: string; alg: string; use: string; kty: string; n: string; e: string };
export type PrivateJwk = jose.JWK & { kid: string; alg: string };

export interface KeyPair {
  kid: string;
  publicJwk: PublicJwk;
  privateJwk: PrivateJwk;
}

/** Starts a simulator before the tests of the file and closes it after; call at the top of a describe. */
export function useSimulator(options: SimulatorOptions = {}): () => SimulatorHandle {
  let sim: SimulatorHandle | undefined;
  beforeAll(async () => {
    sim = await startTestSimulator(options);
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim) throw new Error("the simulator is not started yet (use it inside a test or hook)");
    return sim;
  };
}

export function rsaKeyPair(kid = `key-${randomUUID()}`, bits = 2048, alg = "RS256"): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const pub = publicKey.export({ format: "jwk" }) as jose.JWK;
  const priv = privateKey.export({ format: "jwk" }) as jose.JWK;
  return {
    kid,
    publicJwk: { kty: "RSA", kid, use: "sig", alg, n: pub.n!, e: pub.e! },
    privateJwk: { ...priv, kid, alg },
  };
}

export function nowSeconds(offsetSeconds = 0): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

export interface GrantOptions {
  /** The grant's `iss`. */
  clientId: string;
  /** The key to sign with; its `kid` goes in the header unless `x5c` is given. */
  privateJwk?: PrivateJwk;
  /** PEM private key of a business certificate (with `x5c`). */
  privateKeyPem?: string;
  /** Base64 DER certificates for the header, leaf first. */
  x5c?: string[];
  audience: string;
  scope?: string;
  /** The grant's notion of now, seconds; default the wall clock. */
  now?: number;
  iat?: number;
  exp?: number;
  /** `null` leaves jti out. */
  jti?: string | null;
  alg?: string;
  /** Extra or overriding header members (`kid: undefined` removes it). */
  header?: Record<string, unknown>;
  /** Extra or overriding claims. */
  claims?: Record<string, unknown>;
}

export async function signGrant(opts: GrantOptions): Promise<string> {
  const now = opts.now ?? nowSeconds();
  const iat = opts.iat ?? now;
  const claims: Record<string, unknown> = {
    aud: opts.audience,
    iss: opts.clientId,
    iat,
    exp: opts.exp ?? iat + 60,
    ...(opts.jti === null ? {} : { jti: opts.jti ?? randomUUID() }),
    ...(opts.scope !== undefined ? { scope: opts.scope } : {}),
    ...opts.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const alg = opts.alg ?? opts.privateJwk?.alg ?? "RS256";
  const header: Record<string, unknown> = { alg };
  if (opts.x5c) header["x5c"] = opts.x5c;
  else if (opts.privateJwk) header["kid"] = opts.privateJwk.kid;
  Object.assign(header, opts.header);
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
  const key = opts.privateKeyPem ? await jose.importPKCS8(opts.privateKeyPem, alg) : await jose.importJWK(opts.privateJwk!, alg);
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header as jose.CompactJWSHeaderParameters)
    .sign(key);
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

async function result(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

/** POSTs a grant to the token endpoint as a form. */
export async function postToken(sim: SimulatorHandle, assertion: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  const form = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion, ...extra });
  const response = await fetch(sim.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  return result(response);
}

/** Signs a grant (audience = the simulator's issuer unless given) and sends it. */
export async function requestToken(
  sim: SimulatorHandle,
  opts: Omit<GrantOptions, "audience"> & { audience?: string },
): Promise<HttpResult> {
  return postToken(sim, await signGrant({ audience: sim.issuer, ...opts }));
}

/** An access token for the organisation's admin client (all its admin scopes unless `scopes` is given). */
export async function adminToken(sim: SimulatorHandle, org: SimulatorOrg, scopes: readonly string[] = org.adminScopes): Promise<string> {
  const res = await requestToken(sim, { clientId: org.adminClientId, privateJwk: org.adminKey as PrivateJwk, scope: scopes.join(" ") });
  if (res.status !== 200) throw new Error(`admin token for ${org.orgno} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

export interface ApiCaller {
  get(path: string): Promise<HttpResult>;
  post(path: string, body?: unknown): Promise<HttpResult>;
  put(path: string, body?: unknown): Promise<HttpResult>;
  del(path: string): Promise<HttpResult>;
  /** Any method; `body` as JSON unless a string. */
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
}

/** Calls `apiBaseUrl + path` with the token (none when undefined). */
export function api(sim: SimulatorHandle, token: string | undefined): ApiCaller {
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token !== undefined) h["authorization"] = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    return result(await fetch(`${sim.apiBaseUrl}${path}`, { method, headers: h, body: payload }));
  };
  return {
    get: (path) => send("GET", path),
    post: (path, body) => send("POST", path, body),
    put: (path, body) => send("PUT", path, body),
    del: (path) => send("DELETE", path),
    send,
  };
}

/** `api()` with a fresh admin token of the organisation. */
export async function adminApi(sim: SimulatorHandle, org: SimulatorOrg, scopes?: readonly string[]): Promise<ApiCaller> {
  return api(sim, await adminToken(sim, org, scopes));
}

/** The ids of the caller's clients (deactivated ones too) named `clientName`: how a client finds what it made, as Digdir assigns ids. */
export async function clientIdsNamed(caller: ApiCaller, clientName: string): Promise<string[]> {
  const list = await caller.get("/clients?inactive=true");
  if (list.status !== 200) throw new Error(`GET /clients failed: ${list.status}`);
  return (list.body as { client_id: string; client_name?: string }[]).filter((c) => c.client_name === clientName).map((c) => c.client_id);
}

/** The seeded organisations by role (default seeds). */
export function roles(sim: SimulatorHandle): { owner: SimulatorOrg; consumer: SimulatorOrg; supplier: SimulatorOrg } {
  const [owner, consumer, supplier] = sim.orgs;
  if (!owner || !consumer || !supplier) throw new Error("expected the three default organisations");
  return { owner, consumer, supplier };
}

/** A Maskinporten client body with sensible defaults. */
export function clientBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_name: "test client",
    description: "made by a test",
    integration_type: "maskinporten",
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: [JWT_BEARER_GRANT],
    scopes: ["difitest:open"],
    ...overrides,
  };
}

/** Checks the `ApiErrorResponse` shape and returns it. */
export function expectApiError(res: HttpResult, status: number, description?: RegExp | string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual(
    expect.objectContaining({
      status,
      timestamp: expect.any(String),
      correlation_id: expect.any(String),
      errors: expect.any(Array),
      error: expect.any(String),
      error_description: expect.any(String),
    }),
  );
  if (description !== undefined) expect(res.body.error_description).toMatch(description);
}

/**
 * Checks an OAuth error body of the token endpoint: `error`, `error_description` ending in Maskinporten's
 * `(trace_id: …)`, and `error_uri` …/errors/MP-nnn when `mpCode` is given (none otherwise).
 */
export function expectOAuthError(res: HttpResult, error: string, description?: RegExp | string, mpCode?: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    error,
    error_description: expect.stringMatching(/ \(trace_id: [0-9a-f]{32}\)$/),
    ...(mpCode ? { error_uri: expect.stringMatching(new RegExp(`/errors/${mpCode}$`)) } : {}),
  });
  if (description !== undefined) expect(res.body.error_description).toMatch(description);
}
