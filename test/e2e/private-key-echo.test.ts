/**
 * A private key given as `ClientKey.publicKey` is refused, through the real engine, without any of it reaching
 * the console. The engine prints the value of a property a `check` failure names ("property publicKey value
 * {...} has a problem"), secret or not in older engines, so the failure must not be tied to the input's value.
 * Every form a private key travels in is tried, plain and inside `pulumi.secret(...)`, with `preview --diff`
 * and `up --yes` (with `--show-secrets --debug -v=9 --logtostderr` for the secret ones): stdout and stderr must
 * hold no 16-character window of the key's private parts, and the failure must still name the field and the fix.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describeEngine, ENGINE_TIMEOUT_MS, makeProject, removeProject, stackFor, useEngineSimulator, type EngineStack } from "./harness";

/** How the program hands the private key to `publicKey`; `secret` wraps it in `pulumi.secret(...)`. */
const FORMS = ["jwk", "jwkJson", "pem", "base64Jwk"] as const;
type Form = (typeof FORMS)[number];

const PROGRAM = `
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("echo");
const jwkJson = fs.readFileSync("private.jwk.json", "utf8");
const forms: Record<string, string | Record<string, unknown>> = {
  jwk: JSON.parse(jwkJson),
  jwkJson,
  pem: fs.readFileSync("private.pem", "utf8"),
  base64Jwk: Buffer.from(jwkJson).toString("base64"),
};
const key = forms[config.require("form")]!;
new maskinporten.ClientKey("leaky", {
  clientId: "a-client-that-is-never-reached",
  publicKey: config.requireBoolean("secret") ? pulumi.secret(key) : key,
});
`;

const run = promisify(execFile);

/** Every 16-character window of each secret (step 1), so any leaked run of 16 characters is found. */
function windows(secret: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 16 <= secret.length; i++) found.push(secret.slice(i, i + 16));
  return found;
}

describeEngine("a private key given as publicKey", () => {
  const sim = useEngineSimulator();
  let dir: string;
  let engine: EngineStack;
  /** The private parts of the key, in every encoding the program gives it in. */
  let secrets: string[];

  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk: Record<string, string> = { ...(privateKey.export({ format: "jwk" }) as Record<string, string>), kid: "leaky" };
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
    const jwkJson = JSON.stringify(jwk);
    dir = makeProject("private-key-echo", { "index.ts": PROGRAM });
    writeFileSync(join(dir, "private.jwk.json"), jwkJson);
    writeFileSync(join(dir, "private.pem"), pem);
    const pemBody = pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----"));
    secrets = [...["d", "p", "q", "dp", "dq", "qi"].map((k) => jwk[k]!), ...pemBody, Buffer.from(jwkJson).toString("base64")];
    engine = await stackFor(dir, sim(), {}, { defaultCredential: sim().orgs[1]!.orgno });
  }, ENGINE_TIMEOUT_MS);

  afterAll(() => removeProject(dir));

  const cases = FORMS.flatMap((form) => [false, true].map((secret): [Form, boolean] => [form, secret]));

  /** Runs the CLI as a user would, in the project, and returns what it printed; it must fail. */
  async function failing(args: string[]): Promise<string> {
    const ran = await run("pulumi", [...args, "--stack", "test", "--non-interactive"], {
      cwd: dir,
      env: { ...process.env, ...engine.envVars },
      maxBuffer: 64 << 20,
    }).then(
      () => undefined,
      (err: { code?: number; stdout?: string; stderr?: string }) => err,
    );
    expect(ran?.code).toBe(1);
    return `${ran!.stdout}\n${ran!.stderr}`;
  }

  it.each(cases)(
    "%s (secret: %s): preview --diff and up --yes refuse it naming publicKey, and print none of it",
    async (form, secret) => {
      await engine.stack.setAllConfig({ "echo:form": { value: form }, "echo:secret": { value: String(secret) } });
      const before = await sim().control.counters();
      // --show-secrets: what is printed must not depend on the engine redacting secrets; --debug and -v=9 add
      // the engine's, the program's and the provider's own diagnostics (README: "Secrets and Pulumi's own debug output").
      const runs = [
        ["preview", "--diff"],
        ["up", "--yes"],
        ...(secret ? [["up", "--yes", "--show-secrets", "--debug", "-v=9", "--logtostderr"]] : []),
      ];
      const printed: [string, string][] = [];
      for (const args of runs) printed.push([args.join(" "), await failing(args)]);

      // Counted, not listed: the failure message of this test must not print the slices either.
      const leaks = printed.map(([command, text]) => [
        command,
        `${secrets.flatMap(windows).filter((w) => text.includes(w)).length} windows of the key printed`,
      ]);
      expect(leaks).toEqual(runs.map((args) => [args.join(" "), "0 windows of the key printed"]));
      const named = printed.map(([command, text]) => [
        command,
        /publicKey: is a private (JWK|key)[^\n]*give only the public key/.test(text),
      ]);
      expect(named).toEqual(runs.map((args) => [args.join(" "), true]));
      const after = await sim().control.counters();
      expect(after.total).toBe(before.total);
    },
    ENGINE_TIMEOUT_MS,
  );
});
