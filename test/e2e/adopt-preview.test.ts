/**
 * Adoption previews as what it is, through the real engine: a program that adopts a portal-made client and
 * scope which differ from it shows, in `preview --diff` and before anything is written, exactly the fields
 * `up` will change on them (old → new), in the create step (`adoptionChanges`) and as a warning; a program
 * that matches them shows nothing; `up` then changes exactly what the preview said.
 */
import { stripVTControlCharacters } from "node:util";
import {
  describeEngine,
  editProjectFile,
  ENGINE_TIMEOUT_MS,
  makeProject,
  removeProject,
  stackFor,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("adopt");
const prefix = config.require("prefix");
new maskinporten.Scope("kept", {
  prefix,
  subscope: "adopt.kept",
  description: "Kept records",
  adopt: true,
});
new maskinporten.Client("legacy", {
  adoptClientId: config.require("legacyClientId"),
  clientName: "legacy-integration",
  scopes: [prefix + ":adopt.kept"],
  accessTokenLifetime: 3600,
});
`;

/** The `adoptionChanges` lines printed under the create of the resource named `name`, in order. */
function adoptionChangesOf(stdout: string, name: string): string[] {
  const lines = stdout.split("\n").map((l) => stripVTControlCharacters(l));
  const urn = lines.findIndex((l) => new RegExp(`\\[urn=.*::${name}\\]`).test(l));
  if (urn < 0) throw new Error(`no step for ${name} in the preview:\n${stdout}`);
  const found: string[] = [];
  for (let i = urn + 1; i < lines.length && !/\[urn=/.test(lines[i]!); i++) {
    if (!/^\s*\+?\s*adoptionChanges\s*:/.test(lines[i]!)) continue;
    for (let j = i + 1; j < lines.length && !/^\s*\+?\s*\]/.test(lines[j]!); j++) {
      const item = /\[\d+\]: (".*")\s*$/.exec(lines[j]!);
      if (item) found.push(JSON.parse(item[1]!) as string);
    }
  }
  return found;
}

/** The warnings of a run (stdout and stderr) about what an adoption changes or could not preview. */
function adoptionWarnings(run: { stdout: string; stderr: string }): string[] {
  return `${run.stdout}\n${run.stderr}`
    .split("\n")
    .map((l) => stripVTControlCharacters(l).trim())
    .filter((l) => l.includes("adopting it changes the existing object") || l.includes("could not be previewed"));
}

describeEngine("adoption previews what it changes", () => {
  const sim = useEngineSimulator();
  const owner = () => sim().orgs[0]!;
  const portal = () => sim().control.portal(owner().orgno);
  let prefix: string;
  let kept: string;
  let dropped: string;
  let legacyClientId: string;
  let engine: EngineStack;
  let dir: string;

  async function requestsSince(since: number): Promise<string[]> {
    return (await sim().control.requestLog({ since, kind: "api" })).map((e) => `${e.method} ${e.route}`);
  }

  beforeAll(async () => {
    prefix = owner().prefixes[0]!;
    kept = `${prefix}:adopt.kept`;
    dropped = `${prefix}:adopt.dropped`;
    await portal().createScope({
      prefix,
      subscope: "adopt.kept",
      description: "Kept records, as typed in the portal",
      visibility: "PRIVATE",
    });
    await portal().createScope({ prefix, subscope: "adopt.dropped", description: "Dropped records", visibility: "PRIVATE" });
    const legacy = await portal().createClient({
      client_name: "portal-name",
      integration_type: "maskinporten",
      scopes: [kept, dropped],
      access_token_lifetime: 120,
    });
    legacyClientId = legacy.client_id;
    dir = makeProject("adopt-preview", { "index.ts": PROGRAM });
    engine = await stackFor(
      dir,
      sim(),
      {},
      { defaultCredential: owner().orgno, config: { "adopt:prefix": prefix, "adopt:legacyClientId": legacyClientId } },
    );
  }, ENGINE_TIMEOUT_MS);

  afterAll(() => removeProject(dir));

  it(
    "preview --diff lists exactly the fields that differ, old → new, and writes nothing",
    async () => {
      const since = await sim().control.lastSeq();
      const countersBefore = await sim().control.counters();
      const preview = await engine.preview({ diff: true });
      const countersAfter = await sim().control.counters();
      const expectedClient = [
        `clientName: "portal-name" → "legacy-integration"`,
        `scopes: - "${dropped}"`,
        `accessTokenLifetime: 120 → 3600`,
      ];
      expect(adoptionChangesOf(preview.stdout, "legacy")).toEqual(expectedClient);
      expect(adoptionChangesOf(preview.stdout, "kept")).toEqual([`description: "Kept records, as typed in the portal" → "Kept records"`]);
      const warnings = adoptionWarnings(preview);
      expect(warnings).toHaveLength(2);
      expect(warnings.find((w) => w.includes(legacyClientId))).toContain(expectedClient.join("; "));
      expect(warnings.find((w) => w.includes(kept))).toContain(`description: "Kept records, as typed in the portal" → "Kept records"`);
      // What the preview cost: one shared list read per kind for the credential (the adoptions read the clients
      // and the scopes; the checks of what `up` would refuse read the prefixes and the scope catalogue), and a
      // token for each admin scope asked (dcr.read, scopes.read for the reads; dcr.write, scopes.write for the
      // operations the checks prove the credential may make); no write.
      expect((await requestsSince(since)).sort()).toEqual([
        "GET /api/v1/clients",
        "GET /api/v1/prefix",
        "GET /api/v1/scopes",
        "GET /api/v1/scopes/all",
      ]);
      expect(countersAfter.apiWrites - countersBefore.apiWrites).toBe(0);
      expect(countersAfter.tokenIssued - countersBefore.tokenIssued).toBe(4);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a program that matches the portal previews no adoption changes",
    async () => {
      editProjectFile(dir, "index.ts", `clientName: "legacy-integration"`, `clientName: "portal-name"`);
      editProjectFile(dir, "index.ts", `scopes: [prefix + ":adopt.kept"]`, `scopes: [prefix + ":adopt.kept", prefix + ":adopt.dropped"]`);
      editProjectFile(dir, "index.ts", `accessTokenLifetime: 3600`, `accessTokenLifetime: 120`);
      editProjectFile(dir, "index.ts", `description: "Kept records"`, `description: "Kept records, as typed in the portal"`);
      const since = await sim().control.lastSeq();
      const preview = await engine.preview({ diff: true });
      expect(adoptionChangesOf(preview.stdout, "legacy")).toEqual([]);
      expect(adoptionChangesOf(preview.stdout, "kept")).toEqual([]);
      expect(adoptionWarnings(preview)).toEqual([]);
      expect((await requestsSince(since)).filter((r) => !r.startsWith("GET "))).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "up changes what the preview said and nothing else; the next preview is clean",
    async () => {
      editProjectFile(dir, "index.ts", `clientName: "portal-name"`, `clientName: "legacy-integration"`);
      const preview = await engine.preview({ diff: true });
      expect(adoptionChangesOf(preview.stdout, "legacy")).toEqual([`clientName: "portal-name" → "legacy-integration"`]);
      const since = await sim().control.lastSeq();
      await engine.up();
      expect((await requestsSince(since)).filter((r) => !r.startsWith("GET "))).toEqual(["PUT /api/v1/clients/{client_id}"]);
      const client = await portal().getClient(legacyClientId);
      expect({ name: client.client_name, scopes: [...client.scopes].sort(), lifetime: client.access_token_lifetime }).toEqual({
        name: "legacy-integration",
        scopes: [dropped, kept].sort(),
        lifetime: 120,
      });
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );
});
