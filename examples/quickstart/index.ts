/**
 * The quickstart: both sides of Maskinporten access in one program.
 *
 * - As the API owner (credential profile "owner"): a scope for your API, granted to a consumer organisation.
 * - As the consumer (profile "consumer"): a Maskinporten client that uses the scope, with a key pair generated
 *   by Pulumi; the private key is a secret output for your vault.
 *
 * In real life the two sides are usually two organisations with two stacks; one stack with two profiles
 * shows the whole handshake.
 */
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("quickstart");
/** The API owner's scope prefix, as Digdir assigned it. */
const prefix = config.require("prefix");
/** The consumer organisation: the organisation of the "consumer" profile. */
const consumerOrgno = config.require("consumerOrgno");

const scope = new maskinporten.Scope("weather-api", {
  prefix,
  subscope: "weather.read",
  description: "Read the weather forecast",
  profile: "owner",
});

const grant = new maskinporten.ScopeGrant("weather-api-for-consumer", {
  scope: scope.name,
  consumerOrgno,
  profile: "owner",
});

const client = new maskinporten.Client("weather-client", {
  clientName: "weather-client",
  description: "Reads the weather forecast",
  // Using the grant's output orders the client after the grant: the scope may only be added once granted.
  scopes: [grant.scope],
  profile: "consumer",
});

const key = new maskinporten.ClientKey("weather-client-key", {
  clientId: client.clientId,
  generate: { algorithm: "RS256", modulusLength: 3072 },
  profile: "consumer",
});

export const scopeName = scope.name;
export const clientId = client.clientId;
export const kid = key.kid;
export const keyExpiresAt = key.expiresAt;
/** The private key as JWK JSON: a secret (`pulumi stack output privateKeyJwk --show-secrets`). */
export const privateKeyJwk = key.privateKeyJwk;
