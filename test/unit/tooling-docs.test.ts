/**
 * The tooling's docs agree with its code: the cold-build time the engine script prints, the README and
 * tools/pulumi-engine/README.md state is one number (COLD_BUILD_MINUTES), matching the measurements in
 * docs/engine-notes.md; and the versions the docs name are the ones package.json and go.mod hold.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
/* eslint-disable @typescript-eslint/no-require-imports -- the engine scripts are CommonJS run before TypeScript */
const { COLD_BUILD_MINUTES, buildingMessage } = require("../../scripts/engine/build.js") as {
  COLD_BUILD_MINUTES: number;
  buildingMessage(version: string, go: string): string;
};
const { pinnedEngineVersion, declaredSdkVersion } = require("../../scripts/engine/versions.js") as {
  pinnedEngineVersion(): string;
  declaredSdkVersion(): string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const pkg = JSON.parse(read("package.json")) as { devDependencies: Record<string, string>; peerDependencies: Record<string, string> };
const readme = read("README.md");
const engineReadme = read("tools/pulumi-engine/README.md");
const notes = read("docs/engine-notes.md");

/** Every "N minutes"/"N min" claim about a build in a text, as numbers. */
function buildMinutes(text: string): number[] {
  return [...text.matchAll(/(?:takes|take|build[^.]*?)\s+(?:about\s+)?(\d+)(?:\s*(?:-|to|–)\s*(\d+))?\s*min(?:utes)?\b/g)].flatMap((m) => [
    Number(m[1]),
    ...(m[2] ? [Number(m[2])] : []),
  ]);
}

describe("the engine's cold-build time", () => {
  test("the script prints COLD_BUILD_MINUTES when it starts a build", () => {
    expect(buildingMessage("3.276.0", "1.26.8")).toContain(`about ${COLD_BUILD_MINUTES} minutes on 2 cores`);
  });

  test("the README, the engine README and the engine test state that number and no other", () => {
    for (const text of [readme, engineReadme, read("test/e2e/engine.test.ts")]) {
      expect(text).toContain(`about ${COLD_BUILD_MINUTES} minutes on 2 cores`);
      expect(buildMinutes(text)).toEqual([COLD_BUILD_MINUTES]);
    }
  });

  test("it is the longest cold measurement in docs/engine-notes.md, rounded", () => {
    const rows = [...notes.matchAll(/^\| (cold|first build) \|[^\n]*\| (\d+) min (\d+) s \|$/gm)];
    expect(rows.map((r) => r[1])).toEqual(["cold", "first build"]);
    const longest = Math.max(...rows.map((r) => Number(r[2]) + Number(r[3]) / 60));
    expect(COLD_BUILD_MINUTES).toBe(Math.round(longest));
  });
});

describe("the versions the tooling docs name", () => {
  const sdk = declaredSdkVersion();

  test("package.json pins @pulumi/pulumi exactly, and go.mod pins the engine to the same version", () => {
    expect(pkg.devDependencies["@pulumi/pulumi"]).toBe(sdk);
    expect(pinnedEngineVersion()).toBe(sdk);
  });

  test("the engine README names that version as the pin and as the development @pulumi/pulumi", () => {
    expect(engineReadme).toContain(`## The pin: v${sdk}, the same version as the development @pulumi/pulumi`);
    expect(engineReadme).toContain(`\`github.com/pulumi/pulumi/pkg/v3\` v${sdk}`);
    expect(engineReadme).toContain(`the development \`@pulumi/pulumi\` is ${sdk}`);
    const peer = pkg.peerDependencies["@pulumi/pulumi"]!;
    expect(engineReadme).toContain(`peer range is \`@pulumi/pulumi ${peer}\``);
    expect(engineReadme).toContain(`with\n${peer.replace(/^\^/, "")} and with ${sdk}`);
  });

  test("the README names the same pin", () => {
    expect(readme).toContain(`pinned in \`tools/pulumi-engine\` to v${sdk} (the version of \`@pulumi/pulumi\` the tests use)`);
  });

  test("lab notes live in docs/engine-notes.md, not in the engine README", () => {
    expect(engineReadme).not.toMatch(/^## (Proof|Answers)/m);
    expect(notes).toMatch(/^## Proof/m);
    expect(notes).toMatch(/^## Answers/m);
    expect(engineReadme).toContain("docs/engine-notes.md");
  });
});
