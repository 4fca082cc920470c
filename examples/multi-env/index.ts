/**
 * One integration, two environments: a Maskinporten client with its key, in Digdir's test and production
 * environments. The program is the same; what differs lives in the stack config files, side by side in review:
 *
 * - `Pulumi.test.yaml`: `maskinporten:environment: test`, the client's name, its scopes, a longer token lifetime.
 * - `Pulumi.prod.yaml`: `maskinporten:environment: prod`, the production name and scopes.
 *
 * Each environment has its own key pair (`npx maskinporten keys create weather-sync --out keys` makes one for
 * TEST and one for PROD); only the public half is config. The private halves go to the application's vault.
 */
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("multi-env");

const client = new maskinporten.Client("weather-sync", {
  clientName: config.require("clientName"),
  description: config.get("description"),
  scopes: config.requireObject<string[]>("scopes"),
  accessTokenLifetime: config.getNumber("accessTokenLifetime"),
});

const key = new maskinporten.ClientKey("weather-sync-key", {
  clientId: client.clientId,
  // A public JWK (its kid is the key's kid) or a PEM public key with multi-env:kid.
  publicKey: config.require("publicKey"),
  kid: config.get("kid"),
});

/** What the application needs besides its private key: put these in its settings for this environment. */
export const clientId = client.clientId;
export const kid = key.kid;
export const scopes = client.scopes;
export const keyExpiresAt = key.expiresAt;
