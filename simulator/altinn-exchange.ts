/**
 * Altinn's token exchange (`GET /authentication/api/v1/exchange/maskinporten`): a Maskinporten access token
 * in, an Altinn token out, as plain text. Enough for consumer code that exchanges before calling Altinn.
 */
import { randomUUID } from "node:crypto";
import type { AuthServer, ServerUrls } from "./auth-server";
import type { Clock } from "./clock";
import type { LogFacts, SimRequest, SimResponse } from "./http";

export const ALTINN_EXCHANGE_PATH = "/authentication/api/v1/exchange/maskinporten";

export class AltinnExchange {
  constructor(
    private readonly auth: AuthServer,
    private readonly clock: Clock,
    private readonly urls: ServerUrls,
  ) {}

  async exchange(req: SimRequest, facts: LogFacts): Promise<SimResponse> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!m) return { status: 401, body: "send the Maskinporten access token as Authorization: Bearer <token>" };
    let claims;
    try {
      claims = await this.auth.verifyMaskinportenToken(m[1]!);
    } catch (err) {
      return { status: 401, body: (err as Error).message };
    }
    const orgno = claims.consumer.ID.replace(/^0192:/, "");
    facts.orgno = orgno;
    facts.clientId = claims.client_id;
    const now = this.clock.nowSeconds();
    const token = await this.auth.sign({
      scope: claims.scope,
      token_type: "Bearer",
      client_id: claims.client_id,
      consumer: claims.consumer,
      ...(claims.supplier ? { supplier: claims.supplier } : {}),
      "urn:altinn:orgNumber": orgno,
      "urn:altinn:authenticatemethod": "maskinporten",
      "urn:altinn:authlevel": 3,
      iss: `${this.urls.url}/authentication/api/v1/openid/`,
      iat: now,
      nbf: now,
      exp: claims.exp,
      jti: randomUUID(),
    });
    return { status: 200, body: token, contentType: "text/plain; charset=utf-8" };
  }
}
