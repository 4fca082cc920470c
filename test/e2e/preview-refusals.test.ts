/**
 * `pulumi preview` refuses, through the real engine and with zero writes at the simulator, what `up` would
 * refuse: a garbled admin key, an unknown admin client, a client for another organisation without
 * `idporten:dcr.supplier`, a Scope under a prefix the organisation does not own, a scope on a client that its
 * owner has not granted, a sixth key on a client. Each failure names the property (or the config key) and the
 * fix. Without any credential the preview works offline and says once what it could not check, and `up` fails
 * with the clear error it always gave.
 */
import { randomUUID } from "node:crypto";
import { stripVTControlCharacters } from "node:util";
import {
  copyExample,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  makeProject,
  removeProject,
  setConfig,
  stackFor,
  useEngineSimulator,
  type EngineStack,
} from "./harness";
import { rsaKeyPair } from "../simulator/helpers";
import { CONSUMER_WITH_SCOPE_ADMIN } from "../helpers/simulator-variant";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("refuse");
const kind = config.require("case");
if (kind === "client") {
  const clientOrgno = config.get("clientOrgno");
  new maskinporten.Client("client", { clientName: "refused", scopes: config.require("scopes").split(" "), ...(clientOrgno && { clientOrgno }) });
}
if (kind === "scope") new maskinporten.Scope("scope", { prefix: config.require("prefix"), subscope: "refused.read", description: "Refused" });
if (kind === "key") new maskinporten.ClientKey("key", { clientId: config.require("clientId"), generate: { modulusLength: 2048 } });
`;

describeEngine("preview refuses what up would refuse, writing nothing", () => {
  // The ungranted-scope refusal needs the consumer's grants received (scopes.read), whatever the run's variant.
  const sim = useEngineSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN });
  const owner = () => sim().orgs[0]!;
  const consumer = () => sim().orgs[1]!;
  let dir: string;
  let engine: EngineStack;

  beforeAll(async () => {
    dir = makeProject("preview-refusals", { "index.ts": PROGRAM });
    engine = await stackFor(dir, sim(), {}, { config: { "refuse:case": "client", "refuse:scopes": "difitest:open" } });
  }, ENGINE_TIMEOUT_MS);
  afterAll(() => {
    if (dir) removeProject(dir);
  });

  /** Sets the default credential: an organisation's admin client, or explicit (broken) settings. */
  async function credential(setting: string | { clientId: string; privateKey: string } | undefined): Promise<void> {
    if (setting === undefined) {
      await setConfig(engine.stack, { "maskinporten:clientId": undefined, "maskinporten:privateKey": undefined });
      return;
    }
    const org = typeof setting === "string" ? sim().orgs.find((o) => o.orgno === setting)! : undefined;
    const { clientId, privateKey } = org
      ? { clientId: org.adminClientId, privateKey: JSON.stringify(org.adminKey) }
      : (setting as { clientId: string; privateKey: string });
    await engine.stack.setConfig("maskinporten:clientId", { value: clientId });
    await engine.stack.setConfig("maskinporten:privateKey", { value: privateKey, secret: true });
  }

  /** Runs a preview that must fail; its output, and what it cost at the simulator. */
  async function refusedPreview(): Promise<{ text: string; writes: number; nonGets: string[] }> {
    const since = await sim().control.lastSeq();
    const before = await sim().control.counters();
    const outcome = await engine.preview().then(
      (ok) => ({ failed: false, text: `${ok.stdout}\n${ok.stderr}` }),
      (err: unknown) => ({ failed: true, text: err instanceof Error ? err.message : String(err) }),
    );
    const after = await sim().control.counters();
    const api = await sim().control.requestLog({ since, kind: "api" });
    if (!outcome.failed) throw new Error(`the preview passed, but should have been refused:\n${outcome.text}`);
    return {
      text: stripVTControlCharacters(outcome.text),
      writes: after.apiWrites - before.apiWrites,
      nonGets: api.filter((e) => e.method !== "GET").map((e) => `${e.method} ${e.route}`),
    };
  }

  async function expectRefused(expected: RegExp): Promise<void> {
    const { text, writes, nonGets } = await refusedPreview();
    expect(text).toMatch(expected);
    expect({ writes, nonGets }).toEqual({ writes: 0, nonGets: [] });
  }

  it(
    "a garbled admin key: the config key and the fix",
    async () => {
      await credential({ clientId: consumer().adminClientId, privateKey: "{garbled" });
      await setConfig(engine.stack, { "refuse:case": "client", "refuse:scopes": "difitest:open" });
      await expectRefused(/Client resource 'client' has a problem: maskinporten:privateKey: /);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "an admin client Maskinporten does not know: the config key and the fix",
    async () => {
      await credential({ clientId: "oidc_nobody_api", privateKey: JSON.stringify(consumer().adminKey) });
      await expectRefused(
        /maskinporten:clientId .*cannot get a token from Maskinporten: .*invalid_client.*pulumi config set --secret maskinporten:privateKey/s,
      );
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a client for another organisation without idporten:dcr.supplier: names clientOrgno",
    async () => {
      await credential(consumer().orgno);
      await setConfig(engine.stack, { "refuse:clientOrgno": owner().orgno });
      await expectRefused(/Client resource 'client' has a problem: clientOrgno: .*needs the admin scope idporten:dcr\.supplier/);
      await setConfig(engine.stack, { "refuse:clientOrgno": undefined });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a Scope under a prefix the organisation does not own: names prefix and the organisation's prefixes",
    async () => {
      await credential(owner().orgno);
      await setConfig(engine.stack, { "refuse:case": "scope", "refuse:prefix": "annen" });
      await expectRefused(
        /Scope resource 'scope' has a problem: prefix: "annen" is not a scope prefix of the credential's organisation \(311000004\) \(its prefixes are eksempel\)/,
      );
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a scope on a client that its owner has not granted: names scopes[i], the owner and the fix",
    async () => {
      const scope = await sim()
        .control.portal(owner().orgno)
        .createScope({
          prefix: "eksempel",
          subscope: `refusal.${randomUUID().slice(0, 8)}`,
          description: "Public, granted on request",
          visibility: "PUBLIC",
        });
      await credential(consumer().orgno);
      await setConfig(engine.stack, { "refuse:case": "client", "refuse:scopes": `difitest:open ${scope.name}` });
      await expectRefused(
        new RegExp(
          `scopes\\[1\\]: scope "${scope.name}" belongs to organisation ${owner().orgno}, which has not granted your organisation`,
        ),
      );
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a sixth key on a client: names clientId and the client's kids",
    async () => {
      const portal = sim().control.portal(consumer().orgno);
      const client = await portal.createClient({ client_name: "five-keys", integration_type: "maskinporten", scopes: ["difitest:open"] });
      const kids = ["k1", "k2", "k3", "k4", "k5"];
      for (const kid of kids) await portal.putKey(client.client_id, rsaKeyPair(kid).publicJwk);
      await credential(consumer().orgno);
      await setConfig(engine.stack, { "refuse:case": "key", "refuse:clientId": client.client_id });
      await expectRefused(
        new RegExp(
          `ClientKey resource 'key' has a problem: clientId: client ${client.client_id} has 5 keys \\(${kids.join(", ")}\\).*at most 5`,
        ),
      );
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "no credential at all: preview works offline and says once what it could not check; up fails with the clear error",
    async () => {
      await credential(undefined);
      await setConfig(engine.stack, { "refuse:case": "client", "refuse:scopes": "difitest:open" });
      const before = await sim().control.counters();
      const preview = await engine.preview();
      // Once among the run's diagnostics (the engine also prints each warning as it comes).
      const output = stripVTControlCharacters(preview.stdout);
      const diagnostics = output.slice(output.indexOf("Diagnostics:"));
      expect(diagnostics.match(/no Maskinporten credential is configured, so this preview could not check/g) ?? []).toHaveLength(1);
      expect(diagnostics).toContain("nor the 5-key limit");
      const up = await engine.up().then(
        () => "passed",
        (err: unknown) => stripVTControlCharacters(err instanceof Error ? err.message : String(err)),
      );
      expect(up).toMatch(/no Maskinporten credential is configured: set maskinporten:clientId/);
      const after = await sim().control.counters();
      expect(after.apiWrites - before.apiWrites).toBe(0);
      expect(after.apiReads - before.apiReads).toBe(0);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "what the checks cost: a create preview of the quickstart reads a handful, a no-op preview reads nothing more",
    async () => {
      const quickstart = copyExample("quickstart");
      try {
        const qs = await stackFor(
          quickstart,
          sim(),
          { owner: owner().orgno, consumer: consumer().orgno },
          {
            stackName: "dev",
            config: { "quickstart:prefix": owner().prefixes[0]!, "quickstart:consumerOrgno": consumer().orgno },
          },
        );
        const measure = async (run: () => Promise<unknown>) => {
          const since = await sim().control.lastSeq();
          const before = await sim().control.counters();
          await run();
          const after = await sim().control.counters();
          const api = (await sim().control.requestLog({ since, kind: "api" })).map((e) => `${e.method} ${e.route}`).sort();
          return {
            api,
            tokens: after.token - before.token,
            metadata: after.metadata - before.metadata,
            writes: after.apiWrites - before.apiWrites,
          };
        };
        const create = await measure(() => qs.preview());
        await qs.up();
        const noop = await measure(() => qs.preview({ expectNoChanges: true }));
        process.stdout.write(`preview costs of the quickstart: ${JSON.stringify({ create, noop })}\n`);
        // The create preview: the owner's prefix list (for the Scope and the grant) and the consumer's scope
        // catalogue (for the client's scope, known in preview: it is the grant's input), and four tokens: the owner's
        // scopes.write (the operation) and scopes.read (the read), the consumer's dcr.write and dcr.read. The
        // client's scope is not in the catalogue yet, so it is not refused; the key's client is not known yet.
        expect(create).toEqual({
          api: ["GET /api/v1/prefix", "GET /api/v1/scopes/all"],
          tokens: 4,
          metadata: expect.any(Number),
          writes: 0,
        });
        // A no-op preview runs no check and looks nothing up (nothing changed): no API request and no token; only
        // Maskinporten's public metadata, the clock expiry warnings and rotation share.
        expect(noop).toEqual({ api: [], tokens: 0, metadata: expect.any(Number), writes: 0 });
      } finally {
        removeProject(quickstart);
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
