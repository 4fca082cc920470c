/**
 * `maskinporten keys create|export|list`, run in-process (the actions behind the commander wiring): files and
 * their modes, every key format round-tripping to a token from the simulator, and expiry in plain sight.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keysCreateCommand, keyFiles } from "../../cli/actions/keys-create";
import { keysExportCommand, type ExportFormat } from "../../cli/actions/keys-export";
import { CLIENT_KEY_TYPE, keysListCommand, type KeysListOptions } from "../../cli/actions/keys-list";
import { tokenCommand } from "../../cli/actions/token";
import { UsageError } from "../../cli/io";
import { KeyError } from "../../provider/api/errors";
import { clearTokenCache, getAccessToken } from "../../sdk/tokens";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { useSimulator } from "../simulator/helpers";
import { claimsOf, clientWithKeys, memoryIo } from "./helpers";

const sim = useSimulator();
const consumer = (): SimulatorOrg => sim().orgs[1]!;
const FIXTURES = join(__dirname, "..", "fixtures");
const DATE = "2025-01-31";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mp-keys-"));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await clearTokenCache();
});

async function create(name: string, extra: Record<string, unknown> = {}) {
  const m = memoryIo();
  const code = await keysCreateCommand(name, { out: dir, date: DATE, size: "2048", ...extra }, m.io);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}

async function exportKey(format: ExportFormat, key: string, extra: { kid?: string; stdin?: string } = {}): Promise<string> {
  const m = memoryIo(extra.stdin !== undefined ? { stdin: extra.stdin } : {});
  const code = await keysExportCommand(format, { key, ...(extra.kid !== undefined && { kid: extra.kid }) }, m.io);
  expect(code).toBe(0);
  return m.stdout();
}

/** Writes text to a file in the test directory and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("keys create", () => {
  it("writes TEST and PROD key pairs with altinn-jwks kids; private files are 0600, public ones 0644", async () => {
    const { code, stdout } = await create("testklient");
    expect(code).toBe(0);
    for (const kid of [`testklient-TEST.${DATE}`, `testklient-PROD.${DATE}`]) {
      const files = keyFiles(dir, kid);
      expect(stdout).toContain(kid);
      for (const path of Object.values(files)) expect(stdout).toContain(path);
      expect(statSync(files.privateJwk).mode & 0o777).toBe(0o600);
      expect(statSync(files.privateBase64).mode & 0o777).toBe(0o600);
      expect(statSync(files.privatePem).mode & 0o777).toBe(0o600);
      expect(statSync(files.publicJwk).mode & 0o777).toBe(0o644);
      const publicJwk = JSON.parse(readFileSync(files.publicJwk, "utf8")) as Record<string, unknown>;
      expect(publicJwk).toEqual({ kty: "RSA", kid, use: "sig", alg: "RS256", n: expect.any(String), e: "AQAB" });
      expect(JSON.parse(readFileSync(files.publicJwks, "utf8"))).toEqual([publicJwk]);
      expect(stdout).toContain(JSON.stringify([publicJwk]));
      const privateJwk = JSON.parse(readFileSync(files.privateJwk, "utf8")) as Record<string, unknown>;
      expect(privateJwk).toMatchObject({ ...publicJwk, d: expect.any(String), qi: expect.any(String) });
      expect(Buffer.from(readFileSync(files.privateBase64, "utf8").trim(), "base64").toString("utf8")).toBe(JSON.stringify(privateJwk));
      // The printed summary holds no private material.
      expect(stdout).not.toContain(privateJwk["d"] as string);
    }
  });

  it("refuses to overwrite existing files, changing none of them, unless --force", async () => {
    await create("twice", { env: "TEST" });
    const files = keyFiles(dir, `twice-TEST.${DATE}`);
    const before = readFileSync(files.privateJwk, "utf8");
    await expect(create("twice", { env: "TEST,PROD" })).rejects.toThrow(/already exist.*--force/);
    expect(readFileSync(files.privateJwk, "utf8")).toBe(before);
    expect(() => statSync(keyFiles(dir, `twice-PROD.${DATE}`).privateJwk)).toThrow();
    await create("twice", { env: "TEST", force: true });
    expect(readFileSync(files.privateJwk, "utf8")).not.toBe(before);
    expect(statSync(files.privateJwk).mode & 0o777).toBe(0o600);
  });

  it("prints one JSON document with public and private parts without --out, and warns on stderr", async () => {
    const m = memoryIo({ now: new Date("2024-07-10T08:00:00Z") });
    expect(await keysCreateCommand("testklient", { size: "2048", env: "test" }, m.io)).toBe(0);
    const doc = JSON.parse(m.stdout()) as { name: string; keys: Record<string, any>[] };
    expect(doc.name).toBe("testklient");
    expect(doc.keys).toEqual([
      expect.objectContaining({
        environment: "TEST",
        kid: "testklient-TEST.2024-07-10",
        alg: "RS256",
        bits: 2048,
        publicJwk: expect.objectContaining({ kid: "testklient-TEST.2024-07-10" }),
        privateJwk: expect.objectContaining({ d: expect.any(String) }),
        privateJwkBase64: expect.any(String),
      }),
    ]);
    expect(m.stderr()).toMatch(/PRIVATE keys testklient-TEST\.2024-07-10.*--out DIR/);
  });

  it.each([
    [{ size: "1024" }, /--size must be one of 2048, 3072, 4096/],
    [{ algorithm: "ES256" }, /--algorithm must be one of RS256, RS384, RS512/],
    [{ env: "TEST,pr od!" }, /--env/],
    [{ date: "2025-02-30" }, /--date must be a date as YYYY-MM-DD/],
  ])("refuses bad usage %j", async (opts, message) => {
    await expect(create("ok", opts)).rejects.toThrow(message);
    await expect(create("ok", opts)).rejects.toBeInstanceOf(UsageError);
  });

  it("refuses a NAME that cannot be part of a kid", async () => {
    await expect(create("my client")).rejects.toThrow(/NAME "my client" may hold letters, digits/);
  });
});

describe("every key format round-trips: created → exported → registered → token from the simulator", () => {
  it("all private forms of a created key, and their exports, get tokens with getAccessToken and `maskinporten token`", async () => {
    await create("roundtrip", { env: "TEST" });
    const kid = `roundtrip-TEST.${DATE}`;
    const files = keyFiles(dir, kid);

    // Exports agree with the files written by create, whatever form they start from.
    const privateJson = readFileSync(files.privateJwk, "utf8");
    const base64 = readFileSync(files.privateBase64, "utf8");
    expect(await exportKey("base64", files.privateJwk)).toBe(base64);
    expect(await exportKey("private", files.privateBase64)).toBe(privateJson);
    expect(await exportKey("private", files.privatePem, { kid })).toBe(privateJson);
    expect(await exportKey("pem", files.privateBase64)).toBe(readFileSync(files.privatePem, "utf8"));
    expect(await exportKey("public", files.privatePem, { kid })).toBe(readFileSync(files.publicJwks, "utf8"));
    expect(JSON.parse(await exportKey("public-jwk", files.privateBase64))).toEqual(JSON.parse(readFileSync(files.publicJwk, "utf8")));
    expect(await exportKey("public-pem", files.privateJwk)).toMatch(/^-----BEGIN PUBLIC KEY-----/);

    // Register what `keys export public` prints, as one would paste it in the portal.
    const publicKeys = JSON.parse(await exportKey("public", files.privateBase64)) as object[];
    const clientId = await clientWithKeys(sim(), consumer().orgno, publicKeys);

    const forms: [string, string, string | undefined][] = [
      ["private JWK file", files.privateJwk, undefined],
      ["base64 file", files.privateBase64, undefined],
      ["PEM file with --kid", files.privatePem, kid],
      ["exported private JWK", file("exported.json", await exportKey("private", files.privatePem, { kid })), undefined],
      ["exported base64", file("exported.b64", await exportKey("base64", files.privateJwk)), undefined],
      ["exported PEM with --kid", file("exported.pem", await exportKey("pem", files.privateJwk)), kid],
    ];
    for (const [name, path, pathKid] of forms) {
      await clearTokenCache();
      const token = await getAccessToken({
        issuer: sim().issuer,
        clientId,
        key: readFileSync(path, "utf8"),
        ...(pathKid && { kid: pathKid }),
        scopes: OPEN_CATALOGUE_SCOPE,
      });
      expect({ name, client: claimsOf(token)["client_id"] }).toEqual({ name, client: clientId });

      const m = memoryIo();
      const code = await tokenCommand(
        { issuer: sim().issuer, clientId, key: path, scope: [OPEN_CATALOGUE_SCOPE], ...(pathKid && { kid: pathKid }), json: true },
        m.io,
      );
      expect({ name, code, stderr: m.stderr() }).toEqual({ name, code: 0, stderr: "" });
      const out = JSON.parse(m.stdout()) as { kid: string; claims: Record<string, unknown> };
      expect({ name, kid: out.kid, client: out.claims["client_id"] }).toEqual({ name, kid, client: clientId });
    }
  });

  it("the altinn-jwks base64 example from Digdir's guide: its exported public half matches altinn-jwks' and it gets a token", async () => {
    const base64Path = join(FIXTURES, "altinn-jwks-testklient.base64");
    const exported = JSON.parse(await exportKey("public", base64Path)) as Record<string, unknown>[];
    const altinnExport = JSON.parse(readFileSync(join(FIXTURES, "altinn-jwks-testklient.maskinporten.json"), "utf8")) as Record<
      string,
      unknown
    >[];
    expect(exported).toEqual([
      { kty: "RSA", kid: "testklient-TEST.2024-07-10", use: "sig", alg: "RS256", n: altinnExport[0]!["n"], e: "AQAB" },
    ]);
    // Its private JWK comes back as the same base64 once normalized (altinn-jwks adds empty key_ops, oth, x5c).
    const normalized = await exportKey("base64", base64Path);
    expect(await exportKey("base64", file("again.b64", normalized))).toBe(normalized);

    const clientId = await clientWithKeys(sim(), consumer().orgno, exported);
    const m = memoryIo();
    expect(await tokenCommand({ issuer: sim().issuer, clientId, key: base64Path, scope: [OPEN_CATALOGUE_SCOPE] }, m.io)).toBe(0);
    expect(m.stdout()).toMatch(
      new RegExp(`Access token for client ${clientId} \\(kid testklient-TEST\\.2024-07-10\\), scope "${OPEN_CATALOGUE_SCOPE}"`),
    );
    expect(m.stdout()).toMatch(/"client_id": /);
    expect(m.stdout()).toMatch(/^ {2}exp {2}\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z \(in \d+ (s|min)\)$/m);
  });
});

describe("keys export", () => {
  it("reads the key from stdin with --key -", async () => {
    const base64 = readFileSync(join(FIXTURES, "altinn-jwks-testklient.base64"), "utf8");
    const fromFile = await exportKey("public", join(FIXTURES, "altinn-jwks-testklient.base64"));
    expect(await exportKey("public", "-", { stdin: base64 })).toBe(fromFile);
  });

  it("turns a public key into the portal's form, but refuses it where a private one is needed", async () => {
    const publicFile = join(FIXTURES, "altinn-jwks-testklient.maskinporten.json");
    expect(JSON.parse(await exportKey("public", publicFile))).toEqual([
      expect.objectContaining({ kid: "testklient-TEST.2024-07-10", use: "sig" }),
    ]);
    const m = memoryIo();
    const err = await keysExportCommand("base64", { key: publicFile }, m.io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).code).toBe("PUBLIC_KEY_GIVEN");
    expect((err as KeyError).message).toMatch(/^--key: is a public JWK/);
  });

  it("gives a PEM key without --kid its thumbprint as kid in the public forms, and asks for --kid for a private JWK", async () => {
    await create("pem", { env: "TEST" });
    const files = keyFiles(dir, `pem-TEST.${DATE}`);
    const [jwk] = JSON.parse(await exportKey("public", files.privatePem)) as Record<string, string>[];
    expect(jwk!["kid"]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(keysExportCommand("private", { key: files.privatePem }, memoryIo().io)).rejects.toThrow(
      /^--kid: is required because --key holds no key id/,
    );
  });

  it("writes private forms with --out as mode 0600 files", async () => {
    await create("out", { env: "TEST" });
    const out = join(dir, "vault.txt");
    const m = memoryIo();
    await keysExportCommand("base64", { key: keyFiles(dir, `out-TEST.${DATE}`).privateJwk, out }, m.io);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(m.stdout()).toBe("");
    expect(m.stderr()).toMatch(/wrote .*vault\.txt \(a private key, mode 0600\)/);
  });

  it("names the problem for an unknown format, a missing file and an empty stdin", async () => {
    await expect(keysExportCommand("jwks", { key: "x" }, memoryIo().io)).rejects.toThrow(
      /unknown format "jwks": use one of public, public-jwk, public-pem, private, base64, pem/,
    );
    await expect(keysExportCommand("public", { key: join(dir, "missing.json") }, memoryIo().io)).rejects.toThrow(
      /--key: cannot read ".*missing\.json": no such file/,
    );
    await expect(keysExportCommand("public", { key: "-" }, memoryIo({ stdin: "" }).io)).rejects.toThrow(/--key: stdin was empty/);
  });
});

describe("keys list", () => {
  const adminEnv = (org: SimulatorOrg): NodeJS.ProcessEnv => ({
    MASKINPORTEN_ISSUER: sim().issuer,
    MASKINPORTEN_API_BASE_URL: sim().apiBaseUrl,
    MASKINPORTEN_CLIENT_ID: org.adminClientId,
    MASKINPORTEN_PRIVATE_KEY: JSON.stringify(org.adminKey),
  });

  async function list(opts: Partial<KeysListOptions> & { clientId: string }, env = adminEnv(consumer()), now?: Date) {
    const m = memoryIo({ env, ...(now && { now }) });
    const code = await keysListCommand(opts, m.io);
    return { code, stdout: m.stdout(), stderr: m.stderr() };
  }

  async function clientWithSoonExpiringKey(): Promise<{ clientId: string; soonKid: string; laterKid: string }> {
    await create("lister", { env: "TEST,PROD" });
    const soonKid = `lister-PROD.${DATE}`;
    const laterKid = `lister-TEST.${DATE}`;
    const [later] = JSON.parse(readFileSync(keyFiles(dir, laterKid).publicJwks, "utf8")) as Record<string, unknown>[];
    const clientId = await clientWithKeys(sim(), consumer().orgno, [later!]);
    // Registered in the portal, out of band, with an expiry 10 days ahead.
    const soon = JSON.parse(readFileSync(keyFiles(dir, soonKid).publicJwk, "utf8")) as Record<string, unknown>;
    await sim()
      .control.portal(consumer().orgno)
      .putKey(clientId, { ...(soon as { kty: string; kid: string }), exp: Math.floor(Date.now() / 1000) + 10 * 86400 - 60 });
    return { clientId, soonKid, laterKid };
  }

  it("shows every key with its size and expiry, and flags the one expiring within 30 days", async () => {
    const { clientId, soonKid, laterKid } = await clientWithSoonExpiringKey();
    const { code, stdout, stderr } = await list({ clientId });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Client ${clientId} "cli test client" \\(organisation ${consumer().orgno}\\): 2 keys$`, "m"));
    expect(stdout).toMatch(/^KID +ALG +BITS +EXPIRES +DAYS LEFT +STATUS$/m);
    // Soonest first.
    expect(stdout).toMatch(
      new RegExp(`^${soonKid.replace(/\./g, "\\.")} +RS256 +2048 +\\S+ +9 +! expires in 9 days \\(less than 30\\)$`, "m"),
    );
    expect(stdout).toMatch(new RegExp(`^${laterKid.replace(/\./g, "\\.")} +RS256 +2048 +\\S+ +36[456] +ok$`, "m"));
    expect(stdout.indexOf(soonKid)).toBeLessThan(stdout.indexOf(laterKid));
    expect(stderr).toMatch(new RegExp(`rotate ${soonKid.replace(/\./g, "\\.")} \\(expires in 9 days\\)`));
  });

  it("prints JSON, exits 3 with --fail-on-expiring, and shows an expired key as expired", async () => {
    const { clientId, soonKid } = await clientWithSoonExpiringKey();
    const json = await list({ clientId, json: true, failOnExpiring: true });
    expect(json.code).toBe(3);
    const doc = JSON.parse(json.stdout) as { keys: Record<string, unknown>[]; warn_days: number };
    expect(doc.warn_days).toBe(30);
    expect(doc.keys[0]).toEqual({
      kid: soonKid,
      alg: "RS256",
      bits: 2048,
      expires_at: expect.any(String),
      days_left: 9,
      status: "expiring",
      certificate: false,
    });
    expect(doc.keys[1]).toMatchObject({ status: "ok" });

    const inElevenDays = new Date(Date.now() + 11 * 86400_000);
    const later = await list({ clientId }, adminEnv(consumer()), inElevenDays);
    expect(later.stdout).toMatch(new RegExp(`^${soonKid.replace(/\./g, "\\.")} .* ! EXPIRED 1 day ago$`, "m"));
    expect((await list({ clientId, warnDays: "5" })).stderr).toBe("");
  });

  it("marks the keys a stack's ClientKey resources manage, given `pulumi stack export`", async () => {
    const { clientId, soonKid, laterKid } = await clientWithSoonExpiringKey();
    const state = file(
      "state.json",
      JSON.stringify({
        version: 3,
        deployment: {
          resources: [
            { urn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", type: "pulumi:pulumi:Stack" },
            { urn: `urn:pulumi:dev::proj::${CLIENT_KEY_TYPE}::app-test`, type: CLIENT_KEY_TYPE, outputs: { clientId, kid: laterKid } },
            {
              urn: `urn:pulumi:dev::proj::${CLIENT_KEY_TYPE}::other`,
              type: CLIENT_KEY_TYPE,
              outputs: { clientId: "another", kid: soonKid },
            },
          ],
        },
      }),
    );
    const { stdout } = await list({ clientId, pulumiState: state });
    expect(stdout).toMatch(/MANAGED BY/);
    expect(stdout).toMatch(new RegExp(`^${laterKid.replace(/\./g, "\\.")} .* ClientKey app-test +ok$`, "m"));
    expect(stdout).toMatch(new RegExp(`^${soonKid.replace(/\./g, "\\.")} .* - \\(not managed\\) +! expires`, "m"));
    const json = JSON.parse((await list({ clientId, pulumiState: state, json: true })).stdout) as { keys: Record<string, unknown>[] };
    expect(json.keys.map((k) => [k["kid"], k["managed"], k["managed_by"]])).toEqual([
      [soonKid, false, null],
      [laterKid, true, "app-test"],
    ]);
  });

  it("takes the admin credential from flags instead of the environment", async () => {
    const clientId = await clientWithKeys(sim(), consumer().orgno, []);
    const adminKey = file("admin.json", JSON.stringify(consumer().adminKey));
    const env = { MASKINPORTEN_ENVIRONMENT: "prod" }; // ignored: flags win
    const { code, stdout } = await list(
      { clientId, issuer: sim().issuer, apiBaseUrl: sim().apiBaseUrl, adminClientId: consumer().adminClientId, adminKey },
      env,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/: no keys registered$/m);
  });

  it("fails clearly for a client the admin cannot see and for missing settings", async () => {
    await expect(list({ clientId: "no-such-client" })).rejects.toThrow(
      /there is no client "no-such-client" in .* check --client-id and the environment/,
    );
    await expect(list({ clientId: "x" }, {})).rejects.toThrow(/say which Maskinporten to ask: --environment test\|prod/);
    await expect(list({ clientId: "x" }, { MASKINPORTEN_ENVIRONMENT: "test" })).rejects.toThrow(
      /no admin credential: set MASKINPORTEN_CLIENT_ID and MASKINPORTEN_PRIVATE_KEY/,
    );
    await expect(list({ clientId: "x" }, { MASKINPORTEN_ENVIRONMENT: "test", MASKINPORTEN_CLIENT_ID: "a" })).rejects.toThrow(
      /MASKINPORTEN_CLIENT_ID is set but no key/,
    );
    await expect(list({ clientId: "x", issuer: sim().issuer })).rejects.toThrow(/--issuer and --api-base-url go together/);
    await expect(list({ clientId: "x", environment: "dev" })).rejects.toThrow(/--environment must be "test" or "prod"/);
    await expect(list({ clientId: "x", warnDays: "soon" })).rejects.toThrow(/--warn-days must be a whole number/);
    await expect(list({ clientId: "x", pulumiState: join(dir, "none.json") })).rejects.toThrow(/--pulumi-state: cannot read/);
  });
});
