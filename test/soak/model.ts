/**
 * What the soak program declares, as data: written to `soak-model.json` in the project before each run, and
 * compared with the simulator and the stack after it. Shaped like the quickstart: the API owner's scopes and
 * grants, the consumer's client using the granted scopes, and the client's keys.
 */
export interface SoakModel {
  /** The organisation of the client: the consumer, whose grants the client's scopes need. */
  consumerOrgno: string;
  clientName: string;
  /** Subscopes of `eksempel` the owner declares; always all of SOAK_SUBSCOPES. */
  scopes: string[];
  /** Grants the owner gives: subscope → consumer organisation. */
  grants: { subscope: string; orgno: string }[];
  /** Subscopes on the client; each is granted to the consumer. */
  clientScopes: string[];
  keys: { kid: string; publicKey: Record<string, unknown> }[];
}

export const SOAK_PREFIX = "eksempel";
export const SOAK_SUBSCOPES = ["soak.a", "soak.b"] as const;
export const MODEL_FILE = "soak-model.json";

export const SOAK_PROGRAM = `
import * as fs from "node:fs";
import * as path from "node:path";
import * as maskinporten from "pulumi-maskinporten";

interface Model {
  consumerOrgno: string;
  clientName: string;
  scopes: string[];
  grants: { subscope: string; orgno: string }[];
  clientScopes: string[];
  keys: { kid: string; publicKey: Record<string, unknown> }[];
}
const model: Model = JSON.parse(fs.readFileSync(path.join(__dirname, "${MODEL_FILE}"), "utf8"));

const scopes = new Map(
  model.scopes.map((subscope) => [
    subscope,
    new maskinporten.Scope(\`scope-\${subscope}\`, { prefix: "${SOAK_PREFIX}", subscope, description: \`Soak \${subscope}\`, profile: "owner" }),
  ]),
);
const grants = model.grants.map((g) => ({
  ...g,
  grant: new maskinporten.ScopeGrant(\`grant-\${g.subscope}-\${g.orgno}\`, { scope: scopes.get(g.subscope)!.name, consumerOrgno: g.orgno, profile: "owner" }),
}));
// Through the grant's output, so the client is changed only once its scopes are granted.
const granted = (subscope: string) => grants.find((g) => g.subscope === subscope && g.orgno === model.consumerOrgno)!.grant.scope;
const client = new maskinporten.Client("client", { clientName: model.clientName, scopes: model.clientScopes.map(granted), profile: "consumer" });
for (const key of model.keys) {
  new maskinporten.ClientKey(\`key-\${key.kid}\`, { clientId: client.clientId, publicKey: key.publicKey, profile: "consumer" });
}
export const clientId = client.clientId;
`;

export function scopeName(subscope: string): string {
  return `${SOAK_PREFIX}:${subscope}`;
}

/** A random model for a cycle: both scopes, the client's scopes granted, one or two keys, maybe a grant to a third party. */
export function baseModel(random: () => number, cycle: number, consumer: string, third: string, keyPool: SoakModel["keys"]): SoakModel {
  const clientScopes = random() < 0.5 ? ["soak.a"] : ["soak.a", "soak.b"];
  const grants = clientScopes.map((subscope) => ({ subscope, orgno: consumer }));
  if (random() < 0.5) grants.push({ subscope: "soak.a", orgno: third });
  return {
    consumerOrgno: consumer,
    clientName: `soak-${cycle}`,
    scopes: [...SOAK_SUBSCOPES],
    grants,
    clientScopes,
    keys: keyPool.slice(0, random() < 0.5 ? 1 : 2),
  };
}

export type Change = "add scope" | "remove scope" | "add grant" | "remove grant" | "add key" | "remove key";

/**
 * The model after one to three random changes: a scope added to or removed from the client (with its grant to
 * the consumer), a grant to a third party added or removed, a key added or removed.
 */
export function changedModel(
  random: () => number,
  model: SoakModel,
  third: string,
  keyPool: SoakModel["keys"],
): { model: SoakModel; changes: Change[] } {
  const next: SoakModel = structuredClone(model);
  const consumer = model.consumerOrgno;
  const changes: Change[] = [];
  const pick = () => random() < 0.5;
  const all = () => changes.length === 0;
  if (pick()) {
    if (next.clientScopes.includes("soak.b")) {
      next.clientScopes = ["soak.a"];
      next.grants = next.grants.filter((g) => !(g.subscope === "soak.b" && g.orgno === consumer));
      changes.push("remove scope");
    } else {
      next.clientScopes = ["soak.a", "soak.b"];
      next.grants.push({ subscope: "soak.b", orgno: consumer });
      changes.push("add scope");
    }
  }
  if (pick()) {
    const i = next.grants.findIndex((g) => g.orgno === third);
    if (i >= 0) {
      next.grants.splice(i, 1);
      changes.push("remove grant");
    } else {
      next.grants.push({ subscope: "soak.a", orgno: third });
      changes.push("add grant");
    }
  }
  if (pick() || all()) {
    const add = next.keys.length === 1 || (next.keys.length < keyPool.length && pick());
    next.keys = keyPool.slice(0, next.keys.length + (add ? 1 : -1));
    changes.push(add ? "add key" : "remove key");
  }
  return { model: next, changes };
}

/** Five keys on one new client in one `up`: the per-client serialization of whole-set JWKS writes under load. */
export const FIVE_KEYS_PROGRAM = `
import * as fs from "node:fs";
import * as path from "node:path";
import * as maskinporten from "pulumi-maskinporten";

const model: { clientName: string; keys: { kid: string; publicKey: Record<string, unknown> }[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, "${MODEL_FILE}"), "utf8"),
);
const client = new maskinporten.Client("client", { clientName: model.clientName, scopes: ["difitest:open"], profile: "consumer" });
for (const key of model.keys) {
  new maskinporten.ClientKey(\`key-\${key.kid}\`, { clientId: client.clientId, publicKey: key.publicKey, profile: "consumer" });
}
export const clientId = client.clientId;
`;
