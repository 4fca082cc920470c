/**
 * The two programs the benchmark runs side by side, with the same resources and the same dependency graph:
 *
 * - A, the package: a supplier (leverandør) manages one Maskinporten client per customer organisation, each
 *   with its own key; the API owner grants its scope to each customer, and each client uses the scope through
 *   its grant. Per customer: ScopeGrant → Client → ClientKey; one Scope for all. 1 + 3N resources, two
 *   credentials (owner, supplier).
 * - B, the bare engine: the same 1 + 3N dynamic resources, with the same inputs and edges, served by a
 *   do-nothing inline provider (create returns an id, nothing else is implemented).
 *
 * B with `pad` set is B′: each resource carries that many extra characters, so that its state is as large as
 * A's. A Pulumi file backend writes the whole state after every step, so state size alone makes `up` and
 * `destroy` of hundreds of resources slower; B′ separates that cost from the provider's own work.
 *
 * Both read their customers (organisation number, public JWK) from `bench-input.json` in the project.
 */
import { generateKeyPair } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { orgnoCheckDigit } from "../../provider/api/validation";
import { REPO } from "../e2e/harness";

export interface Customer {
  orgno: string;
  /** A public RSA JWK with a kid; the private half was never kept. */
  publicKey: Record<string, unknown>;
}

export interface BenchInput {
  subscope: string;
  customers: Customer[];
  /** Characters of padding program B gives each resource (in its inputs, so in its outputs too); default none. */
  pad?: number;
}

export const INPUT_FILE = "bench-input.json";

const READ_INPUT = `
import * as fs from "node:fs";
import * as path from "node:path";

interface BenchInput { subscope: string; customers: { orgno: string; publicKey: Record<string, unknown> }[]; pad?: number }
const input: BenchInput = JSON.parse(fs.readFileSync(path.join(__dirname, "${INPUT_FILE}"), "utf8"));
`;

export const PROGRAM_A = `${READ_INPUT}
import * as maskinporten from "pulumi-maskinporten";

const scope = new maskinporten.Scope("api", { prefix: "eksempel", subscope: input.subscope, description: "Benchmark API", profile: "owner" });
input.customers.forEach((customer, i) => {
  const grant = new maskinporten.ScopeGrant(\`grant-\${i}\`, { scope: scope.name, consumerOrgno: customer.orgno, profile: "owner" });
  const client = new maskinporten.Client(\`client-\${i}\`, {
    clientName: \`bench-\${i}\`,
    clientOrgno: customer.orgno,
    scopes: [grant.scope],
    profile: "supplier",
  });
  new maskinporten.ClientKey(\`key-\${i}\`, { clientId: client.clientId, publicKey: customer.publicKey, profile: "supplier" });
});
`;

export const PROGRAM_B = `${READ_INPUT}
import * as pulumi from "@pulumi/pulumi";

const doNothing: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: inputs.name, outs: { ...inputs, out: inputs.name } };
  },
};

const padding = input.pad ? { pad: "x".repeat(input.pad) } : {};

class Noop extends pulumi.dynamic.Resource {
  public declare readonly out: pulumi.Output<string>;
  constructor(name: string, props: Record<string, pulumi.Input<unknown>>) {
    super(doNothing, name, { ...props, ...padding, name, out: undefined }, undefined, "bench", "Noop");
  }
}

const scope = new Noop("api", { prefix: "eksempel", subscope: input.subscope, description: "Benchmark API", profile: "owner" });
input.customers.forEach((customer, i) => {
  const grant = new Noop(\`grant-\${i}\`, { scope: scope.out, consumerOrgno: customer.orgno, profile: "owner" });
  const client = new Noop(\`client-\${i}\`, { clientName: \`bench-\${i}\`, clientOrgno: customer.orgno, scopes: [grant.out], profile: "supplier" });
  new Noop(\`key-\${i}\`, { clientId: client.out, publicKey: customer.publicKey, profile: "supplier" });
});
`;

/**
 * The type of program A a resource of either program stands for, by its name (B's are all `Noop`): so that
 * both programs' state can be compared type by type.
 */
export function roleOf(resource: { urn: string }): string {
  const name = resource.urn.slice(resource.urn.lastIndexOf("::") + 2);
  if (name === "api") return "Scope";
  const role = { grant: "ScopeGrant", client: "Client", key: "ClientKey" }[name.replace(/-\d+$/, "")];
  if (role === undefined) throw new Error(`no benchmark resource is named ${name}`);
  return role;
}

/** Resources in either program for N customers. */
export function resourceCount(n: number): number {
  return 1 + 3 * n;
}

/**
 * `count` valid organisation numbers (mod-11 check digit) from `first` on: synthetic customers. Grants and
 * supplier-made clients need a valid number, not a seeded organisation.
 */
export function customerOrgnos(count: number, first: number): string[] {
  const orgnos: string[] = [];
  for (let base = first; orgnos.length < count; base++) {
    const eight = String(base).padStart(8, "0");
    const check = orgnoCheckDigit(eight);
    if (check !== undefined) orgnos.push(`${eight}${check}`);
  }
  return orgnos;
}

const KEY_CACHE = join(REPO, ".cache", "bench", "public-keys.json");

/**
 * `count` public RSA-2048 JWKs. Generating one takes ~0.2 s on the bench machine, so they are kept (public
 * halves only) in .cache/bench between runs; a key is registered on one client per program run.
 */
export async function publicKeys(count: number): Promise<Record<string, unknown>[]> {
  const cached: Record<string, unknown>[] = existsSync(KEY_CACHE) ? JSON.parse(readFileSync(KEY_CACHE, "utf8")) : [];
  const generate = promisify(generateKeyPair);
  while (cached.length < count) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, count - cached.length) }, () => generate("rsa", { modulusLength: 2048 })),
    );
    for (const { publicKey } of batch) cached.push({ ...publicKey.export({ format: "jwk" }), kid: `bench-${cached.length}` });
  }
  mkdirSync(join(REPO, ".cache", "bench"), { recursive: true });
  writeFileSync(KEY_CACHE, JSON.stringify(cached));
  return cached.slice(0, count);
}

export function writeInput(dir: string, input: BenchInput): void {
  writeFileSync(join(dir, INPUT_FILE), JSON.stringify(input));
}
