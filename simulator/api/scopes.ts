/** `/scopes`, `/scopes/scope`, `/scopes/all` and `/prefix`: the scopes an API owner defines. */
import { wire, type ApiFieldError, type ApiScope, type ScopeRequest } from "../../provider/api/wire";
import { prefixProblem, subscopeProblem } from "../../provider/api/validation";
import { ApiError, fieldError, json, type SimResponse } from "../http";
import type { ScopeRecord } from "../state";
import { byCreated, compact, describeOrg, includeInactive, parseBody, queryParam, rejectIfAny, type ApiContext } from "./context";

const OBJECT = "Scope";
export const KNOWN_INTEGRATION_TYPES = ["maskinporten", "api_klient", "krr", "eformidling", "idporten", "ansattporten"];

export function scopeView(scope: ScopeRecord): ApiScope {
  return compact<ApiScope>({ ...scope, allowed_integration_types: [...scope.allowed_integration_types] });
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
    throw ApiError.forbidden(`scope ${scope.name} belongs to organisation ${describeOrg(ctx.store, scope.owner_orgno)}, not to yours (${ctx.caller.orgno})`);
  }
  return scope;
}

type ScopeFields = Omit<ScopeRecord, "name" | "prefix" | "subscope" | "owner_orgno" | "active" | "created" | "last_updated">;

function scopeFields(body: ScopeRequest, errors: ApiFieldError[]): ScopeFields {
  if (typeof body.description !== "string" || body.description.trim() === "") {
    errors.push(fieldError(OBJECT, "description", "is required: say what the API gives access to"));
  }
  const types = body.allowed_integration_types ?? ["maskinporten"];
  types.forEach((t, i) => {
    if (!KNOWN_INTEGRATION_TYPES.includes(t)) errors.push(fieldError(OBJECT, `allowed_integration_types[${i}]`, `must be one of ${KNOWN_INTEGRATION_TYPES.join(", ")}, got ${JSON.stringify(t)}`));
  });
  if (types.length === 0) errors.push(fieldError(OBJECT, "allowed_integration_types", "is empty: allow at least \"maskinporten\""));
  for (const field of ["at_max_age", "authorization_max_lifetime"] as const) {
    const v = body[field];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) errors.push(fieldError(OBJECT, field, "must be a whole number of seconds >= 0"));
  }
  return {
    description: body.description ?? "",
    long_description: body.long_description,
    allowed_integration_types: [...new Set(types)],
    token_type: body.token_type ?? "SELF_CONTAINED",
    visibility: body.visibility ?? "PUBLIC",
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

export function listScopes(ctx: ApiContext): SimResponse {
  const inactive = includeInactive(ctx.req);
  const result = [...ctx.store.scopes.values()]
    .filter((s) => s.owner_orgno === ctx.caller.orgno && (inactive || s.active))
    .sort(byCreated)
    .map(scopeView);
  return json(result);
}

export function createScope(ctx: ApiContext): SimResponse {
  const { store, caller } = ctx;
  const body = parseBody(ctx.req, wire().scopeRequest, OBJECT);
  const errors: ApiFieldError[] = [];
  const prefixError = prefixProblem(body.prefix, "prefix");
  if (prefixError) errors.push(fieldError(OBJECT, prefixError.field, prefixError.message));
  const subscopeError = subscopeProblem(body.subscope, "subscope");
  if (subscopeError) errors.push(fieldError(OBJECT, subscopeError.field, subscopeError.message));
  const fields = scopeFields(body, errors);
  const name = `${body.prefix}:${body.subscope}`;
  if (body.name !== undefined && !prefixError && !subscopeError && body.name !== name) {
    errors.push(fieldError(OBJECT, "name", `must be prefix:subscope (${JSON.stringify(name)}) or left out, got ${JSON.stringify(body.name)}`));
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
  const scope: ScopeRecord = { name, prefix: body.prefix!, subscope: body.subscope!, ...fields, owner_orgno: caller.orgno, active: true, created: now, last_updated: now };
  store.putScope(compact(scope));
  return json(scopeView(scope));
}

/** PUT replaces the mutable fields; prefix, subscope and name never change; `active: true` reactivates. */
export function updateScope(ctx: ApiContext): SimResponse {
  const existing = ownedScope(ctx);
  const body = parseBody(ctx.req, wire().scopeRequest, OBJECT);
  const errors: ApiFieldError[] = [];
  for (const field of ["prefix", "subscope", "name"] as const) {
    if (body[field] !== undefined && body[field] !== existing[field]) {
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
  return json(scopeView(scope));
}

/** One scope: the owner sees it always; others see public scopes and scopes granted to them. */
export function getScope(ctx: ApiContext): SimResponse {
  const scope = namedScope(ctx);
  const { caller, store } = ctx;
  if (scope.owner_orgno !== caller.orgno && scope.visibility !== "PUBLIC" && store.grant(scope.name, caller.orgno)?.state !== "APPROVED") {
    throw ApiError.forbidden(`scope ${scope.name} belongs to organisation ${describeOrg(store, scope.owner_orgno)}, not to yours (${caller.orgno})`);
  }
  return json(scopeView(scope));
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
