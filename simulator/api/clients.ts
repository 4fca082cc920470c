/** `/clients`: list, create, read, replace, deactivate. */
import { randomUUID } from "node:crypto";
import { ApiError, fieldError, json, type SimResponse } from "../http";
import {
  CLIENT_ID_PATTERN,
  CLIENT_INTEGRATION_TYPES,
  CLIENT_LIFETIMES,
  DEFAULT_ACCESS_TOKEN_LIFETIME,
  DEFAULT_AUTHORIZATION_LIFETIME,
  REFRESH_TOKEN_USAGES,
  jwksProblems,
  lifetimeProblem,
  orgnoProblem,
  scopeNameProblem,
  scopeUseProblem,
} from "../rules";
import type { ClientRecord, StoredKey, Store } from "../state";
import type { SimulatorSwitches } from "../variant";
import {
  JWT_BEARER_GRANT,
  MASKINPORTEN_INTEGRATION_TYPE,
  PRIVATE_KEY_JWT,
  requestSchemas,
  type ApiClient,
  type ApiFieldError,
  type ClientRequest,
} from "../wire";
import {
  byCreated,
  compact,
  describeOrg,
  includeInactive,
  isSupplier,
  parseBody,
  problemsToFieldErrors,
  rejectIfAny,
  written,
  type ApiContext,
} from "./context";
import { keyView, storedKey } from "./keys";

const OBJECT = "Client";

/** How a client is shown: the switches that shape it, and the API base for a generated `jwks_uri`. */
export interface ClientViewOptions {
  switches: Pick<SimulatorSwitches, "clientJwks" | "unsetLifetimes">;
  apiBaseUrl?: string;
}

/** The test hooks' view: keys inline, unset lifetimes left out. */
export const FULL_CLIENT_VIEW: ClientViewOptions = { switches: { clientJwks: "inline", unsetLifetimes: "absent" } };

/** The URL of a client's key set on this API, shown as `jwks_uri` when keys are not inline. */
function generatedJwksUri(apiBaseUrl: string, clientId: string): string {
  return `${apiBaseUrl}/clients/${encodeURIComponent(clientId)}/jwks`;
}

function viewOptions(ctx: ApiContext): ClientViewOptions {
  return { switches: ctx.switches, apiBaseUrl: ctx.apiBaseUrl };
}

export function clientView(client: ClientRecord, options: ClientViewOptions = FULL_CLIENT_VIEW): ApiClient {
  const { switches, apiBaseUrl } = options;
  const inline = switches.clientJwks === "inline";
  // evidence: the API returns `refresh_token_lifetime: 0` and the like for lifetimes never set.
  const unset = switches.unsetLifetimes === "zero" ? 0 : undefined;
  return compact<ApiClient>({
    client_id: client.client_id,
    client_name: client.client_name,
    description: client.description,
    integration_type: client.integration_type,
    application_type: client.application_type,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    grant_types: [...client.grant_types],
    scopes: [...client.scopes],
    client_orgno: client.client_orgno,
    supplier_orgno: client.supplier_orgno,
    active: client.active,
    access_token_lifetime: client.access_token_lifetime,
    authorization_lifetime: client.authorization_lifetime,
    refresh_token_lifetime: client.refresh_token_lifetime ?? unset,
    refresh_token_usage: client.refresh_token_usage,
    jwks_uri: client.jwks_uri ?? (!inline && apiBaseUrl ? generatedJwksUri(apiBaseUrl, client.client_id) : undefined),
    jwks: inline && client.keys.length > 0 ? { keys: client.keys.map(keyView) } : undefined,
    created: client.created,
    last_updated: client.last_updated,
  });
}

/** The client, if it exists (404) and the caller may manage it (403). */
export function loadClient(ctx: ApiContext, clientId: string): ClientRecord {
  const client = ctx.store.clients.get(clientId);
  if (!client) throw ApiError.notFound(`client ${JSON.stringify(clientId)} does not exist`);
  const { caller } = ctx;
  const own = client.client_orgno === caller.orgno;
  const supplied = isSupplier(caller) && client.supplier_orgno === caller.orgno;
  if (!own && !supplied) {
    throw ApiError.forbidden(
      `client ${clientId} belongs to organisation ${describeOrg(ctx.store, client.client_orgno)}, not to yours (${caller.orgno})`,
    );
  }
  return client;
}

type ClientFields = Omit<ClientRecord, "client_id" | "client_orgno" | "supplier_orgno" | "keys" | "active" | "created" | "last_updated">;

/** Validates the mutable fields of a POST or PUT body; PUT is a full replacement, so absent means default. */
function clientFields(ctx: ApiContext, body: ClientRequest, clientOrgno: string, existing?: ClientRecord): ClientFields {
  const errors: ApiFieldError[] = [];
  let integrationType: string;
  if (existing) {
    integrationType = existing.integration_type;
    if (body.integration_type !== undefined && body.integration_type !== existing.integration_type) {
      errors.push(
        fieldError(
          OBJECT,
          "integration_type",
          `cannot be changed after creation (it is ${JSON.stringify(existing.integration_type)}); create a new client instead`,
        ),
      );
    }
  } else {
    integrationType = body.integration_type ?? "";
    if (body.integration_type === undefined) {
      errors.push(
        fieldError(
          OBJECT,
          "integration_type",
          `is required: use ${JSON.stringify(MASKINPORTEN_INTEGRATION_TYPE)} for a Maskinporten client`,
        ),
      );
    } else if (!CLIENT_INTEGRATION_TYPES.includes(body.integration_type)) {
      errors.push(
        fieldError(
          OBJECT,
          "integration_type",
          `must be one of ${CLIENT_INTEGRATION_TYPES.join(", ")}, got ${JSON.stringify(body.integration_type)}`,
        ),
      );
    }
  }

  const scopes = [...new Set(body.scopes ?? [])];
  if (scopes.length === 0) {
    errors.push(fieldError(OBJECT, "scopes", "is empty: a client needs at least one scope"));
  }
  scopes.forEach((scope, i) => {
    const grammar = scopeNameProblem(scope, `scopes[${i}]`);
    if (grammar) {
      errors.push(fieldError(OBJECT, grammar.field, grammar.message));
      return;
    }
    const problem = scopeUseProblem(ctx.store, scope, clientOrgno, integrationType || MASKINPORTEN_INTEGRATION_TYPE);
    if (problem) errors.push(fieldError(OBJECT, `scopes[${i}]`, problem));
  });

  for (const field of CLIENT_LIFETIMES) {
    const value = body[field];
    if (value === undefined) continue;
    const problem = lifetimeProblem(value, field);
    if (problem) errors.push(fieldError(OBJECT, problem.field, problem.message));
  }
  if (body.refresh_token_usage !== undefined && !REFRESH_TOKEN_USAGES.includes(body.refresh_token_usage)) {
    errors.push(fieldError(OBJECT, "refresh_token_usage", `must be one of ${REFRESH_TOKEN_USAGES.join(", ")}`));
  }
  rejectIfAny(errors);

  return {
    client_name: body.client_name,
    description: body.description,
    integration_type: integrationType,
    application_type: body.application_type ?? "web",
    token_endpoint_auth_method: body.token_endpoint_auth_method ?? PRIVATE_KEY_JWT,
    grant_types: body.grant_types ?? [JWT_BEARER_GRANT],
    scopes,
    access_token_lifetime: body.access_token_lifetime ?? DEFAULT_ACCESS_TOKEN_LIFETIME,
    authorization_lifetime: body.authorization_lifetime ?? DEFAULT_AUTHORIZATION_LIFETIME,
    refresh_token_lifetime: body.refresh_token_lifetime,
    refresh_token_usage: body.refresh_token_usage,
    // a jwks_uri echoed from an answer (the API's own URL of the key set) is not the client's own
    jwks_uri: existing && body.jwks_uri === generatedJwksUri(ctx.apiBaseUrl, existing.client_id) ? undefined : body.jwks_uri,
  };
}

/** Validates a whole key set sent with a client or to `/jwks`; 400 with a field error per problem. */
export function validatedKeys(store: Store, keys: readonly Record<string, unknown>[], objectName: string, fieldPrefix = ""): StoredKey[] {
  const now = store.clock.nowSeconds();
  const problems = jwksProblems(keys, now).map((p) => ({ ...p, field: fieldPrefix + p.field }));
  rejectIfAny(problemsToFieldErrors(objectName, problems));
  return keys.map((k) => storedKey(k, now));
}

export function listClients(ctx: ApiContext): SimResponse {
  const { caller } = ctx;
  const inactive = includeInactive(ctx.req);
  const supplier = isSupplier(caller);
  const mine: ClientRecord[] = [];
  for (const client of ctx.store.clients.values()) {
    if (!inactive && !client.active) continue;
    if (client.client_orgno === caller.orgno || (supplier && client.supplier_orgno === caller.orgno)) mine.push(client);
  }
  const options = viewOptions(ctx);
  return json(mine.sort(byCreated).map((c) => clientView(c, options)));
}

export function createClient(ctx: ApiContext): SimResponse {
  const { caller, store } = ctx;
  const body = parseBody(ctx.req, requestSchemas().clientRequest, OBJECT) as ClientRequest;
  const clientOrgno = body.client_orgno ?? caller.orgno;
  const orgnoError = orgnoProblem(clientOrgno, "client_orgno");
  if (orgnoError) throw ApiError.field(OBJECT, orgnoError.field, orgnoError.message);
  if (clientOrgno !== caller.orgno && !isSupplier(caller)) {
    throw ApiError.forbidden(
      `client_orgno ${clientOrgno} is not your organisation (${caller.orgno}); only suppliers with the scope idporten:dcr.supplier may manage clients of other organisations`,
    );
  }
  const fields = clientFields(ctx, body, clientOrgno);
  const clientId = newClientId(ctx, body.client_id);
  const existing = store.clients.get(clientId);
  if (existing) {
    throw ApiError.conflict(
      existing.active
        ? `client ${clientId} already exists`
        : `client ${clientId} exists but is deactivated; reactivate it with PUT /clients/${clientId} and "active": true`,
    );
  }
  const keys = body.jwks ? validatedKeys(store, body.jwks.keys, OBJECT, "jwks.") : [];
  const now = ctx.clock.timestamp();
  const client: ClientRecord = {
    client_id: clientId,
    ...fields,
    client_orgno: clientOrgno,
    ...(clientOrgno !== caller.orgno ? { supplier_orgno: caller.orgno } : {}),
    active: true,
    keys: [],
    created: now,
    last_updated: now,
  };
  store.putClient(client);
  if (keys.length > 0) store.setKeys(client, keys);
  return written(ctx.switches.createAnswer, clientView(client, viewOptions(ctx)));
}

/**
 * The id of a new client under the `clientIdOnCreate` switch. ref: "Digdir assigns client_id" ("APIet vil
 * opprette og returnere client_id"); evidence: no production caller sends one, so its fate is unknown.
 */
function newClientId(ctx: ApiContext, supplied: string | undefined): string {
  if (supplied === undefined || ctx.switches.clientIdOnCreate === "ignored") return randomUUID();
  if (ctx.switches.clientIdOnCreate === "refused") {
    throw ApiError.field(OBJECT, "client_id", "is assigned by Digdir and may not be sent when creating a client; leave it out");
  }
  if (!CLIENT_ID_PATTERN.test(supplied)) {
    throw ApiError.field(
      OBJECT,
      "client_id",
      "may hold only letters, digits, '.', '_', ':' and '-' (at most 255); leave it out to get a generated id",
    );
  }
  return supplied;
}

export function getClient(ctx: ApiContext): SimResponse {
  return json(clientView(loadClient(ctx, ctx.req.params["client_id"]!), viewOptions(ctx)));
}

export function updateClient(ctx: ApiContext): SimResponse {
  const clientId = ctx.req.params["client_id"]!;
  const existing = loadClient(ctx, clientId);
  const body = parseBody(ctx.req, requestSchemas().clientRequest, OBJECT) as ClientRequest;
  if (body.client_id !== undefined && body.client_id !== clientId) {
    throw ApiError.field(OBJECT, "client_id", `must equal the client_id in the path (${clientId})`);
  }
  if (body.client_orgno !== undefined && body.client_orgno !== existing.client_orgno) {
    throw ApiError.field(OBJECT, "client_orgno", `cannot be changed (the client belongs to ${existing.client_orgno})`);
  }
  const fields = clientFields(ctx, body, existing.client_orgno, existing);
  // keys are managed through /jwks; a `jwks` in a PUT body (e.g. echoed from a GET) is ignored
  const updated: ClientRecord = {
    ...existing,
    ...fields,
    active: body.active ?? existing.active,
    last_updated: ctx.clock.timestamp(),
  };
  for (const key of Object.keys(updated) as (keyof ClientRecord)[]) if (updated[key] === undefined) delete updated[key];
  ctx.store.putClient(updated);
  return json(clientView(updated, viewOptions(ctx)));
}

export function deleteClient(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  if (client.active) {
    client.active = false;
    client.last_updated = ctx.clock.timestamp();
    ctx.store.putClient(client);
  }
  return written(ctx.switches.deleteAnswer, clientView(client, viewOptions(ctx)));
}
