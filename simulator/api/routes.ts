/**
 * The self-service API v1: its routes, the admin scope each needs, and the dispatcher that authenticates
 * the caller, checks the scope and turns errors into `ApiErrorResponse` bodies.
 */
import type { AuthServer, ServerUrls } from "../auth-server";
import type { Clock } from "../clock";
import { ApiError, apiErrorBody, type LogFacts, type SimRequest, type SimResponse } from "../http";
import { Router } from "../router";
import type { Store } from "../state";
import type { SimulatorSwitches } from "../variant";
import { ADMIN_SCOPES } from "../wire";
import { listDelegationSources } from "./delegation-sources";
import { grantAccess, listGrantsGiven, listGrantsReceived, revokeAccess } from "./access";
import { createClient, deleteClient, getClient, listClients, updateClient } from "./clients";
import type { ApiHandler, Caller } from "./context";
import { deleteJwks, deleteKey, getJwks, getKey, putKey, replaceJwks } from "./jwks";
import { createScope, deleteScope, getScope, listAllScopes, listPrefixes, listScopes, updateScope } from "./scopes";

export const API_PREFIX = "/api/v1";

export interface ApiRoute {
  /** Any one of these admin scopes suffices; none: a public route, without a token. */
  scopes: readonly string[];
  handler: ApiHandler;
}

const { dcrRead, dcrWrite, dcrModify, scopesRead, scopesWrite } = ADMIN_SCOPES;
const READ_CLIENTS = [dcrRead];
const WRITE_CLIENTS = [dcrWrite];
const MODIFY_CLIENTS = [dcrWrite, dcrModify];
const READ_SCOPES = [scopesRead, scopesWrite];
const WRITE_SCOPES = [scopesWrite];
const READ_CATALOGUE = [scopesRead, scopesWrite, dcrRead, dcrWrite];
/** evidence: `GET /api/v1/delegationsources` is public (digdirator reads it at start-up). */
const PUBLIC: readonly string[] = [];

/**
 * What portal edits (`/__sim/portal/...`) are answered with, whatever the switches: the web portal is
 * another interface than the API, and a test hook must keep working under every variant.
 */
const PORTAL_SWITCHES: Pick<
  SimulatorSwitches,
  | "createAnswer"
  | "keyWriteAnswer"
  | "deleteAnswer"
  | "singleKeyEndpoints"
  | "keylessJwks"
  | "clientJwks"
  | "clientIdOnCreate"
  | "singleScopeRead"
  | "scopeQueryShape"
  | "unsetLifetimes"
> = {
  createAnswer: "200",
  keyWriteAnswer: "200",
  deleteAnswer: "200",
  singleKeyEndpoints: "available",
  keylessJwks: "404",
  clientJwks: "inline",
  clientIdOnCreate: "honoured",
  singleScopeRead: "both",
  scopeQueryShape: "object",
  unsetLifetimes: "absent",
};

/** Templates are relative to `/api/v1`. */
export function apiRouter(): Router<ApiRoute> {
  const r = new Router<ApiRoute>();
  const add = (method: string, template: string, scopes: readonly string[], handler: ApiHandler) =>
    r.add(method, template, { scopes, handler });
  add("GET", "/clients", READ_CLIENTS, listClients);
  add("POST", "/clients", WRITE_CLIENTS, createClient);
  add("GET", "/clients/{client_id}", READ_CLIENTS, getClient);
  add("PUT", "/clients/{client_id}", MODIFY_CLIENTS, updateClient);
  add("DELETE", "/clients/{client_id}", WRITE_CLIENTS, deleteClient);
  add("GET", "/clients/{client_id}/jwks", READ_CLIENTS, getJwks);
  add("POST", "/clients/{client_id}/jwks", MODIFY_CLIENTS, replaceJwks);
  add("DELETE", "/clients/{client_id}/jwks", MODIFY_CLIENTS, deleteJwks);
  add("GET", "/clients/{client_id}/jwks/{kid}", READ_CLIENTS, getKey);
  add("PUT", "/clients/{client_id}/jwks/{kid}", MODIFY_CLIENTS, putKey);
  add("DELETE", "/clients/{client_id}/jwks/{kid}", MODIFY_CLIENTS, deleteKey);
  add("GET", "/scopes", READ_SCOPES, listScopes);
  add("POST", "/scopes", WRITE_SCOPES, createScope);
  add("PUT", "/scopes", WRITE_SCOPES, updateScope);
  add("DELETE", "/scopes", WRITE_SCOPES, deleteScope);
  add("GET", "/scopes/scope", READ_SCOPES, getScope);
  add("GET", "/scopes/all", READ_CATALOGUE, listAllScopes);
  add("GET", "/scopes/access", READ_SCOPES, listGrantsGiven);
  add("GET", "/scopes/access/all", READ_SCOPES, listGrantsReceived);
  add("PUT", "/scopes/access/{consumer_orgno}", WRITE_SCOPES, grantAccess);
  add("DELETE", "/scopes/access/{consumer_orgno}", WRITE_SCOPES, revokeAccess);
  add("GET", "/prefix", READ_SCOPES, listPrefixes);
  add("GET", "/delegationsources", PUBLIC, listDelegationSources);
  return r;
}

export interface ApiDeps {
  store: Store;
  clock: Clock;
  auth: AuthServer;
  urls: ServerUrls;
}

/** An `ApiErrorResponse` answer, with WWW-Authenticate on 401 and insufficient scope. */
export function apiError(err: ApiError, req: SimRequest, clock: Clock): SimResponse {
  const headers: Record<string, string> = {};
  if (err.status === 401) headers["www-authenticate"] = `Bearer error="invalid_token"`;
  if (err.code === "insufficient_scope") headers["www-authenticate"] = `Bearer error="insufficient_scope"`;
  return {
    status: err.status,
    headers,
    body: apiErrorBody(err.status, err.code, err.message, req.correlationId, clock.timestamp(), err.fieldErrors),
  };
}

async function authenticate(req: SimRequest, auth: AuthServer): Promise<Caller> {
  const header = req.headers.authorization;
  if (!header)
    throw new ApiError(401, "invalid_token", "missing bearer token: send Authorization: Bearer <access token from the token endpoint>");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new ApiError(401, "invalid_token", 'the Authorization header must be "Bearer <access token>"');
  try {
    const caller = await auth.verifyAccessToken(m[1]!);
    return { ...caller, portal: false };
  } catch (err) {
    throw new ApiError(401, "invalid_token", (err as Error).message);
  }
}

/** Runs one API route: authenticate (unless a portal caller is given), check the scope, handle. */
export async function dispatchApi(
  deps: ApiDeps,
  route: ApiRoute,
  req: SimRequest,
  facts: LogFacts,
  portalCaller?: Caller,
): Promise<SimResponse> {
  try {
    const switches = portalCaller ? { ...deps.store.switches, ...PORTAL_SWITCHES } : deps.store.switches;
    const apiBaseUrl = `${deps.urls.url}${API_PREFIX}`;
    if (route.scopes.length === 0) {
      return await route.handler({
        req,
        caller: portalCaller ?? { orgno: "", scopes: new Set(), portal: false },
        store: deps.store,
        clock: deps.clock,
        switches,
        apiBaseUrl,
      });
    }
    const caller = portalCaller ?? (await authenticate(req, deps.auth));
    facts.orgno = caller.orgno;
    if (caller.clientId) facts.clientId = caller.clientId;
    if (!route.scopes.some((s) => caller.scopes.has(s))) {
      throw new ApiError(403, "insufficient_scope", `missing scope ${route.scopes.join(" or ")}: the access token must carry it`);
    }
    return await route.handler({ req, caller, store: deps.store, clock: deps.clock, switches, apiBaseUrl });
  } catch (err) {
    if (err instanceof ApiError) return apiError(err, req, deps.clock);
    throw err;
  }
}
