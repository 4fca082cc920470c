/** `/scopes`, `/scopes/scope`, `/scopes/all` and `/prefix`: the scopes an API owner defines. */
import { ApiError, fieldError, json, type SimResponse } from "../http";
import { SCOPE_INTEGRATION_TYPES, SCOPE_VISIBILITIES, TOKEN_TYPES, prefixProblem, subscopeProblem, suppliedScopeName } from "../rules";
import type { ScopeRecord } from "../state";
import { requestSchemas, type ApiFieldError, type ApiScope, type ScopeRequest } from "../wire";
import { byCreated, compact, describeOrg, includeInactive, parseBody, queryParam, rejectIfAny, written, type ApiContext } from "./context";

const OBJECT = "Scope";

/**
 * evidence: scope objects come back with every member, unset ones as 0, "" or false, plus fields outside
 * the spec (`protected`, `supports_european_businesses`, `description#en`).
 */
const UNSET_SCOPE_MEMBERS = {
  long_description: "",
  at_max_age: 0,
  authorization_max_lifetime: 0,
  delegation_source: "",
  enforced_aud_for_access_token: "",
  protected: false,
  supports_european_businesses: false,
  "description#en": "",
};

export function scopeView(scope: ScopeRecord): ApiScope {
  return { ...UNSET_SCOPE_MEMBERS, ...compact<ApiScope>({ ...scope, allowed_integration_types: [...scope.allowed_integration_types] }) };
}

/** The scope named by `?scope=` (404 when unknown). */
function namedScope(ctx: ApiContext): ScopeRecord {
  const name = queryParam(ctx.req, "scope", OBJECT);
  const scope = ctx.store.scopes.get(name);
  if (!scope) throw ApiError.notFound(`scope ${JSON.stringify(name)} does not exist`);
  return scope;
}

/** The scope named by `?scope=`, which the caller must own (403). */
export function ownedScope(ctx: ApiContext): ScopeRecord {
  const scope = namedScope(ctx);
  if (scope.owner_orgno !== ctx.caller.orgno) {
    throw ApiError.forbidden(
      `scope ${scope.name} belongs to organisation ${describeOrg(ctx.store, scope.owner_orgno)}, not to yours (${ctx.caller.orgno})`,
    );
  }
  return scope;
}

type ScopeFields = Omit<ScopeRecord, "name" | "prefix" | "subscope" | "owner_orgno" | "active" | "created" | "last_updated">;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], field: string, errors: ApiFieldError[]): T | undefined {
  if (value === undefined) return undefined;
  if (allowed.includes(value as T)) return value as T;
  errors.push(fieldError(OBJECT, field, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`));
  return undefined;
}

function scopeFields(body: ScopeRequest, errors: ApiFieldError[]): ScopeFields {
  if (typeof body.description !== "string" || body.description.trim() === "") {
    errors.push(fieldError(OBJECT, "description", "is required: say what the API gives access to"));
  }
  const types = body.allowed_integration_types ?? ["maskinporten"];
  types.forEach((t, i) => {
    if (!SCOPE_INTEGRATION_TYPES.includes(t))
      errors.push(
        fieldError(
          OBJECT,
          `allowed_integration_types[${i}]`,
          `must be one of ${SCOPE_INTEGRATION_TYPES.join(", ")}, got ${JSON.stringify(t)}`,
        ),
      );
  });
  if (types.length === 0) errors.push(fieldError(OBJECT, "allowed_integration_types", 'is empty: allow at least "maskinporten"'));
  for (const field of ["at_max_age", "authorization_max_lifetime"] as const) {
    const v = body[field];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      errors.push(fieldError(OBJECT, field, "must be a whole number of seconds >= 0"));
  }
  return {
    description: body.description ?? "",
    long_description: body.long_description,
    allowed_integration_types: [...new Set(types)],
    token_type: oneOf(body.token_type, TOKEN_TYPES, "token_type", errors) ?? "SELF_CONTAINED",
    visibility: oneOf(body.visibility, SCOPE_VISIBILITIES, "visibility", errors) ?? "PUBLIC",
    accessible_for_all: body.accessible_for_all ?? false,
    at_max_age: body.at_max_age,
    authorization_max_lifetime: body.authorization_max_lifetime,
    delegation_source: body.delegation_source,
    requires_user_consent: body.requires_user_consent ?? false,
    requires_user_authentication: body.requires_user_authentication ?? false,
    requires_pseudonymous_tokens: body.requires_pseudonymous_tokens ?? false,
    enforced_aud_for_access_token: body.enforced_aud_for_access_token,
  };
}

/**
 * GET /scopes: the caller's scopes; with `?scope=` one scope where the `singleScopeRead` switch allows it
 * (evidence: Digdir's doc reads one scope this way), as the scope or a list (`scopeQueryShape`).
 */
export function listScopes(ctx: ApiContext): SimResponse {
  if (ctx.req.query.has("scope") && ctx.switches.singleScopeRead !== "path") return scopeByQuery(ctx);
  const inactive = includeInactive(ctx.req);
  const result = [...ctx.store.scopes.values()]
    .filter((s) => s.owner_orgno === ctx.caller.orgno && (inactive || s.active))
    .sort(byCreated)
    .map(scopeView);
  return json(result);
}

export function createScope(ctx: ApiContext): SimResponse {
  const { store, caller } = ctx;
  const body = parseBody(ctx.req, requestSchemas().scopeRequest, OBJECT) as ScopeRequest;
  const errors: ApiFieldError[] = [];
  const prefixError = prefixProblem(body.prefix, "prefix");
  if (prefixError) errors.push(fieldError(OBJECT, prefixError.field, prefixError.message));
  const subscopeError = subscopeProblem(body.subscope, "subscope");
  if (subscopeError) errors.push(fieldError(OBJECT, subscopeError.field, subscopeError.message));
  const fields = scopeFields(body, errors);
  const name = `${body.prefix}:${body.subscope}`;
  const suppliedName = suppliedScopeName(body.name);
  if (suppliedName !== undefined && !prefixError && !subscopeError && suppliedName !== name) {
    errors.push(
      fieldError(OBJECT, "name", `must be prefix:subscope (${JSON.stringify(name)}) or left out, got ${JSON.stringify(body.name)}`),
    );
  }
  rejectIfAny(errors);
  const owner = store.prefixOwners.get(body.prefix!);
  if (owner !== caller.orgno) {
    throw ApiError.forbidden(
      owner
        ? `prefix ${JSON.stringify(body.prefix)} belongs to organisation ${describeOrg(store, owner)}, not to yours (${caller.orgno})`
        : `prefix ${JSON.stringify(body.prefix)} is not assigned to your organisation (${caller.orgno}); Digdir assigns prefixes (GET /prefix lists yours)`,
    );
  }
  const existing = store.scopes.get(name);
  if (existing) {
    throw ApiError.conflict(
      existing.active
        ? `scope ${name} already exists`
        : `scope ${name} exists but is deactivated; reactivate it with PUT /scopes?scope=${name} and "active": true`,
    );
  }
  const now = ctx.clock.timestamp();
  const scope: ScopeRecord = {
    name,
    prefix: body.prefix!,
    subscope: body.subscope!,
    ...fields,
    owner_orgno: caller.orgno,
    active: true,
    created: now,
    last_updated: now,
  };
  store.putScope(compact(scope));
  return written(ctx.switches.createAnswer, scopeView(scope));
}

/** PUT replaces the mutable fields; prefix, subscope and name never change; `active: true` reactivates. */
export function updateScope(ctx: ApiContext): SimResponse {
  const existing = ownedScope(ctx);
  const body = parseBody(ctx.req, requestSchemas().scopeRequest, OBJECT) as ScopeRequest;
  const errors: ApiFieldError[] = [];
  const sent = { prefix: body.prefix, subscope: body.subscope, name: suppliedScopeName(body.name) };
  for (const field of ["prefix", "subscope", "name"] as const) {
    if (sent[field] !== undefined && sent[field] !== existing[field]) {
      errors.push(fieldError(OBJECT, field, `cannot be changed (it is ${JSON.stringify(existing[field])}); create a new scope instead`));
    }
  }
  const fields = scopeFields(body, errors);
  rejectIfAny(errors);
  const updated: ScopeRecord = compact({
    ...existing,
    ...fields,
    active: body.active ?? existing.active,
    last_updated: ctx.clock.timestamp(),
  });
  ctx.store.putScope(updated);
  return json(scopeView(updated));
}

/** DELETE deactivates and answers with the scope; its grants stay. */
export function deleteScope(ctx: ApiContext): SimResponse {
  const scope = ownedScope(ctx);
  if (scope.active) {
    scope.active = false;
    scope.last_updated = ctx.clock.timestamp();
    ctx.store.putScope(scope);
  }
  return written(ctx.switches.deleteAnswer, scopeView(scope));
}

/** One scope: the owner sees it always; others see public scopes and scopes granted to them. */
function visibleScope(ctx: ApiContext): ScopeRecord {
  const scope = namedScope(ctx);
  const { caller, store } = ctx;
  if (scope.owner_orgno !== caller.orgno && scope.visibility !== "PUBLIC" && store.grant(scope.name, caller.orgno)?.state !== "APPROVED") {
    throw ApiError.forbidden(
      `scope ${scope.name} belongs to organisation ${describeOrg(store, scope.owner_orgno)}, not to yours (${caller.orgno})`,
    );
  }
  return scope;
}

/** GET /scopes/scope?scope= (evidence: unconfirmed; absent when the `singleScopeRead` switch is "query"). */
export function getScope(ctx: ApiContext): SimResponse {
  if (ctx.switches.singleScopeRead === "query") throw ApiError.notFound(`no such endpoint: ${ctx.req.method} ${ctx.req.path}`);
  return json(scopeView(visibleScope(ctx)));
}

function scopeByQuery(ctx: ApiContext): SimResponse {
  if (ctx.switches.scopeQueryShape === "object") return json(scopeView(visibleScope(ctx)));
  const name = queryParam(ctx.req, "scope", OBJECT);
  if (!ctx.store.scopes.has(name)) return json([]);
  return json([scopeView(visibleScope(ctx))]);
}

/** The catalogue: public scopes, plus the caller's own and those granted to it. */
export function listAllScopes(ctx: ApiContext): SimResponse {
  const { query } = ctx.req;
  const { caller, store } = ctx;
  const inactive = includeInactive(ctx.req);
  const prefix = query.get("prefix");
  const forAll = query.get("accessible_for_all");
  const integrationType = query.get("integration_type");
  const result = [...store.scopes.values()]
    .filter((s) => {
      if (!inactive && !s.active) return false;
      if (prefix && s.prefix !== prefix) return false;
      if (forAll !== null && forAll !== "" && String(s.accessible_for_all) !== forAll.toLowerCase()) return false;
      if (integrationType && !s.allowed_integration_types.includes(integrationType)) return false;
      return s.visibility === "PUBLIC" || s.owner_orgno === caller.orgno || store.grant(s.name, caller.orgno)?.state === "APPROVED";
    })
    .sort(byCreated)
    .map(scopeView);
  return json(result);
}

export function listPrefixes(ctx: ApiContext): SimResponse {
  return json([...(ctx.store.orgs.get(ctx.caller.orgno)?.prefixes ?? [])]);
}
