/**
 * examples/ci: the GitHub Actions workflow and the GitLab CI pipeline are valid YAML, are triggered as the
 * README says, keep credentials in the CI's secrets, and the commands they run work: each job's shell steps
 * are run here, as the CI would run them, against two simulators standing for Digdir's test and prod
 * environments, with the real engine, on a copy of examples/multi-env (stacks `test` and `prod`).
 *
 * What a CI runner provides is provided here instead, and only that: the checkout, Node and the Pulumi CLI
 * (`uses:` steps; GitLab's `curl ... get.pulumi.com`) are this repository's; `npm ci` links this checkout's
 * node_modules into the project; `gh pr comment` and the GitLab notes API (`curl`) are recorded with the body
 * they would post. The secrets a CI would hold are the simulators' admin credentials and a passphrase.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateAltinnKeyPairs, type AltinnKeyPair } from "../../sdk/keys";
import type { SimulatorHandle } from "../../simulator";
import {
  copyExample,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  privateJwkParts,
  REPO,
  removeProject,
  secretsIn,
  stackFor,
  useEngineSimulator,
} from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(text: string): unknown };

const execFileAsync = promisify(execFile);
const CI = join(REPO, "examples", "ci");
const CONSUMER = "312000008";
const STACKS = ["test", "prod"] as const;
type StackName = (typeof STACKS)[number];

type Env = Record<string, string>;
interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Env;
}
interface GithubJob {
  if?: string;
  needs?: string | string[];
  environment?: string;
  env?: Env;
  strategy?: { matrix?: { stack?: string[] } };
  steps: GithubStep[];
}
interface GithubWorkflow {
  on: Record<string, unknown>;
  env?: Env;
  jobs: Record<string, GithubJob>;
}
interface GitlabJob {
  extends?: string;
  stage?: string;
  needs?: string[];
  rules?: { if: string }[];
  variables?: Env;
  parallel?: { matrix: { STACK: string[] }[] };
  environment?: { name: string };
  before_script?: string[];
  script?: string[];
  after_script?: string[];
  artifacts?: { paths: string[]; expose_as?: string };
}
/** Jobs by name, besides the top-level `stages` and `variables` (read through `stagesOf`, `variablesOf`). */
type GitlabPipeline = Record<string, GitlabJob>;
const stagesOf = (ci: GitlabPipeline) => (ci as unknown as { stages: string[] }).stages;
const variablesOf = (ci: GitlabPipeline) => (ci as unknown as { variables: Env }).variables;

interface JobRun {
  status: number;
  output: string;
  /** What `gh` and `curl` were asked to do, with the bodies they would have posted. */
  posted: string;
}

const github = () => yaml.load(readFileSync(join(CI, "github-actions.yml"), "utf8")) as GithubWorkflow;
const gitlab = () => yaml.load(readFileSync(join(CI, "gitlab-ci.yml"), "utf8")) as GitlabPipeline;

/** Every shell script of both pipelines, for the checks that apply to all of them. */
function allScripts(): string[] {
  const fromGithub = Object.values(github().jobs).flatMap((job) => job.steps.map((s) => s.run ?? ""));
  const fromGitlab = Object.entries(gitlab())
    .filter(([name]) => !["stages", "variables"].includes(name))
    .flatMap(([, job]) => [...(job.before_script ?? []), ...(job.script ?? []), ...(job.after_script ?? [])]);
  return [...fromGithub, ...fromGitlab];
}

describe("examples/ci: the pipelines as files", () => {
  it("GitHub: previews on pull requests per stack, deploys test then prod on main, and runs nightly", () => {
    const wf = github();
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(["pull_request", "push", "schedule"]));
    expect(wf.on["push"]).toEqual({ branches: ["main"] });
    const { preview, "deploy-test": deployTest, "deploy-prod": deployProd, nightly } = wf.jobs;
    expect(preview!.if).toBe("github.event_name == 'pull_request'");
    expect(preview!.strategy!.matrix!.stack).toEqual(["test", "prod"]);
    expect(deployTest!.if).toBe("github.event_name == 'push'");
    expect(deployProd!.needs).toBe("deploy-test");
    expect([deployTest!.environment, deployProd!.environment]).toEqual(["test", "prod"]);
    expect(nightly!.if).toContain("github.event_name == 'schedule'");
    for (const job of Object.values(wf.jobs)) {
      const runs = job.steps.map((s) => s.run).filter((r): r is string => r !== undefined);
      expect(runs[0]).toBe("npm ci");
      expect(job.steps.map((s) => s.uses).filter(Boolean)).toEqual(["actions/checkout@v4", "actions/setup-node@v4", "pulumi/actions@v6"]);
    }
  });

  it("GitLab: previews on merge requests per stack with the output exposed, deploys test then prod on the default branch, and runs on schedule", () => {
    const ci = gitlab();
    expect(stagesOf(ci)).toEqual(["preview", "deploy-test", "deploy-prod", "nightly"]);
    expect(ci["preview"]!.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(ci["preview"]!.parallel!.matrix).toEqual([{ STACK: ["test", "prod"] }]);
    expect(ci["preview"]!.artifacts).toMatchObject({ expose_as: "pulumi preview", paths: ["preview.txt"] });
    expect(ci["deploy-test"]!.rules![0]!.if).toContain("$CI_DEFAULT_BRANCH");
    expect(ci["deploy-prod"]!.needs).toEqual(["deploy-test"]);
    expect(ci[".nightly"]!.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    expect(ci[".pulumi"]!.before_script).toContain("npm ci");
  });

  it("credentials come from the CI's secrets as environment variables, and no script prints them", () => {
    const text = readFileSync(join(CI, "github-actions.yml"), "utf8");
    // A secret appears only as the value of an env entry, never inside a script.
    for (const line of text.split("\n").filter((l) => l.includes("secrets.")))
      expect(line).toMatch(/^\s+[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}$/);
    for (const script of allScripts()) {
      expect(script).not.toMatch(
        /set -x|\bprintenv\b|^\s*env\s*$|echo[^\n]*\$\{?(MASKINPORTEN_PRIVATE_KEY|PULUMI_CONFIG_PASSPHRASE|MR_NOTE_TOKEN|GH_TOKEN)/m,
      );
      expect(script).not.toMatch(/\$\{\{\s*secrets\./);
    }
  });

  it("the maskinporten and pulumi commands they run are ones the package and the CLI have", () => {
    const commands = allScripts().flatMap((s) =>
      s
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^(npx maskinporten|pulumi) /.test(l)),
    );
    expect(
      commands.filter((c) => c.startsWith("npx maskinporten")).every((c) => /^npx maskinporten keys list .*--fail-on-expiring/.test(c)),
    ).toBe(true);
    expect(
      new Set(
        commands.map((c) =>
          c
            .split(" ")
            .slice(0, c.startsWith("npx") ? 4 : 2)
            .join(" "),
        ),
      ),
    ).toEqual(new Set(["pulumi preview", "pulumi up", "npx maskinporten keys list"]));
  });
});

describeEngine("examples/ci: the pipelines' commands against the simulator", () => {
  const sims: Record<StackName, () => SimulatorHandle> = { test: useEngineSimulator(), prod: useEngineSimulator() };

  /** A copy of examples/multi-env with both stacks, as a team has it before adding the pipeline. */
  async function project(): Promise<{ dir: string; envVars: Env; keys: Record<StackName, AltinnKeyPair> }> {
    const dir = copyExample("multi-env");
    const pairs = await generateAltinnKeyPairs("weather-sync");
    const keys = {} as Record<StackName, AltinnKeyPair>;
    let envVars: Env = {};
    for (const stack of STACKS) {
      // Each pipeline is the same repository's: its clients carry the same ownership markers, so a pipeline tested
      // after another would rightly take over the clients the first one made. Each starts from the seeded state.
      await sims[stack]().control.reset();
      keys[stack] = pairs.find((k) => k.environment === stack.toUpperCase())!;
      // Endpoints only: the credentials come from the CI's secrets.
      ({ envVars } = await stackFor(
        dir,
        sims[stack](),
        {},
        { stackName: stack, config: { "multi-env:publicKey": JSON.stringify(keys[stack].publicJwk) } },
      ));
      await provideScope(sims[stack](), "eksempel:weather.read");
    }
    return { dir, envVars, keys };
  }

  async function provideScope(sim: SimulatorHandle, name: string): Promise<void> {
    const [prefix, subscope] = name.split(":") as [string, string];
    const owner = sim.orgs.find((o) => o.prefixes.includes(prefix))!;
    const portal = sim.control.portal(owner.orgno);
    if ((await portal.listScopes()).some((s) => s.name === name)) return; // provided for an earlier test
    await portal.createScope({ prefix, subscope, description: "provided by the test", visibility: "PRIVATE" });
    await portal.grantAccess(name, CONSUMER);
  }

  /** The secrets and variables of one CI environment (`test` or `prod`): that simulator's consumer admin client. */
  function environmentSecrets(stack: StackName, engineEnv: Env): Env {
    const sim = sims[stack]();
    const admin = sim.orgs.find((o) => o.orgno === CONSUMER)!;
    return {
      MASKINPORTEN_CLIENT_ID: admin.adminClientId,
      MASKINPORTEN_PRIVATE_KEY: Buffer.from(JSON.stringify(admin.adminKey)).toString("base64"),
      PULUMI_CONFIG_PASSPHRASE: engineEnv["PULUMI_CONFIG_PASSPHRASE"]!,
      PULUMI_BACKEND_URL: engineEnv["PULUMI_BACKEND_URL"]!,
      // Digdir's URLs for that environment, which `maskinporten:environment` / MASKINPORTEN_ENVIRONMENT name.
      MASKINPORTEN_ISSUER: sim.issuer,
      MASKINPORTEN_API_BASE_URL: sim.apiBaseUrl,
    };
  }

  function secretsOf(): string[] {
    return STACKS.flatMap((s) => {
      const admin = sims[s]().orgs.find((o) => o.orgno === CONSUMER)!;
      return [...privateJwkParts(admin.adminKey), Buffer.from(JSON.stringify(admin.adminKey)).toString("base64")];
    });
  }

  /** Stand-ins for what the runner has, on PATH before everything else. */
  function runnerTools(dir: string): string {
    const bin = join(dir, ".ci-bin");
    mkdirSync(bin, { recursive: true });
    const log = join(dir, ".ci-posted.log");
    const tools: Record<string, string> = {
      // `npm ci` installs the locked dependencies: here, this checkout's (the package and its peers).
      npm: `[ "$1" = ci ] || { echo "npm $* is not expected in the pipeline" >&2; exit 1; }\n[ -e node_modules ] || ln -s "${join(REPO, "node_modules")}" node_modules\n`,
      gh: `echo "gh $*" >> "${log}"\nwhile [ $# -gt 0 ]; do [ "$1" = --body-file ] && cat "$2" >> "${log}"; shift; done\n`,
      curl: `case "$*" in *get.pulumi.com*) exit 0 ;; esac\necho "curl $*" >> "${log}"\nfor a in "$@"; do case "$a" in body@*) cat "\${a#body@}" >> "${log}" ;; esac; done\n`,
    };
    for (const [name, body] of Object.entries(tools)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}`);
      chmodSync(join(bin, name), 0o755);
    }
    return bin;
  }

  async function shell(dir: string, script: string, env: Env): Promise<{ status: number; output: string }> {
    return execFileAsync("bash", ["--noprofile", "--norc", "-e", "-c", script], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }).then(
      ({ stdout, stderr }) => ({ status: 0, output: stdout + stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        status: typeof err.code === "number" ? err.code : 1,
        output: (err.stdout ?? "") + (err.stderr ?? ""),
      }),
    );
  }

  function baseEnv(dir: string, engineEnv: Env): Env {
    return { ...engineEnv, PATH: `${runnerTools(dir)}:${engineEnv["PATH"]}`, npm_config_offline: "true", CI: "true" };
  }

  /** GitHub's `${{ ... }}` for the expressions the workflow uses. */
  function expand(value: string, context: Record<string, string>): string {
    return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
      if (!(expr in context)) throw new Error(`the workflow uses \${{ ${expr} }}, which this test does not provide`);
      return context[expr]!;
    });
  }

  async function runGithubJob(dir: string, engineEnv: Env, job: string, stack: StackName, event: Record<string, string>): Promise<JobRun> {
    const wf = github();
    const spec = wf.jobs[job]!;
    const secrets = environmentSecrets(stack, engineEnv);
    const context: Record<string, string> = {
      "matrix.stack": stack,
      "vars.PULUMI_BACKEND_URL": secrets["PULUMI_BACKEND_URL"]!,
      "github.token": "gh-token-of-the-run",
      ...Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`secrets.${k}`, v])),
      ...event,
    };
    const envOf = (env: Env | undefined) => Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, expand(String(v), context)]));
    let env = { ...baseEnv(dir, engineEnv), ...envOf(wf.env), ...envOf(spec.env) };
    // The stand-in for the CI's environment URLs (a real runner gets Digdir's from MASKINPORTEN_ENVIRONMENT).
    env = {
      ...env,
      MASKINPORTEN_ISSUER: secrets["MASKINPORTEN_ISSUER"]!,
      MASKINPORTEN_API_BASE_URL: secrets["MASKINPORTEN_API_BASE_URL"]!,
    };
    let output = "";
    let status = 0;
    for (const step of spec.steps) {
      if (step.run === undefined) continue;
      if (status !== 0 && step.if !== "always()") continue;
      const result = await shell(dir, step.run, { ...env, ...envOf(step.env) });
      output += result.output;
      if (result.status !== 0) status = result.status;
    }
    return { status, output, posted: takePosted(dir) };
  }

  async function runGitlabJob(dir: string, engineEnv: Env, job: string, stack: StackName, predefined: Env): Promise<JobRun> {
    const ci = gitlab();
    const resolve = (name: string): GitlabJob => {
      const spec = ci[name]!;
      return spec.extends
        ? { ...resolve(spec.extends), ...spec, variables: { ...resolve(spec.extends).variables, ...spec.variables } }
        : spec;
    };
    const spec = resolve(job);
    const { MASKINPORTEN_ISSUER, MASKINPORTEN_API_BASE_URL, ...secrets } = environmentSecrets(stack, engineEnv);
    const env: Env = {
      ...baseEnv(dir, engineEnv),
      ...variablesOf(ci),
      ...spec.variables,
      STACK: stack,
      ...secrets,
      ...predefined,
      MASKINPORTEN_ISSUER: MASKINPORTEN_ISSUER!,
      MASKINPORTEN_API_BASE_URL: MASKINPORTEN_API_BASE_URL!,
      HOME: join(dir, ".ci-home"),
    };
    const main = await shell(dir, [...(spec.before_script ?? []), ...(spec.script ?? [])].join("\n"), env);
    const after = spec.after_script ? await shell(dir, spec.after_script.join("\n"), env) : { status: 0, output: "" };
    return { status: main.status, output: main.output + after.output, posted: takePosted(dir) };
  }

  function takePosted(dir: string): string {
    const log = join(dir, ".ci-posted.log");
    if (!existsSync(log)) return "";
    const text = readFileSync(log, "utf8");
    writeFileSync(log, "");
    return text;
  }

  /** Clients made by an earlier test of this file, which the simulators keep. */
  const earlier = new Set<string>();

  async function clientNamed(stack: StackName, name: string) {
    return (await sims[stack]().control.portal(CONSUMER).listClients()).find((c) => c.client_name === name && !earlier.has(c.client_id!));
  }

  afterEach(async () => {
    for (const stack of STACKS) for (const c of await sims[stack]().control.portal(CONSUMER).listClients()) earlier.add(c.client_id!);
  });

  /** The key of the client shortened to expire in 5 days, as a key registered a year ago would. */
  async function keyExpiringSoon(stack: StackName, clientId: string, key: AltinnKeyPair): Promise<void> {
    const exp = Math.floor(Date.now() / 1000) + 5 * 24 * 3600;
    await sims[stack]()
      .control.portal(CONSUMER)
      .replaceKeys(clientId, [{ ...key.publicJwk, exp } as never]);
  }

  it(
    "GitHub Actions: pull request, merge and nightly, with the preview posted and a key about to expire failing the night",
    async () => {
      const { dir, envVars, keys } = await project();
      const transcript: string[] = [];
      try {
        const pr = { "github.event.pull_request.number": "42" };
        for (const stack of STACKS) {
          const preview = await runGithubJob(dir, envVars, "preview", stack, pr);
          transcript.push(preview.output, preview.posted);
          expectExit(preview, 0);
          expect(preview.posted).toContain("gh pr comment 42 --body-file comment.md");
          expect(preview.posted).toContain(`### \`pulumi preview --diff\` of stack \`${stack}\``);
          expect(preview.posted).toMatch(/\+ pulumi-nodejs:dynamic\/maskinporten:Client: \(create\)/);
          expect(preview.posted).toContain(stack === "test" ? "weather-sync-test" : '"weather-sync"');
        }
        expect(await clientNamed("test", "weather-sync-test")).toBeUndefined();

        for (const job of ["deploy-test", "deploy-prod"]) {
          const stack: StackName = job === "deploy-test" ? "test" : "prod";
          const deploy = await runGithubJob(dir, envVars, job, stack, {});
          transcript.push(deploy.output);
          expectExit(deploy, 0);
          expect(await clientNamed(stack, stack === "test" ? "weather-sync-test" : "weather-sync")).toMatchObject({ active: true });
        }

        for (const stack of STACKS) {
          const night = await runGithubJob(dir, envVars, "nightly", stack, {});
          transcript.push(night.output);
          expectExit(night, 0);
          expect(night.output).toContain(keys[stack].kid);
        }
        const prodClient = await clientNamed("prod", "weather-sync");
        await keyExpiringSoon("prod", prodClient!.client_id!, keys.prod);
        const failing = await runGithubJob(dir, envVars, "nightly", "prod", {});
        transcript.push(failing.output);
        expectExit(failing, 3);
        expect(failing.output).toContain(keys.prod.kid);

        expect(secretsIn(transcript.join("\n"), secretsOf())).toEqual([]);
      } finally {
        removeProject(dir);
      }
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "GitLab CI: merge request, default branch and schedule, with the preview exposed and noted, and a key about to expire failing the night",
    async () => {
      const { dir, envVars, keys } = await project();
      const transcript: string[] = [];
      try {
        const mr = {
          CI_PIPELINE_SOURCE: "merge_request_event",
          MR_NOTE_TOKEN: "glpat-test-token",
          CI_API_V4_URL: "https://gitlab.example/api/v4",
          CI_PROJECT_ID: "7",
          CI_MERGE_REQUEST_IID: "12",
        };
        for (const stack of STACKS) {
          const preview = await runGitlabJob(dir, envVars, "preview", stack, mr);
          transcript.push(preview.output, preview.posted);
          expectExit(preview, 0);
          expect(readFileSync(join(dir, "preview.txt"), "utf8")).toMatch(/\+ pulumi-nodejs:dynamic\/maskinporten:Client: \(create\)/);
          expect(preview.posted).toContain("https://gitlab.example/api/v4/projects/7/merge_requests/12/notes");
          expect(preview.posted).toContain(`### \`pulumi preview --diff\` of stack \`${stack}\``);
          expect(preview.posted).toMatch(/\+ pulumi-nodejs:dynamic\/maskinporten:Client: \(create\)/);
        }

        const push = { CI_PIPELINE_SOURCE: "push" };
        for (const job of ["deploy-test", "deploy-prod"]) {
          const stack: StackName = job === "deploy-test" ? "test" : "prod";
          const deploy = await runGitlabJob(dir, envVars, job, stack, push);
          transcript.push(deploy.output);
          expectExit(deploy, 0);
          expect(await clientNamed(stack, stack === "test" ? "weather-sync-test" : "weather-sync")).toMatchObject({ active: true });
        }

        const schedule = { CI_PIPELINE_SOURCE: "schedule" };
        for (const stack of STACKS) {
          const night = await runGitlabJob(dir, envVars, `nightly-${stack}`, stack, schedule);
          transcript.push(night.output);
          expectExit(night, 0);
          expect(night.output).toContain(keys[stack].kid);
        }
        const testClient = await clientNamed("test", "weather-sync-test");
        await keyExpiringSoon("test", testClient!.client_id!, keys.test);
        const failing = await runGitlabJob(dir, envVars, "nightly-test", "test", schedule);
        transcript.push(failing.output);
        expectExit(failing, 3);
        expect(failing.output).toContain(keys.test.kid);

        expect(secretsIn(transcript.join("\n"), secretsOf())).toEqual([]);
      } finally {
        removeProject(dir);
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});

/** A job's exit code, with its own output in the failure, so a red CI run says why the job failed. */
function expectExit(run: { status: number; output: string }, code: number): void {
  if (run.status !== code) throw new Error(`the job exited ${run.status}, expected ${code}; its output:\n${run.output}`);
}
