/**
 * The package as users install it: `npm pack` of the current build, installed with `@pulumi/pulumi` into a
 * project outside this repository (under the OS temp directory, so nothing resolves to this checkout), and a
 * small TypeScript program run through the real engine. It proves that the `__provider` forwarder in state
 * resolves `pulumi-maskinporten/provider` from the installed package, that the tarball ships only what it
 * should, and that what the READMEs show compiles against it.
 *
 * Both ends of the peer range are run: the newest `@pulumi/pulumi` (this repository's) and the oldest the range
 * allows (`OLDEST_PULUMI`), each the consumer project's own copy, with today's CLI. The tests read the stack's
 * state through the engine (`pulumi stack export`), not the backend's files: Pulumi's own language host answers
 * `About`, and the CLI then records the Node executable (a path in this checkout) in the update history.
 */
import { execFile } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { configureForSimulator, openStack } from "../../scripts/lib/stack-workspace";
import { asModule, codeBlocks, readmes } from "../helpers/readme";
import {
  changesOf,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  REPO,
  secretsIn,
  privateJwkParts,
  storedState,
  TSCONFIG,
  useEngineSimulator,
} from "./harness";

const run = promisify(execFile);
/** The oldest `@pulumi/pulumi` that package.json's peer range allows (tested below to match it). */
const OLDEST_PULUMI = "3.216.0";
/** npm reaches the registry slowly here; the packages are in its cache from this repository's install. */
const NPM_INSTALL_TIMEOUT_MS = 15 * 60 * 1000;

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { Client, ClientKey, Scope, ScopeGrant } from "pulumi-maskinporten";

const config = new pulumi.Config("packed");
const scope = new Scope("api", { prefix: config.require("prefix"), subscope: "packed", description: "from the tarball", profile: "owner" });
const grant = new ScopeGrant("grant", { scope: scope.name, consumerOrgno: config.require("consumerOrgno"), profile: "owner" });
const client = new Client("client", { clientName: "packed", scopes: [grant.scope], profile: "consumer" });
const key = new ClientKey("key", { clientId: client.clientId, generate: {}, profile: "consumer" });
export const clientId = client.clientId;
export const kid = key.kid;
`;

interface PackedFile {
  path: string;
}

/**
 * The compiler settings users have: Pulumi's TypeScript template (and this package's examples) resolve modules
 * the classic way, which ignores `exports`, and check the declarations of every package they load; projects
 * set up since TypeScript 5 often use nodenext.
 */
const USER_TSCONFIGS = {
  "pulumi-template": {
    strict: true,
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    experimentalDecorators: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    noEmit: true,
    types: ["node"],
  },
  nodenext: { strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", noEmit: true, types: ["node"] },
};

/** The entry points a Pulumi program or an application imports, each with a name it exports. */
const PROGRAM_ENTRY_POINTS = `
import { Client, type ClientArgs } from "pulumi-maskinporten";
import { getAccessToken } from "pulumi-maskinporten/tokens";
import { generateAltinnKeyPairs } from "pulumi-maskinporten/keys";
export const used: unknown[] = [Client, getAccessToken, generateAltinnKeyPairs];
export type Args = ClientArgs;
`;

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

describeEngine("the packed package, installed as users install it", () => {
  const sim = useEngineSimulator();
  let work: string;
  let tarball: string;
  let files: string[];
  let project: string;
  let oldestProject: string;

  beforeAll(async () => {
    work = realpathSync(mkdtempSync(join(tmpdir(), "maskinporten-packed-")));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { filename: string; files: PackedFile[] }[];
    tarball = join(work, packed!.filename);
    files = packed!.files.map((f) => f.path);
    // One tarball, two consumer projects installed side by side.
    [project, oldestProject] = await Promise.all([
      installConsumer(join(work, "consumer"), tarball, version("@pulumi/pulumi")),
      installConsumer(join(work, `consumer-pulumi-${OLDEST_PULUMI}`), tarball, OLDEST_PULUMI),
    ]);
  }, ENGINE_TIMEOUT_MS + NPM_INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the tarball holds the build, the command and the README: no tests, sources, source maps, examples or keys", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "bin/maskinporten.js",
        "dist/sdk/index.js",
        "dist/sdk/index.d.ts",
        "dist/provider/index.js",
        "dist/simulator/index.js",
        "dist/cli/main.js",
      ]),
    );
    const unwanted = files.filter(
      (f) =>
        !/^(package\.json|README\.md|LICENSE|bin\/[\w-]+\.js|dist\/(sdk|provider|simulator|cli)\/.+\.(js|d\.ts))$/.test(f) ||
        /\.map$|(^|\/)(test|tests|__tests__|fixtures|examples)\/|\.(test|spec)\.|\.(p12|pfx|pem|key|jwk)$|\.jwk\.json$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it("no file in the tarball holds key material: a PEM private key, a private JWK, a PKCS#12 file", async () => {
    const extracted = join(work, "extracted");
    await run("mkdir", ["-p", extracted]);
    await run("tar", ["-xzf", tarball, "-C", extracted]);
    const holding = files.filter((f) => {
      const text = readFileSync(join(extracted, "package", f), "utf8");
      return (
        /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40}/.test(text) ||
        /"d"\s*:\s*"[\w-]{40}/.test(text) ||
        /MII[\w+/]{60}/.test(text)
      );
    });
    expect(holding).toEqual([]);
  });

  it("the oldest @pulumi/pulumi tested is the floor of the peer range", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
    expect(pkg.peerDependencies["@pulumi/pulumi"]).toBe(`^${OLDEST_PULUMI}`);
  });

  it.each([
    ["the newest @pulumi/pulumi", () => project, () => version("@pulumi/pulumi")],
    [`the oldest @pulumi/pulumi the peer range allows (${OLDEST_PULUMI})`, () => oldestProject, () => OLDEST_PULUMI],
  ])(
    "a program in a project outside the repository, with the tarball and %s installed: up, preview without changes, destroy",
    async (_label, projectDir, pulumiVersion) => {
      const dir = projectDir();
      // A real copy of the package, not a link back into this checkout, using the project's own @pulumi/pulumi.
      expect(lstatSync(join(dir, "node_modules", "pulumi-maskinporten")).isSymbolicLink()).toBe(false);
      expect(readFileSync(join(dir, "node_modules", "pulumi-maskinporten", "package.json"), "utf8")).toContain(
        '"name": "pulumi-maskinporten"',
      );
      expect(JSON.parse(readFileSync(join(dir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"))).toMatchObject({
        version: pulumiVersion(),
      });
      expect(existsSync(join(dir, "node_modules", "pulumi-maskinporten", "node_modules", "@pulumi"))).toBe(false);

      const [owner, consumer] = sim().orgs;
      const { stack } = await openStack({ projectDir: dir, stackName: "packed", stateDir: join(dir, ".pulumi-local") });
      await configureForSimulator(stack, sim(), { owner: owner!.orgno, consumer: consumer!.orgno });
      await stack.setAllConfig({ "packed:prefix": { value: owner!.prefixes[0]! }, "packed:consumerOrgno": { value: consumer!.orgno } });

      const up = await stack.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 5 });
      const clientId = up.outputs["clientId"]!.value as string;
      expect(await sim().control.portal(consumer!.orgno).getClient(clientId)).toMatchObject({ active: true, client_name: "packed" });

      // The stack's resources hold the forwarder only: it loads the implementation by the package's public
      // name, and nothing in them points into this checkout.
      const resources = ((await stack.exportStack()).deployment as { resources: { type: string; inputs?: Record<string, unknown> }[] })
        .resources;
      const ours = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/maskinporten:"));
      expect(ours).toHaveLength(4);
      for (const resource of ours) expect(resource.inputs?.["__provider"]).toMatch(/require\("pulumi-maskinporten\/provider"\)/);
      expect(JSON.stringify(resources)).not.toContain(REPO);

      const preview = await stack.preview({ expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: 5 });
      const destroy = await stack.destroy();
      expect(changesOf(destroy.summary.resourceChanges)).toEqual({ delete: 5 });
      expect(await sim().control.portal(consumer!.orgno).getClient(clientId)).toMatchObject({ active: false });

      const adminKeys = sim().orgs.flatMap((o) => privateJwkParts(o.adminKey));
      expect(secretsIn(storedState(dir) + up.stdout + preview.stdout + destroy.stdout, adminKeys)).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );

  it.each(Object.keys(USER_TSCONFIGS))(
    "every TypeScript example in the READMEs, and the entry points programs import, compile against the installed package (%s)",
    async (settings) => {
      const installedReadme = readFileSync(join(project, "node_modules", "pulumi-maskinporten", "README.md"), "utf8");
      const blocks = readmes(REPO, installedReadme).flatMap((readme) => codeBlocks(readme, "ts"));
      expect(blocks.length).toBeGreaterThanOrEqual(10);
      const dir = join(project, `docs-${settings}`);
      mkdirSync(dir, { recursive: true });
      const files = blocks.map((block) => {
        const file = `${block.readme.replace(/\W+/g, "-")}-L${block.line}.ts`;
        writeFileSync(join(dir, file), asModule(block));
        return file;
      });
      writeFileSync(join(dir, "entry-points.ts"), PROGRAM_ENTRY_POINTS);
      const compilerOptions = USER_TSCONFIGS[settings as keyof typeof USER_TSCONFIGS];
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [...files, "entry-points.ts"] }, null, 2));

      const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
      const errors = await run(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { cwd: project }).then(
        ({ stdout }) => stdout,
        (failed: { stdout?: string; message: string }) => failed.stdout || failed.message,
      );
      expect(errors).toBe("");
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "the __provider text, loaded by the provider host's own require-from-string in the consumer project, creates a client",
    async () => {
      const consumer = sim().orgs[1]!;
      const config = {
        "maskinporten:issuer": sim().issuer,
        "maskinporten:apiBaseUrl": sim().apiBaseUrl,
        "maskinporten:clientId": consumer.adminClientId,
        "maskinporten:privateKey": JSON.stringify(consumer.adminKey),
      };
      writeFileSync(join(project, "serialize.js"), SERIALIZE_AND_CREATE);
      const { stdout } = await run(process.execPath, ["serialize.js"], {
        cwd: project,
        env: { ...process.env, STACK_CONFIG: JSON.stringify(config) },
        maxBuffer: 16 * 1024 * 1024,
      });
      const { id, text } = JSON.parse(stdout) as { id: string; text: string };
      expect(await sim().control.portal(consumer.orgno).getClient(id)).toMatchObject({ active: true, client_name: "serialized" });
      expect(text).toBe('exports.handler = () => require("pulumi-maskinporten/provider").dynamicProvider("Client");\n');
      expect(secretsIn(text, privateJwkParts(consumer.adminKey))).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );
});

/**
 * Run inside the consumer project (its directory the working directory, as the provider host's is the
 * program's): takes the `__provider` text of a Client from the installed package, loads it with the
 * require-from-string that @pulumi/pulumi's provider host uses, and runs configure, check and create with the
 * provider its `handler` returns. Prints the client id and the text.
 */
const SERIALIZE_AND_CREATE = `
const { forwarderText } = require("pulumi-maskinporten/provider");
const requireFromString = require(require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }));

(async () => {
  const text = forwarderText("Client");
  const provider = requireFromString(text).handler();
  const config = JSON.parse(process.env.STACK_CONFIG);
  await provider.configure({ config: { get: (key) => config[key] } });
  const checked = await provider.check({}, { clientName: "serialized", scopes: ["difitest:open"], __provider: text });
  if (checked.failures && checked.failures.length) throw new Error(JSON.stringify(checked.failures));
  const created = await provider.create(checked.inputs);
  process.stdout.write(JSON.stringify({ id: created.id, text }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

/** A project outside this repository with the tarball and its peers installed, as a user would. */
async function installConsumer(project: string, tarball: string, pulumiVersion: string): Promise<string> {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "packed-consumer", private: true, main: "index.ts" }, null, 2));
  writeFileSync(
    join(project, "Pulumi.yaml"),
    "name: packed-consumer\nmain: index.ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
  );
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(join(project, "index.ts"), PROGRAM);
  await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarball,
      `@pulumi/pulumi@${pulumiVersion}`,
      `typescript@${version("typescript")}`,
      `@types/node@${version("@types/node")}`,
    ],
    { cwd: project, timeout: NPM_INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
  );
  return project;
}
