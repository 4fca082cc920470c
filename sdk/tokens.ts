/**
 * Access tokens for programs that call APIs protected by Maskinporten, and Altinn's token exchange.
 *
 *   const token = await getAccessToken({ environment: "test", clientId, key: process.env.MP_KEY!, scopes: "altinn:instances.read" });
 *   const altinn = await exchangeToAltinnToken(token, { environment: "test" });
 *
 * Free of Pulumi: usable in any program. The work is done in `provider/api/consumer-tokens.ts`.
 */
import {
  exchangeWith,
  OPTION_NAMES,
  tokenFor,
  type AltinnExchangeOptions,
  type Token,
  type TokenOptions,
} from "../provider/api/consumer-tokens";

export {
  clearTokenCache,
  type AltinnExchangeOptions,
  type MaskinportenEnvironment,
  type Token,
  type TokenOptions,
} from "../provider/api/consumer-tokens";

/** An access token from Maskinporten for the client: the cached one while it is valid, else a new one. */
export async function getAccessToken(options: TokenOptions): Promise<string> {
  return (await getToken(options)).accessToken;
}

/** `getAccessToken` with the token's scope, expiry and kid. */
export function getToken(options: TokenOptions): Promise<Token> {
  return tokenFor(options, OPTION_NAMES);
}

/**
 * Exchanges a Maskinporten access token for an Altinn token (Altinn's
 * `GET /authentication/api/v1/exchange/maskinporten`), for calling Altinn's APIs.
 */
export async function exchangeToAltinnToken(token: string, options: AltinnExchangeOptions): Promise<string> {
  return exchangeWith(token, options, OPTION_NAMES);
}
