/**
 * examples/testing-your-program: a user's own test of their own Pulumi program against the simulator
 * (`startSimulator`, the Automation API, a local file backend), run as the user runs it: `npm test` in a copy of
 * the example, with the Pulumi CLI on PATH as in their CI.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { copyExample, describeEngine, ENGINE_TIMEOUT_MS, removeProject } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensurePulumi, engineEnv } = require("../../scripts/ensure-pulumi.js") as {
  ensurePulumi(): Promise<{ binDir: string }>;
  engineEnv(binDir: string, extra?: Record<string, string>): Record<string, string>;
};

const run = promisify(execFile);

describeEngine("examples/testing-your-program", () => {
  it(
    "npm test runs the program's own test against the simulator, and it passes",
    async () => {
      const dir = copyExample("testing-your-program");
      try {
        expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts.test).toBe("node --test program.test.mts");
        const { binDir } = await ensurePulumi();
        const { stdout } = await run("npm", ["test"], {
          cwd: dir,
          env: engineEnv(binDir, { PULUMI_HOME: join(dir, ".pulumi-home") }),
          maxBuffer: 16 * 1024 * 1024,
        });
        expect(stdout).toMatch(/✔ the program makes a client that the simulator knows/);
        expect(stdout).toMatch(/ℹ pass 1\n/);
        expect(stdout).toMatch(/ℹ fail 0\n/);
        // The test cleans up after itself: the stack's config file is gone with the stack.
        expect(existsSync(join(dir, "Pulumi.ci.yaml"))).toBe(false);
      } finally {
        removeProject(dir);
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
