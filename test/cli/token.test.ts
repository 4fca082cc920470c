/**
 * `maskinporten token`, run in-process: the token with its decoded header and claims, the JSON and raw forms,
 * the Altinn exchange, where the environment comes from, and errors that say what to do and leak nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tokenCommand, type TokenCommandOptions } from "../../cli/actions/token";
import { EXIT, exitCodeOf, reportError, UsageError } from "../../cli/io";
import { AuthError, ConfigError } from "../../provider/api/errors";
import { KeyError } from "../../provider/api/errors";
import { generateKeyPair, type GeneratedKey } from "../../sdk/keys";
import { clearTokenCache } from "../../sdk/tokens";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { secretSlices } from "../helpers/rejections";
import { useSimulator } from "../simulator/helpers";
import { claimsOf, clientWithKeys, memoryIo } from "./helpers";

const sim = useSimulator();
const consumer = (): SimulatorOrg => sim().orgs[1]!;

let dir: string;
let key: GeneratedKey;
let keyFile: string;
let clientId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mp-token-"));
  key = await generateKeyPair({ modulusLength: 2048, kid: "token-cmd-TEST.2025-01-31" });
  keyFile = join(dir, "key.json");
  writeFileSync(keyFile, key.privateJwkJson);
  clientId = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await clearTokenCache();
});

async function token(opts: Partial<TokenCommandOptions>, env: NodeJS.ProcessEnv = {}, stdin?: string) {
  const m = memoryIo({ env, ...(stdin !== undefined && { stdin }) });
  const code = await tokenCommand({ clientId, key: keyFile, scope: [OPEN_CATALOGUE_SCOPE], issuer: sim().issuer, ...opts }, m.io);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}

function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) for (const slice of secretSlices(secret)) expect(text).not.toContain(slice);
}

describe("maskinporten token", () => {
  it("prints the token, its header and claims, and the times as dates", async () => {
    const { code, stdout, stderr } = await token({});
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const [first, accessToken] = stdout.split("\n");
    expect(first).toMatch(
      new RegExp(
        `^Access token for client ${clientId} \\(kid token-cmd-TEST\\.2025-01-31\\), scope "difitest:open", expires \\S+Z \\(in \\d+ (s|min)\\):$`,
      ),
    );
    expect(claimsOf(accessToken!)).toMatchObject({ client_id: clientId, scope: OPEN_CATALOGUE_SCOPE });
    expect(stdout).toMatch(/^Header:\n\{\n {2}"alg": "RS256",/m);
    expect(stdout).toMatch(/^Claims:\n\{\n/m);
    expect(stdout).toMatch(new RegExp(`"client_id": "${clientId}"`));
    expect(stdout).toMatch(/^ {2}iat {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \((now|\d+ s ago)\)$/m);
    expect(stdout).toMatch(/^ {2}exp {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+ (s|min)\)$/m);
  });

  it("prints JSON with --json and only the token with --raw", async () => {
    const json = JSON.parse((await token({ json: true })).stdout) as Record<string, any>;
    expect(json).toEqual({
      client_id: clientId,
      kid: key.kid,
      scope: OPEN_CATALOGUE_SCOPE,
      token_type: "Bearer",
      expires_at: expect.stringMatching(/Z$/),
      access_token: expect.any(String),
      header: expect.objectContaining({ alg: "RS256" }),
      claims: expect.objectContaining({ client_id: clientId, exp: expect.any(Number) }),
    });
    const raw = (await token({ raw: true })).stdout;
    expect(raw).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it("exchanges the token for an Altinn token with --altinn", async () => {
    const human = await token({ altinn: true, altinnUrl: sim().altinnExchangeUrl });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/\nAltinn token:\n[\w-]+\.[\w-]+\.[\w-]+\n/);
    expect(human.stdout).toMatch(/"urn:altinn:orgNumber": "312000008"/);
    const json = JSON.parse((await token({ altinn: true, altinnUrl: sim().altinnExchangeUrl, json: true })).stdout) as Record<string, any>;
    expect(json["altinn"]).toEqual({
      token: expect.any(String),
      header: expect.any(Object),
      claims: expect.objectContaining({ "urn:altinn:authenticatemethod": "maskinporten" }),
    });
    const raw = (await token({ altinn: true, raw: true }, { MASKINPORTEN_ALTINN_EXCHANGE_URL: sim().altinnExchangeUrl })).stdout.trim();
    expect(claimsOf(raw)["urn:altinn:orgNumber"]).toBe(consumer().orgno);
  });

  it("reads the key from stdin, several scopes, and the issuer from MASKINPORTEN_ISSUER", async () => {
    const wider = await clientWithKeys(sim(), consumer().orgno, [key.publicJwk], [OPEN_CATALOGUE_SCOPE, "idporten:dcr.read"]);
    const { code, stdout } = await token(
      { clientId: wider, key: "-", issuer: undefined, scope: [`${OPEN_CATALOGUE_SCOPE} idporten:dcr.read`], json: true },
      { MASKINPORTEN_ISSUER: sim().issuer },
      key.privateJwkBase64,
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { scope: string }).scope).toBe(`${OPEN_CATALOGUE_SCOPE} idporten:dcr.read`);
  });

  it("refuses bad usage with messages that name the flag", async () => {
    const cases: [Partial<TokenCommandOptions>, NodeJS.ProcessEnv, RegExp][] = [
      [{ issuer: undefined }, {}, /say which Maskinporten to ask: --environment test\|prod, or --issuer URL/],
      [{ environment: "test" }, {}, /--environment and --issuer exclude each other/],
      [{ issuer: undefined, environment: "staging" }, {}, /^--environment: must be "test" or "prod" \(got "staging"\)/],
      [{ issuer: undefined }, { MASKINPORTEN_ENVIRONMENT: "staging" }, /^MASKINPORTEN_ENVIRONMENT: must be "test" or "prod"/],
      [{ scope: [] }, {}, /--scope is required/],
      [{ json: true, raw: true }, {}, /--json and --raw exclude each other/],
      [{ key: join(dir, "missing.json") }, {}, /^--key: cannot read ".*missing\.json": no such file/],
      [{ key: dir }, {}, /^--key: cannot read ".*": it is a directory/],
      [{ altinn: true }, {}, /--altinn: give --altinn-url/],
      [{ issuer: "http://maskinporten.example.com/" }, {}, /^--issuer: .* uses plain http/],
    ];
    for (const [opts, env, message] of cases) {
      const err = await token(opts, env).catch((e: unknown) => e);
      expect({ opts, message: (err as Error).message }).toEqual({ opts, message: expect.stringMatching(message) });
      expect(exitCodeOf(err)).toBe(EXIT.USAGE);
    }
  });

  it("refuses a public key as --key, and a PEM key without --kid, with exit code 2 and without echoing the key", async () => {
    const publicFile = join(dir, "public.json");
    writeFileSync(publicFile, JSON.stringify(key.publicJwk));
    const pemFile = join(dir, "key.pem");
    writeFileSync(pemFile, key.privateKeyPem);
    const publicErr = await token({ key: publicFile }).catch((e: unknown) => e);
    expect(publicErr).toBeInstanceOf(KeyError);
    expect((publicErr as KeyError).message).toMatch(/^--key: is a public JWK .* which cannot sign; give the private key/);
    const pemErr = await token({ key: pemFile }).catch((e: unknown) => e);
    expect((pemErr as KeyError).message).toMatch(/^--kid: is required because --key holds no key id/);
    for (const err of [publicErr, pemErr]) {
      expect(exitCodeOf(err)).toBe(EXIT.USAGE);
      expectNoSecret((err as Error).message, [key.privateJwk.d, key.privateKeyPem]);
    }
  });

  it("reports a refused grant as an auth failure (exit 1) that names the kid and the fix, with no key or token", async () => {
    const other = await generateKeyPair({ modulusLength: 2048, kid: "not-on-the-client" });
    const otherFile = join(dir, "other.json");
    writeFileSync(otherFile, other.privateJwkJson);
    const err = await token({ key: otherFile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(exitCodeOf(err)).toBe(EXIT.FAILED);
    const m = memoryIo();
    expect(reportError(m.io, "token", err)).toBe(1);
    expect(m.stderr()).toMatch(
      /^maskinporten token: the token endpoint at .* rejected the JWT grant of client ".*" \(invalid_grant\).*kid "not-on-the-client" is registered on the client/,
    );
    expect(m.stderr()).not.toMatch(/\n\s+at /);
    expectNoSecret(m.stderr(), [other.privateJwk.d, other.privateJwkBase64]);
  });
});

describe("reportError", () => {
  it("gives expected errors their message only, and unexpected ones a bug notice; a stack only with MASKINPORTEN_DEBUG", () => {
    const plain = memoryIo();
    expect(reportError(plain.io, "keys export", new UsageError("--key: bad"))).toBe(2);
    expect(reportError(plain.io, "keys export", new ConfigError("--kid", "is required"))).toBe(2);
    expect(reportError(plain.io, "token", new TypeError("x is undefined"))).toBe(1);
    expect(plain.stderr()).toBe(
      "maskinporten keys export: --key: bad\n" +
        "maskinporten keys export: --kid: is required\n" +
        "maskinporten token: unexpected error: x is undefined\n" +
        "This is a bug in pulumi-maskinporten; set MASKINPORTEN_DEBUG=1 for details and report it.\n",
    );
    const debug = memoryIo({ env: { MASKINPORTEN_DEBUG: "1" } });
    reportError(debug.io, "token", new TypeError("boom"));
    expect(debug.stderr()).toMatch(/TypeError: boom\n\s+at /);
  });
});
