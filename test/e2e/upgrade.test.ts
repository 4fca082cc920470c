/**
 * Upgrade: state written by an earlier shape of the package is handled by the current one.
 *
 * test/fixtures/upgrade/deployment.json is a `pulumi stack export` (secrets encrypted) of the program in
 * test/fixtures/upgrade/program, written by the package as it was when the fixture was captured (see
 * meta.json and the README there). The test recreates the fixture's objects in a new simulator under the same
 * ids (as if Maskinporten had kept them), adjusts the server-set timestamps in the state to the new server's,
 * imports the state into a new stack and runs the same program with the current package: the first `up`
 * rewrites each resource's `__provider` text (and drops what this version no longer stores) without a request
 * to Maskinporten, after which `preview` and `refresh` show no changes, and `destroy` deactivates everything.
 *
 * MASKINPORTEN_UPGRADE_FIXTURE=capture rewrites the fixture from the current package first (then the test
 * runs against the new one); do that only when the state's shape changes on purpose, and say so in the commit.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Deployment } from "@pulumi/pulumi/automation";
import type { Jwk } from "../../provider/api/wire";
import { forwarderText, type ResourceType } from "../../provider/forwarder";
import type { SimulatorHandle } from "../../simulator";
import { startTestSimulator } from "../helpers/simulator-variant";
import {
  changesOf,
  describeEngine,
  E2E_ROOT,
  ENGINE_TIMEOUT_MS,
  previewSteps,
  privateJwkParts,
  REPO,
  removeProject,
  secretsIn,
  stackFor,
  storedState,
  useEngineSimulator,
  type EngineStack,
} from "./harness";
import { storedCheckpoint } from "../bench/state-size";

const run = promisify(execFile);
const FIXTURE = join(REPO, "test", "fixtures", "upgrade");
const TYPE_PREFIX = "pulumi-nodejs:dynamic/maskinporten:";

interface FixtureMeta {
  capturedAt: string;
  packageVersion: string;
  commit: string;
  engineVersion: string;
  /** The stack passphrase the secrets in deployment.json are encrypted with (openStack's default). */
  passphrase: string;
  stackName: string;
}

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

type Outputs = Record<string, unknown>;

function copyProgram(): string {
  const dir = join(E2E_ROOT, `upgrade-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  cpSync(join(FIXTURE, "program"), dir, { recursive: true });
  return dir;
}

/** Config of the fixture program for a simulator with the default organisations. */
function programConfig(sim: SimulatorHandle): Record<string, string> {
  return { "upgrade:prefix": sim.orgs[0]!.prefixes[0]!, "upgrade:consumerOrgno": sim.orgs[1]!.orgno };
}

function profiles(sim: SimulatorHandle): Record<string, string> {
  return { owner: sim.orgs[0]!.orgno, consumer: sim.orgs[1]!.orgno };
}

/** Writes the fixture from the current package: up of the program, `pulumi stack export` without secrets shown. */
async function captureFixture(): Promise<void> {
  const sim = await startTestSimulator();
  const dir = copyProgram();
  try {
    const stackName = "upgrade";
    const engine = await stackFor(dir, sim, profiles(sim), { stackName, config: programConfig(sim) });
    await engine.up();
    const file = join(FIXTURE, "deployment.json");
    await run("pulumi", ["stack", "export", "--stack", stackName, "--file", file], { cwd: dir, env: engine.envVars });
    const git = (args: string[]) => run("git", args, { cwd: REPO }).then((r) => r.stdout.trim());
    const meta: FixtureMeta = {
      capturedAt: new Date().toISOString(),
      packageVersion: (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version,
      commit: `${await git(["rev-parse", "HEAD"])}${(await git(["status", "--porcelain", "--", "provider", "sdk"])) ? " (with uncommitted changes)" : ""}`,
      engineVersion: (await run("pulumi", ["version"], { env: engine.envVars })).stdout.trim(),
      passphrase: "maskinporten-local",
      stackName,
    };
    writeFileSync(join(FIXTURE, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    await engine.destroy();
  } finally {
    await sim.close();
    removeProject(dir);
  }
}

/**
 * Makes the simulator hold the fixture's objects under their ids (as Maskinporten would still hold them), and
 * sets the server-set timestamps and key expiries in the deployment to this simulator's (facts of the
 * environment, like the ids; without this, refresh would report them as changed).
 */
async function restoreInSimulator(sim: SimulatorHandle, deployment: { resources?: StateResource[] }): Promise<void> {
  const ours = (type: string) => (deployment.resources ?? []).filter((r) => r.type === `${TYPE_PREFIX}${type}`);
  const set = (r: StateResource, values: Outputs) => {
    for (const [k, v] of Object.entries(values)) if (r.outputs && k in r.outputs && v !== undefined) r.outputs[k] = v;
  };
  for (const r of ours("Scope")) {
    const o = r.outputs as Outputs;
    const made = await sim.control.portal(o["ownerOrgno"] as string).createScope({
      prefix: o["prefix"] as string,
      subscope: o["subscope"] as string,
      description: o["description"] as string,
      ...(o["longDescription"] !== undefined && { long_description: o["longDescription"] as string }),
      ...(o["visibility"] !== undefined && { visibility: o["visibility"] as "PRIVATE" }),
    });
    expect(made.name).toBe(r.id);
    set(r, { created: made.created, lastUpdated: made.last_updated });
  }
  for (const r of ours("ScopeGrant")) {
    const o = r.outputs as Outputs;
    const made = await sim.control.portal(o["ownerOrgno"] as string).grantAccess(o["scope"] as string, o["consumerOrgno"] as string);
    set(r, { created: made.created, lastUpdated: made.last_updated });
  }
  for (const r of ours("Client")) {
    const o = r.outputs as Outputs;
    const made = await sim.control.portal(o["clientOrgno"] as string).createClient({
      client_id: r.id!,
      client_name: o["clientName"] as string,
      description: o["description"] as string,
      integration_type: o["integrationType"] as string,
      scopes: o["scopes"] as string[],
      ...(o["accessTokenLifetime"] !== undefined && { access_token_lifetime: o["accessTokenLifetime"] as number }),
    });
    expect(made.client_id).toBe(r.id);
    set(r, { created: made.created, lastUpdated: made.last_updated });
  }
  for (const r of ours("ClientKey")) {
    const o = r.outputs as Outputs;
    const clientId = o["clientId"] as string;
    const client = ours("Client").find((c) => c.id === clientId)!;
    const publicJwk = (o["publicKeyJwk"] ?? o["publicKey"]) as Jwk;
    // A key the program gave is registered as the provider registers it: for signatures, RS256 unless it says.
    const jwk = { use: "sig", alg: "RS256", ...publicJwk, kid: o["kid"] as string } as Jwk & { kid: string };
    const made = await sim.control.portal(client.outputs!["clientOrgno"] as string).putKey(clientId, jwk);
    set(r, { expiresAt: new Date((made.exp as number) * 1000).toISOString() });
  }
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * `refresh` and `destroy` do not run the program: the engine configures the provider from the stack config
 * stored with the default provider in the state. The fixture's is the capture simulator's (closed, with other
 * admin keys); a user upgrading keeps the same Maskinporten and credentials, so the stored config is pointed at
 * this simulator, the credentials as secrets in plaintext form (`stack import` encrypts them).
 */
function repointDefaultProvider(
  deployment: { resources?: StateResource[] },
  sim: SimulatorHandle,
  profileOrgs: Record<string, string>,
): void {
  const profiles = Object.fromEntries(
    Object.entries(profileOrgs).map(([name, orgno]) => {
      const org = sim.orgs.find((o) => o.orgno === orgno)!;
      return [name, { clientId: org.adminClientId, privateKey: JSON.stringify(org.adminKey) }];
    }),
  );
  const provider = (deployment.resources ?? []).find((r) => r.type === "pulumi:providers:pulumi-nodejs");
  expect(provider).toBeDefined();
  for (const props of [provider!.inputs, provider!.outputs]) {
    if (!props) continue;
    props["maskinporten:issuer"] = sim.issuer;
    props["maskinporten:apiBaseUrl"] = sim.apiBaseUrl;
    props["maskinporten:profiles"] = { [SECRET_SIG]: SECRET_VALUE, plaintext: JSON.stringify(JSON.stringify(profiles)) };
  }
}

describeEngine("upgrade: state written by the previous shape of the package", () => {
  const sim = useEngineSimulator();
  let meta: FixtureMeta;
  let dir: string;
  let engine: EngineStack;
  let clientId: string;
  let scopeName: string;

  beforeAll(async () => {
    if (process.env["MASKINPORTEN_UPGRADE_FIXTURE"] === "capture") await captureFixture();
    meta = JSON.parse(readFileSync(join(FIXTURE, "meta.json"), "utf8")) as FixtureMeta;
    const exported = JSON.parse(readFileSync(join(FIXTURE, "deployment.json"), "utf8")) as {
      version: number;
      deployment: { resources?: StateResource[] };
    };
    await restoreInSimulator(sim(), exported.deployment);
    repointDefaultProvider(exported.deployment, sim(), profiles(sim()));
    const resources = exported.deployment.resources ?? [];
    clientId = resources.find((r) => r.type === `${TYPE_PREFIX}Client`)!.id!;
    scopeName = resources.find((r) => r.type === `${TYPE_PREFIX}Scope`)!.id!;

    dir = copyProgram();
    engine = await stackFor(dir, sim(), profiles(sim()), { stackName: meta.stackName, config: programConfig(sim()) });
    await engine.stack.importStack(exported as Deployment);
  }, ENGINE_TIMEOUT_MS * 2);

  afterAll(() => {
    if (dir) removeProject(dir);
  });

  it(
    "the first up rewrites each resource's __provider (and drops the key forms now derived) without a request to Maskinporten; then preview and refresh show no changes",
    async () => {
      const preview = await engine.preview({ diff: true });
      // Every resource of the package shows as an update that names no property: only `__provider` changed, and
      // the engine's display leaves out properties whose names begin with `__`.
      expect(previewSteps(preview.stdout)).toEqual(
        ["Client::client", "ClientKey::generated-key", "ClientKey::given-key", "Scope::read", "ScopeGrant::read-for-consumer"].map(
          (r) => `update ${r}`,
        ),
      );
      expect(preview.changeSummary).toEqual({ same: 1, update: 5 });
      const before = await engine.stack.outputs();

      await sim().control.resetRequests();
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ update: 5 });
      // Nothing of the self-service API and no token; the key's expiry warning reads Maskinporten's clock from
      // its public metadata (one request per run), the clock rotation is judged by.
      const counters = await sim().control.counters();
      expect({ api: counters.apiReads + counters.apiWrites, token: counters.token, other: counters.total - counters.metadata }).toEqual({
        api: 0,
        token: 0,
        other: 0,
      });
      expect(await engine.stack.outputs()).toEqual(before);

      const state = storedCheckpoint(join(dir, ".pulumi-local", "backend"), meta.stackName).deployment as { resources: StateResource[] };
      for (const r of state.resources.filter((r) => r.type.startsWith(TYPE_PREFIX))) {
        const type = r.type.slice(TYPE_PREFIX.length) as ResourceType;
        expect([r.inputs?.["__provider"], r.outputs?.["__provider"]]).toEqual([forwarderText(type), forwarderText(type)]);
        for (const form of ["privateKeyBase64", "privateKeyPem", "publicKeyPem"]) expect(r.outputs).not.toHaveProperty(form);
      }

      await engine.preview({ expectNoChanges: true, diff: true });
      const refresh = await engine.refresh({ expectNoChanges: true });
      expect(changesOf(refresh.summary.resourceChanges)).toEqual({});
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "the secrets of the old state still decrypt: the generated key's private half is an output",
    async () => {
      const outputs = await engine.stack.outputs();
      expect(outputs["privateKeyJwk"]!.secret).toBe(true);
      expect(privateJwkParts(outputs["privateKeyJwk"]!.value as string)).toHaveLength(6);
      const secrets = [
        ...privateJwkParts(outputs["privateKeyJwk"]!.value as string),
        ...sim().orgs.flatMap((o) => privateJwkParts(o.adminKey)),
      ];
      expect(secretsIn(storedState(dir) + engine.transcript.join("\n"), secrets)).toEqual([]);
      // The committed fixture itself holds its secrets encrypted only.
      const fixture = readFileSync(join(FIXTURE, "deployment.json"), "utf8");
      expect(secretsIn(fixture, privateJwkParts(outputs["privateKeyJwk"]!.value as string))).toEqual([]);
      expect(fixture).toContain('"ciphertext"');
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "an update of a client created with a client-chosen id and no marker works, and adds no marker to it",
    async () => {
      const program = join(dir, "index.ts");
      writeFileSync(
        program,
        readFileSync(program, "utf8").replace('"The client of the upgrade fixture"', '"The client, changed after the upgrade"'),
      );
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ update: 1 });
      const client = await sim().control.portal(sim().orgs[1]!.orgno).getClient(clientId);
      expect(client.description).toBe("The client, changed after the upgrade");
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "destroy deactivates what the old state holds",
    async () => {
      const destroy = await engine.destroy();
      expect(changesOf(destroy.summary.resourceChanges)).toEqual({ delete: 6 });
      const consumer = sim().control.portal(sim().orgs[1]!.orgno);
      const owner = sim().control.portal(sim().orgs[0]!.orgno);
      expect(await consumer.getClient(clientId)).toMatchObject({ active: false });
      expect(await owner.getScope(scopeName)).toMatchObject({ active: false });
      expect((await owner.grantsGiven({ scope: scopeName })).filter((g) => g.state === "APPROVED")).toEqual([]);
      expect(meta.capturedAt).toMatch(/^\d{4}-/);
    },
    ENGINE_TIMEOUT_MS,
  );
});
