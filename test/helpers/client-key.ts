/**
 * The ClientKey provider driven as the engine drives it, against a simulator: inputs through `check` (with a
 * `__provider` string), the outputs of one step as the `olds` of the next; the portal as the ground truth.
 */
import { randomUUID } from "node:crypto";
import type { ApiClient, Jwk } from "../../provider/api/wire";
import { clientKeyProvider } from "../../provider/resources/client-key/provider";
import { OPEN_CATALOGUE_SCOPE, type SimulatorHandle, type SimulatorOrg } from "../../simulator";
import { clearTokenCache, getToken } from "../../sdk/tokens";
import { lifecycle } from "./provider";

export { PROVIDER, type Props } from "./provider";

export const DAY_MS = 24 * 60 * 60 * 1000;

export function clientKeyDriver(sim: () => SimulatorHandle, org: () => SimulatorOrg) {
  const portal = () => sim().control.portal(org().orgno);

  const { checkWith, check, failuresOf, up, preview } = lifecycle(clientKeyProvider);

  async function keysOf(clientId: string): Promise<Jwk[]> {
    const response = await portal().request<{ keys: Jwk[] }>("GET", `/clients/${clientId}/jwks`);
    return response.status === 404 ? [] : response.body.keys;
  }

  return {
    portal,
    checkWith,
    check,
    failuresOf,
    up,
    preview,

    async newClient(scopes: string[] = [OPEN_CATALOGUE_SCOPE]): Promise<ApiClient> {
      return portal().createClient({
        client_name: `keys-${randomUUID().slice(0, 8)}`,
        description: "Holds keys for the ClientKey tests",
        integration_type: "maskinporten",
        application_type: "web",
        token_endpoint_auth_method: "private_key_jwt",
        grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        scopes,
      });
    },

    keysOf,

    async kidsOf(clientId: string): Promise<string[]> {
      return (await keysOf(clientId)).map((k) => k.kid ?? "?").sort();
    },

    /** A fresh Maskinporten token (no cache) for the client with a private key form; rejects when refused. */
    async tokenWith(clientId: string, key: string, kid?: string, scope = OPEN_CATALOGUE_SCOPE) {
      await clearTokenCache();
      return getToken({ issuer: sim().issuer, clientId, key, ...(kid !== undefined && { kid }), scopes: scope });
    },
  };
}
