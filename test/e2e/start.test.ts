/**
 * `npm start` (scripts/start.js, on the built package) as a user runs it: a first run creates the quickstart
 * and proves the client gets a token, a second run changes nothing, and a run after the simulator's state file
 * was deleted makes again what the simulator lost. Its own folder (MASKINPORTEN_QUICKSTART_DIR) and a free
 * port, so it never touches a developer's .quickstart/.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describeEngine, E2E_ROOT, ENGINE_TIMEOUT_MS, privateJwkParts, REPO, secretsIn } from "./harness";

const run = promisify(execFile);
const WORK = join(E2E_ROOT, "start");

interface StartRun {
  code: number;
  output: string;
}

async function npmStart(port = 0): Promise<StartRun> {
  const env = { ...process.env, MASKINPORTEN_QUICKSTART_DIR: WORK, MASKINPORTEN_SIMULATOR_PORT: String(port) };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO, "scripts", "start.js")], {
      cwd: REPO,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describeEngine("npm start (scripts/start.js)", () => {
  const keyFile = join(WORK, "weather-client.key.json");

  beforeAll(() => rmSync(WORK, { recursive: true, force: true }));
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  it(
    "a first run creates the quickstart, proves the client gets a token and leaves its key only in a private file",
    async () => {
      const first = await npmStart();
      expect(first).toMatchObject({ code: 0 });
      expect(first.output).not.toContain("refreshing the stack first");
      expect(first.output).toContain("Changes applied: 5 created.");
      expect(first.output).toMatch(/The client works: a token for eksempel:weather\.read, client_id [0-9a-f-]{36}/);
      expect(first.output).toMatch(
        /npx maskinporten token --issuer http:\/\/127\.0\.0\.1:\d+\/ --client-id [0-9a-f-]{36} --key \S+weather-client\.key\.json/,
      );
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(secretsIn(first.output, privateJwkParts(readFileSync(keyFile, "utf8")))).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a second run changes nothing and says so",
    async () => {
      const second = await npmStart();
      expect(second).toMatchObject({ code: 0 });
      expect(second.output).toContain("No changes: the simulator already matches the program.");
      expect(second.output).toContain("The client works");
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "after the simulator's state file is deleted, a run makes again what the simulator lost",
    async () => {
      rmSync(join(WORK, "simulator.json"));
      const again = await npmStart();
      expect(again).toMatchObject({ code: 0 });
      // The generated key stays in the stack marked gone (so up can say it replaces the key pair); the rest is dropped.
      expect(again.output).toContain(
        "Refresh: 3 resources the simulator no longer holds were dropped from the stack and 1 marked as gone from it",
      );
      expect(again.output).toContain("Changes applied: 3 created, 1 replaced.");
      expect(again.output).toContain("The client works");
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a port in use fails with the variable that changes it",
    async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      try {
        const port = (blocker.address() as { port: number }).port;
        const blocked = await npmStart(port);
        expect(blocked.code).toBe(1);
        expect(blocked.output).toContain(
          `npm start failed: port ${port} is in use: stop what runs there, or set MASKINPORTEN_SIMULATOR_PORT to a free port`,
        );
        expect(existsSync(join(WORK, "simulator.json"))).toBe(true);
      } finally {
        blocker.close();
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
