/**
 * The processes the engine starts, as Pulumi's own hosts behave: the Node language host answers `pulumi install`
 * and `pulumi about`, and after a `kill -9` of the engine in the middle of `up`, the language host, the program
 * and the provider process all stop, and the provider sends no write after the engine died.
 *
 * These run the CLI as a subprocess (the Automation API cannot kill its engine), with the stack configured as
 * the other end-to-end tests configure theirs.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describeEngine, ENGINE_TIMEOUT_MS, makeProject, removeProject, stackFor, useEngineSimulator } from "./harness";

const run = promisify(execFile);

/** Independent clients, so the engine asks the provider for all four creates at once. */
const FOUR_CLIENTS = `
import { Client } from "pulumi-maskinporten";
export const ids = [1, 2, 3, 4].map((n) => new Client("c" + n, { clientName: "engine-gone-" + n, scopes: ["difitest:open"] }).clientId);
`;

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

function processes(): Proc[] {
  return execFileSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[3]!.startsWith("Z")) // a zombie has stopped
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[4]! }));
}

function descendantsOf(pid: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const walk = (parent: number) => {
    for (const p of all.filter((q) => q.ppid === parent)) {
      found.push(p);
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

function alive(pids: readonly number[]): number[] {
  const running = new Set(processes().map((p) => p.pid));
  return pids.filter((pid) => running.has(pid));
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeEngine("the processes the engine starts", () => {
  const sim = useEngineSimulator();

  it(
    "pulumi install runs npm in the program's folder, and pulumi about reports node, npm and the dependencies",
    async () => {
      const dir = makeProject("host-install", { "index.ts": "export {};\n" });
      try {
        mkdirSync(join(dir, "local-dep"));
        writeFileSync(join(dir, "local-dep", "package.json"), JSON.stringify({ name: "local-dep", version: "1.2.3" }));
        writeFileSync(
          join(dir, "package.json"),
          JSON.stringify({ name: "host-install", private: true, dependencies: { "local-dep": "file:./local-dep" } }),
        );
        const { envVars } = await stackFor(dir, sim(), {});

        const install = await run("pulumi", ["install"], { cwd: dir, env: envVars });
        expect(install.stdout).toContain("Finished installing dependencies");
        expect(JSON.parse(readFileSync(join(dir, "node_modules", "local-dep", "package.json"), "utf8"))).toMatchObject({
          version: "1.2.3",
        });
        expect(JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"))).toMatchObject({ name: "host-install" });

        const about = JSON.parse((await run("pulumi", ["about", "--json"], { cwd: dir, env: envVars })).stdout) as {
          runtime: { language: string; executable: string; version: string; packagemanager?: string };
          dependencies: { name: string; version: string }[];
          errors?: string[];
        };
        const nodeVersion = execFileSync("node", ["--version"], { env: envVars, encoding: "utf8" }).trim();
        expect(about.runtime).toMatchObject({ language: "nodejs", version: nodeVersion, packagemanager: "npm" });
        expect(about.runtime.executable).toMatch(/node$/);
        expect(about.dependencies).toEqual([{ name: "local-dep", version: "1.2.3" }]);
        expect(about.errors ?? []).toEqual([]);
      } finally {
        removeProject(dir);
      }
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "kill -9 of the engine during up: the language host, the program and the provider stop, and no write is sent after the kill",
    async () => {
      const consumer = sim().orgs[1]!;
      const dir = makeProject("engine-gone", { "index.ts": FOUR_CLIENTS });
      // One request at a time, each create held 4 s by the simulator: the kill lands while the first is in flight.
      const { envVars } = await stackFor(
        dir,
        sim(),
        {},
        { defaultCredential: consumer.orgno, config: { "maskinporten:maxConcurrency": 1 } },
      );
      const fault = await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "latency", latencyMs: 4_000 });
      const since = await sim().control.lastSeq();
      const engine = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", "test"], {
        cwd: dir,
        env: envVars,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let started: Proc[] = [];
      engine.stdout.on("data", (d: Buffer) => (output += d.toString()));
      engine.stderr.on("data", (d: Buffer) => (output += d.toString()));
      try {
        // All four creates have been asked for, and the first write has had time to leave.
        await until("the creates to start", 120_000, () => ((output.match(/Client c\d creating/g) ?? []).length >= 4 ? true : undefined));
        await new Promise((r) => setTimeout(r, 1_500));
        started = descendantsOf(engine.pid!);
        const host = started.filter((p) => /pulumi-language-nodejs/.test(p.args));
        const provider = started.filter((p) => /cmd\/dynamic-provider/.test(p.args));
        expect({ host: host.length, provider: provider.length }).toEqual({ host: 1, provider: 1 });

        process.kill(engine.pid!, "SIGKILL");
        const killedAt = Date.now();
        const allStopped = until("every process the engine started to stop", 30_000, () =>
          alive(started.map((p) => p.pid)).length === 0 ? Date.now() : undefined,
        );
        allStopped.catch(() => undefined); // awaited below; handled here in case an assertion before it fails

        // Long enough for the held request to finish and the three queued creates to be sent, had they been.
        await new Promise((r) => setTimeout(r, 12_000));
        const creates = (await sim().control.requestLog({ since })).filter((e) => e.method === "POST" && e.path === "/api/v1/clients");
        expect(creates.length).toBeLessThanOrEqual(1);
        const made = (await sim().control.portal(consumer.orgno).listClients()).filter((c) => c.client_name?.startsWith("engine-gone-"));
        expect(made.length).toBe(creates.length);

        // The host checks the engine every second, the provider too: well within 10 s, loaded machine included.
        expect((await allStopped) - killedAt).toBeLessThan(10_000);
      } finally {
        if (engine.exitCode === null) engine.kill("SIGKILL");
        for (const pid of alive(started.map((p) => p.pid))) process.kill(pid, "SIGKILL");
        await sim().control.removeFault(fault);
        removeProject(dir);
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
