/**
 * What the crash soak's program declares, as data (written to `crash-model.json` beside the program before each
 * engine run): the API owner's scopes and grants, and the consumer's clients, each using granted scopes and
 * holding keys the provider generates (`ClientKey` with `generate`) or public keys given to it. Names carry the
 * run's number, so what one run left behind never counts in another's checks.
 */
import { SOAK_PREFIX } from "./model";

export interface CrashKey {
  /** The resource name; the kid of a generated key is its thumbprint with the resource marker, of a given one the JWK's kid. */
  name: string;
  publicKey?: Record<string, unknown>;
}

export interface CrashClient {
  /** The resource name. */
  name: string;
  clientName: string;
  subscopes: string[];
  keys: CrashKey[];
}

export interface CrashModel {
  consumerOrgno: string;
  subscopes: string[];
  grants: { subscope: string; orgno: string }[];
  clients: CrashClient[];
}

export const CRASH_MODEL_FILE = "crash-model.json";

export const CRASH_PROGRAM = `
import * as fs from "node:fs";
import * as path from "node:path";
import * as maskinporten from "pulumi-maskinporten";

interface Model {
  consumerOrgno: string;
  subscopes: string[];
  grants: { subscope: string; orgno: string }[];
  clients: { name: string; clientName: string; subscopes: string[]; keys: { name: string; publicKey?: Record<string, unknown> }[] }[];
}
const model: Model = JSON.parse(fs.readFileSync(path.join(__dirname, "${CRASH_MODEL_FILE}"), "utf8"));

const scopes = new Map(
  model.subscopes.map((subscope) => [
    subscope,
    new maskinporten.Scope(\`scope-\${subscope}\`, { prefix: "${SOAK_PREFIX}", subscope, description: \`Crash soak \${subscope}\`, profile: "owner" }),
  ]),
);
const grants = model.grants.map((g) => ({
  ...g,
  grant: new maskinporten.ScopeGrant(\`grant-\${g.subscope}-\${g.orgno}\`, { scope: scopes.get(g.subscope)!.name, consumerOrgno: g.orgno, profile: "owner" }),
}));
const granted = (subscope: string) => grants.find((g) => g.subscope === subscope && g.orgno === model.consumerOrgno)!.grant.scope;
for (const c of model.clients) {
  const client = new maskinporten.Client(c.name, { clientName: c.clientName, scopes: c.subscopes.map(granted), profile: "consumer" });
  for (const key of c.keys) {
    new maskinporten.ClientKey(
      key.name,
      key.publicKey
        ? { clientId: client.clientId, publicKey: key.publicKey, profile: "consumer" }
        : { clientId: client.clientId, generate: { modulusLength: 2048 }, profile: "consumer" },
    );
  }
}
`;

export function crashScopeName(subscope: string): string {
  return `${SOAK_PREFIX}:${subscope}`;
}

/**
 * The program of run `run`: two scopes granted to the consumer (one of them sometimes to a third organisation as
 * well), and two or three clients, each with one generated key and sometimes a given public key.
 */
export function crashModel(
  random: () => number,
  run: number,
  consumer: string,
  third: string,
  publicKeys: readonly Record<string, unknown>[],
): CrashModel {
  const subscopes = [`crash${run}.a`, `crash${run}.b`];
  const grants = subscopes.map((subscope) => ({ subscope, orgno: consumer }));
  if (random() < 0.5) grants.push({ subscope: subscopes[0]!, orgno: third });
  const count = random() < 0.5 ? 2 : 3;
  const clients: CrashClient[] = [];
  for (let i = 0; i < count; i++) clients.push(newClient(random, run, i, subscopes, publicKeys));
  return { consumerOrgno: consumer, subscopes, grants, clients };
}

function newClient(
  random: () => number,
  run: number,
  i: number,
  subscopes: string[],
  publicKeys: readonly Record<string, unknown>[],
): CrashClient {
  const keys: CrashKey[] = [{ name: `key-${i}-gen0` }];
  if (random() < 0.4) {
    const kid = `crash${run}-${i}-given`;
    keys.push({ name: `key-${i}-given`, publicKey: { ...publicKeys[(run * 3 + i) % publicKeys.length]!, kid } });
  }
  return { name: `client-${i}`, clientName: `crash-${run}-${i}`, subscopes: random() < 0.5 ? [subscopes[0]!] : [...subscopes], keys };
}

export type CrashChange =
  "add client" | "remove client" | "add generated key" | "remove key" | "change client scopes" | "toggle third-party grant";

/** The program after two or three seeded changes of the kinds an `up` of an existing stack makes. */
export function changedCrashModel(
  random: () => number,
  model: CrashModel,
  run: number,
  third: string,
  publicKeys: readonly Record<string, unknown>[],
): { model: CrashModel; changes: CrashChange[] } {
  const next = structuredClone(model);
  const changes: CrashChange[] = [];
  const all: CrashChange[] = [
    "add client",
    "remove client",
    "add generated key",
    "remove key",
    "change client scopes",
    "toggle third-party grant",
  ];
  const wanted = 2 + Math.floor(random() * 2);
  while (changes.length < wanted) {
    const change = all[Math.floor(random() * all.length)]!;
    if (changes.includes(change) || !apply(random, next, change, run, third, publicKeys)) continue;
    changes.push(change);
  }
  return { model: next, changes };
}

function apply(
  random: () => number,
  model: CrashModel,
  change: CrashChange,
  run: number,
  third: string,
  publicKeys: readonly Record<string, unknown>[],
): boolean {
  const pickClient = () => model.clients[Math.floor(random() * model.clients.length)]!;
  switch (change) {
    case "add client": {
      const index = Math.max(...model.clients.map((c) => Number(c.name.slice("client-".length)))) + 1;
      model.clients.push(newClient(random, run, index, model.subscopes, publicKeys));
      return true;
    }
    case "remove client":
      if (model.clients.length <= 1) return false;
      model.clients.splice(Math.floor(random() * model.clients.length), 1);
      return true;
    case "add generated key": {
      const client = pickClient();
      if (client.keys.length >= 4) return false;
      const names = new Set(client.keys.map((k) => k.name));
      let n = 1;
      while (names.has(`${client.name.replace("client", "key")}-gen${n}`)) n++;
      client.keys.push({ name: `${client.name.replace("client", "key")}-gen${n}` });
      return true;
    }
    case "remove key": {
      const client = model.clients.find((c) => c.keys.length > 1);
      if (!client) return false;
      client.keys.splice(Math.floor(random() * client.keys.length), 1);
      return true;
    }
    case "change client scopes": {
      const client = pickClient();
      client.subscopes = client.subscopes.length === 2 ? [model.subscopes[1]!] : [...model.subscopes];
      return true;
    }
    case "toggle third-party grant": {
      const i = model.grants.findIndex((g) => g.orgno === third);
      if (i >= 0) model.grants.splice(i, 1);
      else model.grants.push({ subscope: model.subscopes[0]!, orgno: third });
      return true;
    }
  }
}
