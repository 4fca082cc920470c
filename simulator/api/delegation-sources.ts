/** `GET /delegationsources`: the public list of Altinn delegation sources (evidence: digdirator reads it at start-up). */
import { json, type SimResponse } from "../http";
import type { ApiContext } from "./context";

export function listDelegationSources(ctx: ApiContext): SimResponse {
  const origin = ctx.apiBaseUrl.replace(/\/api\/v1$/, "");
  return json([{ name: "altinn", issuer: `${origin}/authentication/api/v1/openid/` }]);
}
