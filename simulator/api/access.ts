/** `/scopes/access`: an API owner grants and revokes a consumer organisation's use of a scope. */
import { ApiError, json, type SimResponse } from "../http";
import { orgnoProblem } from "../rules";
import type { GrantRecord, Store } from "../state";
import type { ScopeAccess } from "../wire";
import { byCreated, compact, describeOrg, written, type ApiContext } from "./context";
import { ownedScope } from "./scopes";

const OBJECT = "ScopeAccess";

export function accessView(store: Store, grant: GrantRecord): ScopeAccess {
  return compact<ScopeAccess>({
    scope: grant.scope,
    state: grant.state,
    owner_orgno: grant.owner_orgno,
    owner_organization_name: store.orgName(grant.owner_orgno),
    consumer_orgno: grant.consumer_orgno,
    consumer_organization_name: store.orgName(grant.consumer_orgno),
    created: grant.created,
    last_updated: grant.last_updated,
  });
}

function consumerFromPath(ctx: ApiContext): string {
  const orgno = ctx.req.params["consumer_orgno"]!;
  const problem = orgnoProblem(orgno, "consumer_orgno");
  if (problem) throw ApiError.field(OBJECT, problem.field, problem.message);
  return orgno;
}

/** PUT grants (or approves a revoked grant again); granting twice changes nothing. */
export function grantAccess(ctx: ApiContext): SimResponse {
  const consumer = consumerFromPath(ctx);
  const scope = ownedScope(ctx);
  const { store } = ctx;
  const now = ctx.clock.timestamp();
  const existing = store.grant(scope.name, consumer);
  if (existing) {
    if (existing.state !== "APPROVED") {
      existing.state = "APPROVED";
      existing.last_updated = now;
      store.putGrant(existing);
    }
    return json(accessView(store, existing));
  }
  const grant: GrantRecord = {
    scope: scope.name,
    owner_orgno: scope.owner_orgno,
    consumer_orgno: consumer,
    state: "APPROVED",
    created: now,
    last_updated: now,
  };
  store.putGrant(grant);
  return json(accessView(store, grant));
}

/** DELETE revokes: the grant stays, as DENIED. */
export function revokeAccess(ctx: ApiContext): SimResponse {
  const consumer = consumerFromPath(ctx);
  const scope = ownedScope(ctx);
  const { store } = ctx;
  const grant = store.grant(scope.name, consumer);
  if (!grant) throw ApiError.notFound(`organisation ${describeOrg(store, consumer)} has never been granted ${scope.name}`);
  if (grant.state !== "DENIED") {
    grant.state = "DENIED";
    grant.last_updated = ctx.clock.timestamp();
    store.putGrant(grant);
  }
  return written(ctx.switches.deleteAnswer, accessView(store, grant));
}

/** GET /scopes/access?scope=…|consumer_orgno=…: grants the caller has given. */
export function listGrantsGiven(ctx: ApiContext): SimResponse {
  const { query } = ctx.req;
  const { store, caller } = ctx;
  const scopeName = query.get("scope");
  const consumer = query.get("consumer_orgno");
  if (!scopeName && !consumer) {
    throw ApiError.badRequest("give ?scope=<scope name> or ?consumer_orgno=<organisation number>", [
      { errorMessage: "scope or consumer_orgno is required", isFieldError: true, objectName: OBJECT, fieldIdentifier: "scope" },
    ]);
  }
  if (consumer) {
    const problem = orgnoProblem(consumer, "consumer_orgno");
    if (problem) throw ApiError.field(OBJECT, problem.field, problem.message);
  }
  const scope = scopeName ? ownedScope(ctx).name : undefined;
  const result = [...store.grants.values()]
    .filter(
      (g) => g.owner_orgno === caller.orgno && (scope === undefined || g.scope === scope) && (!consumer || g.consumer_orgno === consumer),
    )
    .sort(byCreated)
    .map((g) => accessView(store, g));
  return json(result);
}

/** GET /scopes/access/all: grants the caller's organisation has received. */
export function listGrantsReceived(ctx: ApiContext): SimResponse {
  const { store, caller } = ctx;
  const result = [...store.grants.values()]
    .filter((g) => g.consumer_orgno === caller.orgno)
    .sort(byCreated)
    .map((g) => accessView(store, g));
  return json(result);
}
