/**
 * An API owner: the scopes of one API, and who may use them.
 *
 * - The scopes are part of the API, so they live here in code, the same in every environment.
 * - Who may use which scope differs per environment and changes as consumers come and go, so it lives in each
 *   stack's config (`api-provider:access`, a map of subscope → consumer organisation numbers). Giving a new
 *   consumer access is a one-line pull request to `Pulumi.<stack>.yaml`; `pulumi preview` in the PR shows
 *   the one grant it adds.
 */
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

/** The API's scopes: subscope → what it gives access to. */
const API_SCOPES: Record<string, { description: string; longDescription?: string }> = {
  "instances.read": {
    description: "Read instances",
    longDescription: "Lists instances and reads their data and status.",
  },
  "instances.write": {
    description: "Create and change instances",
    longDescription: "Creates instances, changes their data and completes them.",
  },
  "events.read": {
    description: "Read instance events",
  },
};

const config = new pulumi.Config("api-provider");
/** Your organisation's scope prefix, as Digdir assigned it. */
const prefix = config.require("prefix");
/** subscope → the organisation numbers that may use it. */
const access = config.getObject<Record<string, string[]>>("access") ?? {};

for (const [subscope, consumers] of Object.entries(access)) {
  if (!(subscope in API_SCOPES)) {
    throw new Error(
      `api-provider:access names the scope "${subscope}", which this API does not have (it has ${Object.keys(API_SCOPES).join(", ")})`,
    );
  }
  // YAML and `pulumi config set --path` store an unquoted organisation number as a number.
  if (!Array.isArray(consumers) || consumers.some((orgno) => !["string", "number"].includes(typeof orgno))) {
    throw new Error(`api-provider:access.${subscope} must be a list of organisation numbers, e.g. ["312000008"]`);
  }
}

const scopes: Record<string, maskinporten.Scope> = {};
for (const [subscope, args] of Object.entries(API_SCOPES)) {
  scopes[subscope] = new maskinporten.Scope(subscope, {
    prefix,
    subscope,
    ...args,
    // Only the organisations granted access see the scope in Digdir's catalogue.
    visibility: "PRIVATE",
  });
}

// One grant per (scope, consumer), named after both: adding or removing a consumer touches only its grant.
const grants: maskinporten.ScopeGrant[] = [];
for (const [subscope, consumers] of Object.entries(access)) {
  for (const consumerOrgno of new Set(consumers.map(String))) {
    grants.push(new maskinporten.ScopeGrant(`${subscope}-${consumerOrgno}`, { scope: scopes[subscope]!.name, consumerOrgno }));
  }
}

/** The scope names consumers request, e.g. `eksempel:instances.read`. */
export const scopeNames = Object.values(scopes).map((scope) => scope.name);
/** Who has access to what, as Maskinporten holds it: `<scope>/<consumer orgno>` → the consumer's name. */
export const grantsInForce = pulumi
  .all(grants.map((grant) => pulumi.all([grant.id, grant.consumerOrganizationName])))
  .apply((pairs) => Object.fromEntries(pairs.map(([id, name]) => [id, name ?? ""])));
