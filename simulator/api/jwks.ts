/** `/clients/{client_id}/jwks`: the whole key set (replace-all, delete-all) and single keys by kid. */
import { wire, type Jwks } from "../../provider/api/wire";
import { MAX_KEYS_PER_CLIENT, publicJwkProblems } from "../../provider/api/validation";
import { ApiError, json, type SimResponse } from "../http";
import { loadClient, validatedKeys } from "./clients";
import { parseBody, problemsToFieldErrors, rejectIfAny, type ApiContext } from "./context";
import { keyView, storedKey } from "./keys";

const OBJECT = "Jwks";

function jwksView(keys: readonly Parameters<typeof keyView>[0][]): Jwks {
  return { keys: keys.map(keyView) };
}

export function getJwks(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  // The real API answers 404 when a client has no keys.
  if (client.keys.length === 0) throw ApiError.notFound(`client ${client.client_id} has no keys`);
  return json(jwksView(client.keys));
}

/** POST replaces the whole set. */
export function replaceJwks(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const body = parseBody(ctx.req, wire().jwks, OBJECT);
  if (body.keys.length === 0) {
    throw ApiError.field(OBJECT, "keys", `is empty; an empty set cannot be posted: remove all keys with DELETE /clients/${client.client_id}/jwks`);
  }
  const keys = validatedKeys(ctx.store, body.keys, OBJECT);
  ctx.store.setKeys(client, keys);
  return json(jwksView(client.keys));
}

export function deleteJwks(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  if (client.keys.length > 0) ctx.store.setKeys(client, []);
  return json(jwksView([]));
}

export function getKey(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const kid = ctx.req.params["kid"]!;
  const key = client.keys.find((k) => k.kid === kid);
  if (!key) throw ApiError.notFound(`client ${client.client_id} has no key with kid ${JSON.stringify(kid)}`);
  return json(keyView(key));
}

/** PUT adds the key, or replaces the key with the same kid. */
export function putKey(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const kid = ctx.req.params["kid"]!;
  const body = parseBody(ctx.req, wire().jwk, "Jwk") as Record<string, unknown>;
  if (body["kid"] !== undefined && body["kid"] !== kid) {
    throw ApiError.field("Jwk", "kid", `must equal the kid in the path (${JSON.stringify(kid)}), got ${JSON.stringify(body["kid"])}`);
  }
  const jwk = { ...body, kid };
  const now = ctx.clock.nowSeconds();
  rejectIfAny(problemsToFieldErrors("Jwk", publicJwkProblems(jwk, { now, field: "jwk" })));
  const others = client.keys.filter((k) => k.kid !== kid);
  if (others.length + 1 > MAX_KEYS_PER_CLIENT) {
    throw ApiError.field(OBJECT, "keys", `client ${client.client_id} already has ${others.length} keys; a client may have at most ${MAX_KEYS_PER_CLIENT}: remove an old key first`);
  }
  const key = storedKey(jwk, now);
  ctx.store.setKeys(client, [...others, key]);
  return json(keyView(key));
}

/** DELETE of one key answers with the keys that remain. */
export function deleteKey(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const kid = ctx.req.params["kid"]!;
  if (!client.keys.some((k) => k.kid === kid)) throw ApiError.notFound(`client ${client.client_id} has no key with kid ${JSON.stringify(kid)}`);
  ctx.store.setKeys(client, client.keys.filter((k) => k.kid !== kid));
  return json(jwksView(client.keys));
}
