/** `/clients/{client_id}/jwks`: the whole key set (replace-all, delete-all) and single keys by kid. */
import { ApiError, json, type SimResponse } from "../http";
import { MAX_KEYS_PER_CLIENT, jwkProblems } from "../rules";
import type { ClientRecord } from "../state";
import { requestSchemas, type Jwks } from "../wire";
import { loadClient, validatedKeys } from "./clients";
import { compact, parseBody, problemsToFieldErrors, rejectIfAny, written, type ApiContext } from "./context";
import { keyView, storedKey } from "./keys";

const OBJECT = "Jwks";

/** evidence: JWKS answers carry set-level `created` and `last_updated` beside `keys`. */
function jwksView(client: ClientRecord): Jwks {
  return compact<Jwks>({ keys: client.keys.map(keyView), created: client.jwks_created, last_updated: client.jwks_last_updated });
}

/**
 * A client without keys, under the `keylessJwks` switch. evidence: okdata's fixtures answer `200 {}` or
 * `200 {"keys": []}`; ref: "404 is also used for no keys".
 */
function keylessJwks(ctx: ApiContext, client: ClientRecord): SimResponse {
  switch (ctx.switches.keylessJwks) {
    case "404":
      throw ApiError.notFound(`client ${client.client_id} has no keys`);
    case "empty-object":
      return json({});
    case "empty-keys":
      return json({ keys: [] });
  }
}

export function getJwks(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  if (client.keys.length === 0) return keylessJwks(ctx, client);
  return json(jwksView(client));
}

/** POST replaces the whole set. */
export function replaceJwks(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const body = parseBody(ctx.req, requestSchemas().jwks, OBJECT);
  if (body.keys.length === 0) {
    throw ApiError.field(
      OBJECT,
      "keys",
      `is empty; an empty set cannot be posted: remove all keys with DELETE /clients/${client.client_id}/jwks`,
    );
  }
  const keys = validatedKeys(ctx.store, body.keys, OBJECT);
  ctx.store.setKeys(client, keys);
  return written(ctx.switches.keyWriteAnswer, jwksView(client));
}

export function deleteJwks(ctx: ApiContext): SimResponse {
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  if (client.keys.length > 0) ctx.store.setKeys(client, []);
  return written(ctx.switches.deleteAnswer, jwksView(client));
}

/**
 * Under `singleKeyEndpoints: absent` the single-key routes are unmapped: answered as the server answers any
 * path no route maps (404 "no such endpoint"; Spring answers a path without handler 404, and 405 only for a
 * mapped path with another method). evidence: Digdir's OpenAPI types list them; no production caller uses them.
 */
function requireSingleKeyEndpoints(ctx: ApiContext): void {
  if (ctx.switches.singleKeyEndpoints === "absent") throw ApiError.notFound(`no such endpoint: ${ctx.req.method} ${ctx.req.path}`);
}

export function getKey(ctx: ApiContext): SimResponse {
  requireSingleKeyEndpoints(ctx);
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const kid = ctx.req.params["kid"]!;
  const key = client.keys.find((k) => k.kid === kid);
  if (!key) throw ApiError.notFound(`client ${client.client_id} has no key with kid ${JSON.stringify(kid)}`);
  return json(keyView(key));
}

/** PUT adds the key, or replaces the key with the same kid. */
export function putKey(ctx: ApiContext): SimResponse {
  requireSingleKeyEndpoints(ctx);
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const kid = ctx.req.params["kid"]!;
  const body = parseBody(ctx.req, requestSchemas().jwk, "Jwk") as Record<string, unknown>;
  if (body["kid"] !== undefined && body["kid"] !== kid) {
    throw ApiError.field("Jwk", "kid", `must equal the kid in the path (${JSON.stringify(kid)}), got ${JSON.stringify(body["kid"])}`);
  }
  const jwk = { ...body, kid };
  const now = ctx.clock.nowSeconds();
  rejectIfAny(problemsToFieldErrors("Jwk", jwkProblems(jwk, "jwk", now)));
  const others = client.keys.filter((k) => k.kid !== kid);
  if (others.length + 1 > MAX_KEYS_PER_CLIENT) {
    throw ApiError.field(
      OBJECT,
      "keys",
      `client ${client.client_id} already has ${others.length} keys; a client may have at most ${MAX_KEYS_PER_CLIENT}: remove an old key first`,
    );
  }
  const key = storedKey(jwk, now);
  ctx.store.setKeys(client, [...others, key]);
  return written(ctx.switches.keyWriteAnswer, keyView(key));
}

/** DELETE of one key answers with the keys that remain. */
export function deleteKey(ctx: ApiContext): SimResponse {
  requireSingleKeyEndpoints(ctx);
  const client = loadClient(ctx, ctx.req.params["client_id"]!);
  const kid = ctx.req.params["kid"]!;
  if (!client.keys.some((k) => k.kid === kid))
    throw ApiError.notFound(`client ${client.client_id} has no key with kid ${JSON.stringify(kid)}`);
  ctx.store.setKeys(
    client,
    client.keys.filter((k) => k.kid !== kid),
  );
  return written(ctx.switches.deleteAnswer, jwksView(client));
}
