/**
 * The real Pulumi engine is available through scripts/ensure-pulumi.js. The first run on a machine builds the CLI
 * from Go sources (about 9 minutes on 2 cores: COLD_BUILD_MINUTES in scripts/engine/build.js); later runs reuse
 * .cache/pulumi and take well under a second.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeEngine } from "./harness";

interface EnsureResult {
  binDir: string;
  pulumi: string;
  version: string;
  source: "path" | "cache" | "built";
}
// Plain CommonJS script (it runs before TypeScript is compiled), so it is loaded with require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = require("../../scripts/ensure-pulumi.js") as {
  ensurePulumi(options?: { quiet?: boolean }): Promise<EnsureResult>;
  engineEnv(binDir: string, extra?: Record<string, string>): NodeJS.ProcessEnv;
  sdkVersion(): string;
  pinnedEngineVersion(): string;
  compareVersions(a: string, b: string): number;
};

const BUILD_TIMEOUT_MS = 60 * 60 * 1000;

describeEngine("Pulumi engine (scripts/ensure-pulumi.js)", () => {
  let result: EnsureResult;

  beforeAll(async () => {
    result = await engine.ensurePulumi();
  }, BUILD_TIMEOUT_MS);

  it("provides a pulumi CLI that reports the expected version", () => {
    const env = engine.engineEnv(result.binDir);
    const out = execFileSync("pulumi", ["version"], { env, encoding: "utf8" }).trim();
    expect(out).toBe(`v${result.version}`);
    // Same major version as the Node SDK; a built engine is exactly the pinned one.
    expect(out.split(".")[0]).toBe(`v${engine.sdkVersion().split(".")[0]}`);
    if (result.source !== "path") expect(result.version).toBe(engine.pinnedEngineVersion());
    else expect(engine.compareVersions(result.version, engine.pinnedEngineVersion())).toBeGreaterThanOrEqual(0);
  });

  it("puts the language host and the dynamic provider host on the engine PATH", () => {
    const env = engine.engineEnv(result.binDir);
    for (const bin of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
      const found = execFileSync("sh", ["-c", `command -v ${bin}`], { env, encoding: "utf8" }).trim();
      expect(found).not.toBe("");
    }
    if (result.source !== "path") {
      expect(fs.statSync(path.join(result.binDir, "pulumi-resource-pulumi-nodejs")).mode & 0o111).not.toBe(0);
    }
  });

  it("answers from the cache on a second call without building", async () => {
    const again = await engine.ensurePulumi({ quiet: true });
    expect(again.binDir).toBe(result.binDir);
    expect(again.source).toBe(result.source === "path" ? "path" : "cache");
  });
});
