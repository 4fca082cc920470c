/**
 * Key lifecycle through the real engine: a generated ClientKey whose private forms are secret outputs (never
 * on disk in plaintext) and each get a token; its rotation once the simulator's clock is 340 days on (preview
 * shows one replacement; up registers the successor before the old key goes, and a token works at every
 * moment observed during the up); and a RotatingClientKey across runs through a grace period.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Jwk } from "../../provider/api/wire";
import { clearTokenCache, getToken } from "../../sdk/tokens";
import { OPEN_CATALOGUE_SCOPE } from "../../simulator";
import {
  changesOf,
  copyExample,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  makeProject,
  previewSteps,
  privateJwkParts,
  removeProject,
  secretsIn,
  stackFor,
  storedState,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

const DAY = 24 * 3600;

const CLIENT_KEY_PROGRAM = `
import * as maskinporten from "pulumi-maskinporten";
const client = new maskinporten.Client("client", { clientName: "key-rotation-e2e", scopes: ["${OPEN_CATALOGUE_SCOPE}"], profile: "consumer" });
const key = new maskinporten.ClientKey("key", {
  clientId: client.clientId,
  generate: { algorithm: "RS256", modulusLength: 2048 },
  kidConvention: { name: "rotation", environment: "test" },
  rotateBeforeExpiryDays: 30,
  verify: { scope: "${OPEN_CATALOGUE_SCOPE}", timeoutSeconds: 60 },
  profile: "consumer",
});
export const clientId = client.clientId;
export const kid = key.kid;
export const expiresAt = key.expiresAt;
export const privateKeyJwk = key.privateKeyJwk;
export const privateKeyBase64 = key.privateKeyBase64;
export const privateKeyPem = key.privateKeyPem;
`;

const ROTATING_PROGRAM = `
import * as maskinporten from "pulumi-maskinporten";
const client = new maskinporten.Client("client", { clientName: "rotating-e2e", scopes: ["${OPEN_CATALOGUE_SCOPE}"], profile: "consumer" });
const key = new maskinporten.RotatingClientKey("key", {
  clientId: client.clientId,
  generate: { modulusLength: 2048 },
  rotateAfterDays: 30,
  gracePeriodDays: 7,
  profile: "consumer",
});
export const clientId = client.clientId;
export const kid = key.kid;
export const previousKid = key.previousKid;
export const current = key.current;
export const previous = key.previous;
`;

interface Outputs {
  [name: string]: { value: unknown; secret: boolean };
}

describeEngine("key rotation through the engine", () => {
  const sim = useEngineSimulator();
  const consumer = () => sim().orgs[1]!;
  const portal = () => sim().control.portal(consumer().orgno);

  async function kidsOf(clientId: string): Promise<string[]> {
    const response = await portal().request<{ keys: Jwk[] }>("GET", `/clients/${clientId}/jwks`);
    return response.status === 404 ? [] : response.body.keys.map((k) => k.kid!).sort();
  }

  /** A fresh token (nothing cached) for the client with a private key form. */
  async function tokenWith(clientId: string, key: string, kid?: string) {
    await clearTokenCache();
    return getToken({ issuer: sim().issuer, clientId, key, ...(kid !== undefined && { kid }), scopes: OPEN_CATALOGUE_SCOPE });
  }

  afterAll(async () => {
    await clearTokenCache();
  });

  describe("a generated ClientKey", () => {
    let engine: EngineStack;
    let dir: string;
    let first: Outputs;
    let second: Outputs;
    const secrets: string[] = [];

    beforeAll(async () => {
      await sim().control.setClockOffset(0);
      dir = makeProject("key-rotation", { "index.ts": CLIENT_KEY_PROGRAM });
      engine = await stackFor(dir, sim(), { consumer: consumer().orgno });
    }, ENGINE_TIMEOUT_MS);
    afterAll(() => removeProject(dir));

    it(
      "up: the private key is a secret output in three forms, each gets a token; preview and refresh find nothing to change",
      async () => {
        const up = await engine.up();
        expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 3 });
        first = up.outputs;
        const clientId = first["clientId"]!.value as string;
        const kid = first["kid"]!.value as string;
        expect(kid).toMatch(conventionKid("rotation-TEST", new Date()));
        expect(await kidsOf(clientId)).toEqual([kid]);
        for (const form of ["privateKeyJwk", "privateKeyBase64", "privateKeyPem"]) {
          expect({ form, secret: first[form]!.secret }).toEqual({ form, secret: true });
          await expect(
            tokenWith(clientId, first[form]!.value as string, form === "privateKeyPem" ? kid : undefined),
          ).resolves.toMatchObject({ kid });
        }
        secrets.push(...privateJwkParts(first["privateKeyJwk"]!.value as string), first["privateKeyBase64"]!.value as string);

        await engine.preview({ expectNoChanges: true });
        await engine.refresh({ expectNoChanges: true });
        await engine.preview({ expectNoChanges: true });
      },
      ENGINE_TIMEOUT_MS,
    );

    it(
      "340 days on (Maskinporten's clock): preview shows exactly one replacement, of the key",
      async () => {
        await sim().control.setClockOffset(340 * DAY);
        const preview = await engine.preview({ diff: true });
        expect(preview.changeSummary).toEqual({ same: 2, replace: 1 });
        expect(previewSteps(preview.stdout).map((step) => step.split(" (")[0])).toEqual(["replace ClientKey::key"]);
        // The expiry warning reads the same clock: the key that is due expires within 30 days by it.
        expect(preview.stdout + preview.stderr).toMatch(
          new RegExp(`key "${first["kid"]!.value as string}" of client \\S+ expires in 2[45] days`),
        );
      },
      ENGINE_TIMEOUT_MS,
    );

    it(
      "up registers and verifies the successor before the old key goes; a token works at every moment observed",
      async () => {
        const clientId = first["clientId"]!.value as string;
        const oldKid = first["kid"]!.value as string;
        const since = await sim().control.lastSeq();
        const watch = watchTokens(clientId, oldKid, first["privateKeyJwk"]!.value as string);
        let up;
        try {
          up = await engine.up();
        } finally {
          watch.stop();
        }
        const seen = await watch.observations;
        expect(changesOf(up.summary.resourceChanges)).toEqual({ replace: 1 });
        second = up.outputs;
        const newKid = second["kid"]!.value as string;
        expect(newKid).toMatch(conventionKid("rotation-TEST", new Date(Date.now() + 340 * DAY * 1000)));
        expect(await kidsOf(clientId)).toEqual([newKid]);
        await expect(tokenWith(clientId, second["privateKeyJwk"]!.value as string)).resolves.toMatchObject({ kid: newKid });

        // Two key writes took effect: the successor added, then the old key removed. With single-key operations
        // that is PUT then DELETE of /jwks/{kid}; through the whole set, two POSTs (both keys, then the successor
        // alone). Removing the old key first would have shown as a DELETE first (of the key, or of the one-key set).
        const writes = (await sim().control.requestLog({ since, kind: "api" })).filter(
          (e) => e.path.startsWith(`/api/v1/clients/${clientId}/jwks`) && e.method !== "GET" && e.status >= 200 && e.status < 300,
        );
        expect(writes.map((e) => e.method)).toEqual(
          sim().switches.singleKeyEndpoints === "available" ? ["PUT", "DELETE"] : ["POST", "POST"],
        );

        expect(seen.filter((s) => s.startsWith("FAILED"))).toEqual([]);
        expect(seen).toContain("old key works");
        // Once the old key was gone, the successor was there already.
        expect(seen.filter((s) => s.startsWith("old key gone")).every((s) => s === `old key gone; registered: ${newKid}`)).toBe(true);
        secrets.push(...privateJwkParts(second["privateKeyJwk"]!.value as string), second["privateKeyBase64"]!.value as string);

        await engine.preview({ expectNoChanges: true });
      },
      ENGINE_TIMEOUT_MS,
    );

    it(
      "no private key in the stored state or the engine's output; destroy removes the key",
      async () => {
        expect(secrets.length).toBeGreaterThan(10);
        expect(storedState(dir)).toContain("ciphertext");
        expect(secretsIn(storedState(dir), secrets)).toEqual([]);
        expect(secretsIn(engine.transcript.join("\n"), secrets)).toEqual([]);
        await engine.destroy();
        expect(await kidsOf(first["clientId"]!.value as string)).toEqual([]);
      },
      ENGINE_TIMEOUT_MS,
    );

    /**
     * Mints tokens with the old key in a loop while it is registered; once it is not, notes which keys are.
     * A refused token while the old key is still registered is a failure.
     */
    function watchTokens(clientId: string, oldKid: string, oldKey: string) {
      let stopped = false;
      const observations = (async () => {
        const seen: string[] = [];
        while (!stopped) {
          const kids = await kidsOf(clientId);
          if (kids.includes(oldKid)) {
            const works = await tokenWith(clientId, oldKey).then(
              () => true,
              () => false,
            );
            seen.push(
              works
                ? "old key works"
                : (await kidsOf(clientId)).includes(oldKid)
                  ? `FAILED with ${kids.join(", ")} registered`
                  : "old key just removed",
            );
          } else {
            seen.push(`old key gone; registered: ${kids.join(", ")}`);
          }
          await sleep(100);
        }
        return seen;
      })();
      return { observations, stop: () => (stopped = true) };
    }
  });

  describe("a RotatingClientKey across runs", () => {
    let engine: EngineStack;
    let dir: string;
    const secrets: string[] = [];

    beforeAll(async () => {
      await sim().control.setClockOffset(0);
      dir = makeProject("rotating-key", { "index.ts": ROTATING_PROGRAM });
      engine = await stackFor(dir, sim(), { consumer: consumer().orgno });
    }, ENGINE_TIMEOUT_MS);
    afterAll(() => removeProject(dir));

    interface RotatedKey {
      kid: string;
      privateKeyJwk: string;
    }

    async function keep(outputs: Outputs): Promise<{ clientId: string; current: RotatedKey; previous?: RotatedKey }> {
      const current = outputs["current"]!.value as RotatedKey;
      const previous = outputs["previous"]?.value as RotatedKey | undefined;
      expect(outputs["current"]!.secret).toBe(true);
      secrets.push(...privateJwkParts(current.privateKeyJwk));
      return { clientId: outputs["clientId"]!.value as string, current, ...(previous && { previous }) };
    }

    it(
      "keeps the previous key through the grace period after a rotation, then only the new one",
      async () => {
        const created = await keep((await engine.up()).outputs);
        expect(await kidsOf(created.clientId)).toEqual([created.current.kid]);
        await engine.preview({ expectNoChanges: true });

        await sim().control.setClockOffset(31 * DAY);
        const preview = await engine.preview({ diff: true });
        expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
        const rotated = await keep((await engine.up()).outputs);
        expect(rotated.current.kid).not.toBe(created.current.kid);
        expect(rotated.previous?.kid).toBe(created.current.kid);
        expect(await kidsOf(created.clientId)).toEqual([created.current.kid, rotated.current.kid].sort());
        await expect(tokenWith(created.clientId, created.current.privateKeyJwk)).resolves.toMatchObject({ kid: created.current.kid });
        await expect(tokenWith(created.clientId, rotated.current.privateKeyJwk)).resolves.toMatchObject({ kid: rotated.current.kid });

        await sim().control.setClockOffset(37 * DAY);
        await engine.preview({ expectNoChanges: true });

        await sim().control.setClockOffset(39 * DAY);
        const retired = await keep((await engine.up()).outputs);
        expect(retired.current.kid).toBe(rotated.current.kid);
        expect(retired.previous).toBeUndefined();
        expect(await kidsOf(created.clientId)).toEqual([rotated.current.kid]);
        await engine.preview({ expectNoChanges: true });

        expect(secretsIn(storedState(dir), secrets)).toEqual([]);
        expect(secretsIn(engine.transcript.join("\n"), secrets)).toEqual([]);
        await engine.destroy();
        expect(await kidsOf(created.clientId)).toEqual([]);
      },
      ENGINE_TIMEOUT_MS,
    );
  });

  describe("examples/key-rotation", () => {
    let engine: EngineStack;
    let dir: string;

    beforeAll(async () => {
      await sim().control.setClockOffset(0);
      dir = copyExample("key-rotation");
      engine = await stackFor(dir, sim(), { consumer: consumer().orgno }, { config: { "key-rotation:clientName": "example-rotation" } });
    }, ENGINE_TIMEOUT_MS);
    afterAll(() => removeProject(dir));

    it(
      "up; 91 days on, up rotates with the old key kept as previous; the vault's secret gets a token each time",
      async () => {
        const first = (await engine.up()).outputs;
        const clientId = first["clientId"]!.value as string;
        expect(first["privateKeyBase64"]!.secret).toBe(true);
        expect(first["kid"]!.value).toMatch(conventionKid("example-rotation-TEST", new Date()));
        await expect(tokenWith(clientId, first["privateKeyBase64"]!.value as string)).resolves.toMatchObject({ kid: first["kid"]!.value });
        await engine.preview({ expectNoChanges: true });

        await sim().control.setClockOffset(91 * DAY);
        const second = (await engine.up()).outputs;
        expect(second["previousKid"]!.value).toBe(first["kid"]!.value);
        expect(await kidsOf(clientId)).toEqual([first["kid"]!.value, second["kid"]!.value].sort());
        await expect(tokenWith(clientId, second["privateKeyBase64"]!.value as string)).resolves.toMatchObject({
          kid: second["kid"]!.value,
        });
        await engine.preview({ expectNoChanges: true });

        const secrets = [first, second].flatMap((o) => privateJwkParts(o["privateKeyJwk"]!.value as string));
        expect(secretsIn(storedState(dir), secrets)).toEqual([]);
        expect(secretsIn(engine.transcript.join("\n"), secrets)).toEqual([]);
        await engine.destroy();
      },
      ENGINE_TIMEOUT_MS,
    );
  });

  describe("expiry in plain sight", () => {
    let engine: EngineStack;
    let dir: string;
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 10 * DAY * 1000 + 3_600_000).toISOString();

    beforeAll(async () => {
      await sim().control.setClockOffset(0);
      const program = `
import * as maskinporten from "pulumi-maskinporten";
const client = new maskinporten.Client("client", { clientName: "expiry-e2e", scopes: ["${OPEN_CATALOGUE_SCOPE}"], profile: "consumer" });
const key = new maskinporten.ClientKey("short-lived", { clientId: client.clientId, generate: { modulusLength: 2048 }, expiresAt: "${expiresAt}", profile: "consumer" });
export const clientId = client.clientId;
export const kid = key.kid;
`;
      dir = makeProject("key-expiry", { "index.ts": program });
      engine = await stackFor(dir, sim(), { consumer: consumer().orgno });
    }, ENGINE_TIMEOUT_MS);
    afterAll(() => removeProject(dir));

    const warningOf = (stdout: string) => /key "[^"]+" of client \S+ expires in \d+ days? \(on [\d-]+\): rotate it/.exec(stdout)?.[0];

    it(
      "up and preview warn about a key expiring within 30 days; the threshold is stack config; refresh sees an expiry changed in the portal",
      async () => {
        const up = await engine.up();
        const clientId = up.outputs["clientId"]!.value as string;
        const kid = up.outputs["kid"]!.value as string;
        expect(warningOf(up.stdout)).toBe(
          `key "${kid}" of client ${clientId} expires in 10 days (on ${expiresAt.slice(0, 10)}): rotate it`,
        );
        const preview = await engine.preview({ expectNoChanges: true });
        expect(warningOf(preview.stdout)).toContain("expires in 10 days");

        await engine.stack.setConfig("maskinporten:keyExpiryWarningDays", { value: "7" });
        expect(warningOf((await engine.preview({ expectNoChanges: true })).stdout)).toBeUndefined();

        const [registered] = (await portal().request<{ keys: Jwk[] }>("GET", `/clients/${clientId}/jwks`)).body.keys;
        const sooner = Math.floor(Date.now() / 1000) + 3 * DAY + 3600;
        await portal().putKey(clientId, { ...registered!, kid, exp: sooner });
        await engine.refresh();
        const state = await engine.stack.exportStack();
        const resource = (state.deployment.resources as { urn: string; outputs: Record<string, unknown> }[]).find((r) =>
          r.urn.endsWith("::short-lived"),
        )!;
        expect(resource.outputs["expiresAt"]).toBe(new Date(sooner * 1000).toISOString());
        // The program sets the expiry, so the next up puts it back.
        const drift = await engine.preview({ diff: true });
        expect(previewSteps(drift.stdout)).toEqual(["update ClientKey::short-lived (expiresAt)"]);
        await engine.up();
        expect((await portal().request<{ keys: Jwk[] }>("GET", `/clients/${clientId}/jwks`)).body.keys[0]!.exp).toBe(
          Date.parse(expiresAt) / 1000,
        );
        await engine.destroy();
      },
      ENGINE_TIMEOUT_MS,
    );
  });

  describe("a verified rotation whose new key never works", () => {
    let engine: EngineStack;
    let dir: string;

    beforeAll(async () => {
      await sim().control.setClockOffset(0);
      const program = `
import * as maskinporten from "pulumi-maskinporten";
const client = new maskinporten.Client("client", { clientName: "verify-e2e", scopes: ["${OPEN_CATALOGUE_SCOPE}"], profile: "consumer" });
const key = new maskinporten.ClientKey("key", {
  clientId: client.clientId,
  generate: { modulusLength: 2048 },
  rotateAfterDays: 30,
  verify: { scope: "${OPEN_CATALOGUE_SCOPE}", timeoutSeconds: 3 },
  profile: "consumer",
});
export const clientId = client.clientId;
export const kid = key.kid;
export const privateKeyJwk = key.privateKeyJwk;
`;
      dir = makeProject("key-verify", { "index.ts": program });
      engine = await stackFor(dir, sim(), { consumer: consumer().orgno });
    }, ENGINE_TIMEOUT_MS);
    afterAll(async () => {
      await sim().control.setPropagationDelay(0);
      removeProject(dir);
    });

    it(
      "up fails saying the old key was kept; the old key stays registered, in the state, and gets tokens; a later up rotates",
      async () => {
        const first = (await engine.up()).outputs;
        const clientId = first["clientId"]!.value as string;
        const oldKid = first["kid"]!.value as string;

        await sim().control.setClockOffset(31 * DAY);
        await sim().control.setPropagationDelay(3_600_000);
        const failed = await engine.up().then(
          () => undefined,
          (err: unknown) => err as Error,
        );
        expect(failed?.message).toMatch(
          /got no Maskinporten token for scope "difitest:open" in \d+ s .*It was removed again; the key it was to replace \(if any\) is kept: nothing changed/s,
        );
        expect(await kidsOf(clientId)).toEqual([oldKid]);
        expect((await engine.stack.outputs())["kid"]!.value).toBe(oldKid);
        await expect(tokenWith(clientId, first["privateKeyJwk"]!.value as string)).resolves.toMatchObject({ kid: oldKid });
        expect((await engine.preview({ diff: true })).changeSummary).toEqual({ same: 2, replace: 1 });

        await sim().control.setPropagationDelay(0);
        const rotated = (await engine.up()).outputs;
        expect(rotated["kid"]!.value).not.toBe(oldKid);
        expect(await kidsOf(clientId)).toEqual([rotated["kid"]!.value]);
        await engine.destroy();
      },
      ENGINE_TIMEOUT_MS,
    );
  });
});

/** A generated kid by the convention for `date`, with the resource's marker (`.pm-` and 12 hex digits). */
function conventionKid(prefix: string, date: Date): RegExp {
  return new RegExp(`^${prefix}\\.${date.toISOString().slice(0, 10)}\\.pm-[0-9a-f]{12}$`);
}
