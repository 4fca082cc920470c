/**
 * The compiled command (`node bin/maskinporten.js`, from dist/, built when stale) as users run it: the happy
 * path and failures of `keys create|export|list` and `token`, with their exit codes and stderr, against a
 * simulator in this process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyFiles } from "../../cli/actions/keys-create";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { useSimulator } from "../simulator/helpers";
import { BIN, claimsOf, clientWithKeys, ensureBuilt, ROOT, runCli, type CliResult } from "./helpers";

const sim = useSimulator();
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const FIXTURES = join(__dirname, "..", "fixtures");
const DATE = "2025-01-31";
const KID = `sub-TEST.${DATE}`;

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "mp-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClean(result: CliResult, status: number, stderr: RegExp | "" = ""): void {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status, stderr: stderr === "" ? "" : expect.stringMatching(stderr) });
  expect(result.stderr).not.toMatch(/\n\s+at /); // never a stack trace
}

describe("maskinporten (subprocess)", () => {
  it("helps: --help exits 0 and lists the commands; keys without a subcommand and unknown options exit 2", async () => {
    const help = await runCli(["--help"]);
    expectClean(help, 0);
    expect(help.stdout).toMatch(/simulator.*\n[\s\S]*keys[\s\S]*token/);
    const keysHelp = await runCli(["keys", "create", "--help"]);
    expectClean(keysHelp, 0);
    expect(keysHelp.stdout).toMatch(/Examples:\n {2}\$ maskinporten keys create testklient --out \.\/keys/);
    expect((await runCli(["keys"])).status).toBe(2);
    expectClean(await runCli(["keys", "create", "x", "--bogus"]), 2, /unknown option '--bogus'[\s\S]*add --help/);
    expectClean(await runCli(["tokn"]), 2, /unknown command 'tokn'/);
  });

  it("a reader that stops early (`| head`) ends the command quietly: exit 0, no EPIPE, no stack trace", async () => {
    const child = spawn(process.execPath, [BIN, "keys", "--help"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // closed before the command writes, as `head` does once it has its lines
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("keys create writes the files once and refuses to overwrite them (exit 2)", async () => {
    const created = await runCli(["keys", "create", "sub", "--env", "TEST", "--size", "2048", "--date", DATE, "--out", dir]);
    expectClean(created, 0);
    expect(created.stdout).toContain(keyFiles(dir, KID).privateJwk);
    expect(created.stdout).toMatch(/TEST: \[\{"kty":"RSA","kid":"sub-TEST\.2025-01-31","use":"sig","alg":"RS256"/);
    const again = await runCli(["keys", "create", "sub", "--env", "TEST", "--date", DATE, "--out", dir]);
    expectClean(again, 2, /^maskinporten keys create: --out: .*sub-TEST\.2025-01-31\.jwk\.json and 4 more files already exist; .*--force/);
    expectClean(await runCli(["keys", "create", "sub", "--size", "1024"]), 2, /--size must be one of 2048, 3072, 4096/);
  });

  it("keys export converts between the forms and refuses a public key where a private one is needed", async () => {
    const files = keyFiles(dir, KID);
    const base64 = await runCli(["keys", "export", "base64", "--key", files.privateJwk]);
    expectClean(base64, 0);
    expect(base64.stdout).toBe(readFileSync(files.privateBase64, "utf8"));
    const fromStdin = await runCli(["keys", "export", "private", "--key", "-"], { stdin: base64.stdout });
    expectClean(fromStdin, 0);
    expect(fromStdin.stdout).toBe(readFileSync(files.privateJwk, "utf8"));
    const pem = await runCli(["keys", "export", "pem", "--key", files.privateBase64]);
    expect(pem.stdout).toBe(readFileSync(files.privatePem, "utf8"));
    expectClean(
      await runCli(["keys", "export", "base64", "--key", files.publicJwk]),
      2,
      /^maskinporten keys export: --key: is a public JWK/,
    );
    expectClean(await runCli(["keys", "export", "jwks", "--key", files.publicJwk]), 2, /unknown format "jwks"/);
  });

  it("token gets a token with every private form of the created key, and with --altinn", async () => {
    const files = keyFiles(dir, KID);
    const publicKeys = JSON.parse((await runCli(["keys", "export", "public", "--key", files.privatePem, "--kid", KID])).stdout) as object[];
    const clientId = await clientWithKeys(sim(), consumer().orgno, publicKeys);
    const base = ["token", "--issuer", sim().issuer, "--client-id", clientId, "--scope", OPEN_CATALOGUE_SCOPE];
    const forms: [string, string[], string?][] = [
      ["private JWK", ["--key", files.privateJwk]],
      ["base64", ["--key", files.privateBase64]],
      ["PEM with --kid", ["--key", files.privatePem, "--kid", KID]],
      ["base64 on stdin", ["--key", "-"], readFileSync(files.privateBase64, "utf8")],
    ];
    for (const [name, args, stdin] of forms) {
      const result = await runCli([...base, ...args, "--raw"], stdin !== undefined ? { stdin } : {});
      expect({ name, status: result.status, stderr: result.stderr }).toEqual({ name, status: 0, stderr: "" });
      expect(claimsOf(result.stdout.trim())["client_id"]).toBe(clientId);
    }
    const human = await runCli([...base, "--key", files.privateJwk, "--altinn", "--altinn-url", sim().altinnExchangeUrl]);
    expectClean(human, 0);
    expect(human.stdout).toMatch(new RegExp(`^Access token for client ${clientId} \\(kid ${KID.replace(/\./g, "\\.")}\\)`));
    expect(human.stdout).toMatch(/"consumer": \{/);
    expect(human.stdout).toMatch(/\nAltinn token:\n/);
    expect(human.stdout).toMatch(/"urn:altinn:orgNumber": "312000008"/);
  });

  it("token gets a token with the altinn-jwks base64 example once `keys export public` of it is registered", async () => {
    const base64Path = join(FIXTURES, "altinn-jwks-testklient.base64");
    const exported = await runCli(["keys", "export", "public", "--key", base64Path]);
    expectClean(exported, 0);
    const clientId = await clientWithKeys(sim(), consumer().orgno, JSON.parse(exported.stdout) as object[]);
    const result = await runCli([
      "token",
      "--issuer",
      sim().issuer,
      "--client-id",
      clientId,
      "--key",
      base64Path,
      "--scope",
      OPEN_CATALOGUE_SCOPE,
      "--json",
    ]);
    expectClean(result, 0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kid: "testklient-TEST.2024-07-10", claims: { client_id: clientId } });
  });

  it("token fails with exit 2 for bad usage and input, and exit 1 when Maskinporten refuses", async () => {
    const files = keyFiles(dir, KID);
    const issuer = ["--issuer", sim().issuer, "--scope", OPEN_CATALOGUE_SCOPE];
    expectClean(await runCli(["token", ...issuer, "--key", files.privateJwk]), 2, /required option '--client-id <id>' not specified/);
    expectClean(
      await runCli(["token", ...issuer, "--client-id", "c", "--key", join(dir, "nope.json")]),
      2,
      /^maskinporten token: --key: cannot read ".*nope\.json": no such file/,
    );
    const publicKey = await runCli(["token", ...issuer, "--client-id", "c", "--key", files.publicJwk]);
    expectClean(
      publicKey,
      2,
      /^maskinporten token: --key: is a public JWK \(it has no private member d\), which cannot sign; give the private key/,
    );
    const refused = await runCli(["token", ...issuer, "--client-id", "no-such-client", "--key", files.privateJwk]);
    expectClean(refused, 1, /^maskinporten token: the token endpoint at .* does not accept client "no-such-client" \(invalid_client\)/);
    expect(refused.stdout).toBe("");
    const privateJwk = JSON.parse(readFileSync(files.privateJwk, "utf8")) as { d: string };
    for (const r of [publicKey, refused]) expect(r.stderr).not.toContain(privateJwk.d.slice(0, 16));
  });

  it("keys list shows expiry with the admin credentials from MASKINPORTEN_*, exits 3 with --fail-on-expiring, 2 without settings", async () => {
    const files = keyFiles(dir, KID);
    const soon = JSON.parse(readFileSync(files.publicJwk, "utf8")) as { kty: string; kid: string };
    const clientId = await clientWithKeys(sim(), consumer().orgno, []);
    await sim()
      .control.portal(consumer().orgno)
      .putKey(clientId, { ...soon, exp: Math.floor(Date.now() / 1000) + 10 * 86400 - 60 });
    const env = {
      MASKINPORTEN_ISSUER: sim().issuer,
      MASKINPORTEN_API_BASE_URL: sim().apiBaseUrl,
      MASKINPORTEN_CLIENT_ID: consumer().adminClientId,
      MASKINPORTEN_PRIVATE_KEY: JSON.stringify(consumer().adminKey),
    };
    const listed = await runCli(["keys", "list", "--client-id", clientId], { env });
    expectClean(listed, 0, /rotate sub-TEST\.2025-01-31 \(expires in 9 days\)/);
    expect(listed.stdout).toMatch(/^sub-TEST\.2025-01-31 +RS256 +2048 +\S+ +9 +! expires in 9 days \(less than 30\)$/m);
    expect((await runCli(["keys", "list", "--client-id", clientId, "--fail-on-expiring", "--json"], { env })).status).toBe(3);
    expectClean(await runCli(["keys", "list", "--client-id", clientId]), 2, /say which Maskinporten to ask/);
    expectClean(await runCli(["keys", "list"], { env }), 2, /required option '--client-id <id>' not specified/);
    const wrongAdmin = await runCli(["keys", "list", "--client-id", clientId], { env: { ...env, MASKINPORTEN_CLIENT_ID: "not-an-admin" } });
    expectClean(wrongAdmin, 1, /^maskinporten keys list: the token endpoint rejected/);
  });
});
