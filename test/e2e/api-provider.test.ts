/**
 * examples/api-provider through the real engine: an API owner's scopes, granted to the consumers listed in stack
 * config. The owner authenticates with a business certificate (PKCS#12 and its password as secret config), as
 * API owners often do. One stack is shared by the steps, in order.
 */
import type { ScopeAccess } from "../../provider/api/wire";
import {
  changesOf,
  copyExample,
  describeEngine,
  ENGINE_TIMEOUT_MS,
  previewSteps,
  privateJwkParts,
  removeProject,
  secretsIn,
  setConfig,
  stackConfigFiles,
  stackFor,
  storedState,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

const SCOPES = ["instances.read", "instances.write", "events.read"];
const THIRD_CONSUMER = { orgno: "314000005", name: "Eksempel Tredje AS" };

describeEngine("examples/api-provider", () => {
  const sim = useEngineSimulator();
  const owner = () => sim().orgs[0]!;
  const portal = () => sim().control.portal(owner().orgno);
  const [consumer, supplier] = ["312000008", "313000001"];
  let prefix: string;
  let scopeName: (subscope: string) => string;
  let certificate: { p12Base64: string; password: string; privateKeyPem: string };
  let engine: EngineStack;
  let dir: string;

  /** The grants of the example's scopes in force (APPROVED), as `<subscope> <orgno>`, sorted. */
  async function grantsInForce(): Promise<string[]> {
    const all: ScopeAccess[] = [];
    for (const subscope of SCOPES) all.push(...(await portal().grantsGiven({ scope: scopeName(subscope) })));
    return all
      .filter((g) => g.state === "APPROVED")
      .map((g) => `${g.scope.split(":")[1]} ${g.consumer_orgno}`)
      .sort();
  }

  async function activeScopes(): Promise<string[]> {
    return (await portal().listScopes(false))
      .filter((s) => s.prefix === prefix && s.active)
      .map((s) => s.name)
      .sort();
  }

  beforeAll(async () => {
    prefix = owner().prefixes[0]!;
    scopeName = (subscope) => `${prefix}:${subscope}`;
    await sim().control.addOrganisation(THIRD_CONSUMER);
    // An admin client without keys, authenticated by the organisation's business certificate, with the scope
    // administration scopes the organisation holds: both by default, only scopes.write where it has no
    // scopes.read (NAV's admin client; the simulator's ownerAdminScopes: no-scopes-read).
    const scopeAdminScopes = owner().adminScopes.filter((s) => s.startsWith("idporten:scopes."));
    expect(scopeAdminScopes).toContain("idporten:scopes.write");
    const admin = await portal().createClient({
      client_name: "api-provider-admin",
      integration_type: "maskinporten",
      scopes: scopeAdminScopes,
    });
    certificate = await sim().control.issueCertificate(owner().orgno, { password: "example-p12-password" });
    dir = copyExample("api-provider");
    engine = await stackFor(
      dir,
      sim(),
      {},
      {
        defaultCredential: { clientId: admin.client_id, p12: certificate.p12Base64, p12Password: certificate.password },
        config: {
          // The admin client has only the scope administration scopes, so it asks for just those.
          "maskinporten:adminScopes": scopeAdminScopes.join(" "),
          "api-provider:prefix": prefix,
          "api-provider:access": { "instances.read": [consumer, supplier], "instances.write": [consumer] },
        },
      },
    );
  }, ENGINE_TIMEOUT_MS);

  afterAll(() => removeProject(dir));

  it(
    "up creates the scopes and the grants; preview and refresh then find nothing to change",
    async () => {
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 7 }); // the stack, 3 scopes, 3 grants
      expect(await activeScopes()).toEqual(SCOPES.map(scopeName).sort());
      expect((await portal().getScope(scopeName("instances.read"))).visibility).toBe("PRIVATE");
      expect(await grantsInForce()).toEqual([`instances.read ${consumer}`, `instances.read ${supplier}`, `instances.write ${consumer}`]);
      expect(up.outputs["grantsInForce"]!.value).toEqual({
        [`${scopeName("instances.read")}/${consumer}`]: "Eksempel Konsument AS",
        [`${scopeName("instances.read")}/${supplier}`]: "Eksempel Leverandør AS",
        [`${scopeName("instances.write")}/${consumer}`]: "Eksempel Konsument AS",
      });

      expect((await engine.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 7 });
      await engine.refresh({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a config change adds one consumer and removes another: preview --diff shows those two grants only, up applies them",
    async () => {
      await setConfig(engine.stack, {
        "api-provider:access": { "instances.read": [consumer, THIRD_CONSUMER.orgno], "instances.write": [consumer] },
      });
      const preview = await engine.preview({ diff: true });
      expect(preview.changeSummary).toEqual({ same: 6, create: 1, delete: 1 });
      expect(previewSteps(preview.stdout)).toEqual([
        `create ScopeGrant::instances.read-${THIRD_CONSUMER.orgno}`,
        `delete ScopeGrant::instances.read-${supplier}`,
      ]);

      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 1, delete: 1 });
      expect(await grantsInForce()).toEqual([
        `instances.read ${consumer}`,
        `instances.read ${THIRD_CONSUMER.orgno}`,
        `instances.write ${consumer}`,
      ]);
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "drift: a scope deactivated and a grant revoked in the portal are reported by refresh and repaired by up",
    async () => {
      await portal().deactivateScope(scopeName("events.read"));
      await portal().revokeAccess(scopeName("instances.write"), consumer);

      const refresh = await engine.refresh();
      expect(changesOf(refresh.summary.resourceChanges)).toEqual({ delete: 2 });
      const preview = await engine.preview({ diff: true });
      expect(preview.changeSummary).toEqual({ same: 5, create: 2 });
      expect(previewSteps(preview.stdout)).toEqual([`create Scope::events.read`, `create ScopeGrant::instances.write-${consumer}`]);

      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 2 });
      expect(await activeScopes()).toEqual(SCOPES.map(scopeName).sort());
      expect(await grantsInForce()).toEqual([
        `instances.read ${consumer}`,
        `instances.read ${THIRD_CONSUMER.orgno}`,
        `instances.write ${consumer}`,
      ]);
      await engine.preview({ expectNoChanges: true });
      await engine.refresh({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "destroy leaves no active scope and no grant in force",
    async () => {
      const destroy = await engine.destroy();
      expect(changesOf(destroy.summary.resourceChanges)).toEqual({ delete: 7 }); // the stack too
      expect(await activeScopes()).toEqual([]);
      expect(await grantsInForce()).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );

  it("no certificate, password, admin key or token in the stored state, the stack config or the engine's output", () => {
    const secrets = [
      certificate.p12Base64,
      certificate.password,
      certificate.privateKeyPem.replace(/-----[A-Z ]+-----|\s/g, ""),
      ...sim().orgs.flatMap((o) => privateJwkParts(o.adminKey)),
    ];
    expect(secretsIn(`{"p12":"${certificate.p12Base64}"}`, secrets)).not.toEqual([]); // the scan finds what it looks for
    expect(secretsIn(storedState(dir), secrets)).toEqual([]);
    expect(secretsIn(stackConfigFiles(dir), secrets)).toEqual([]);
    expect(secretsIn(engine.transcript.join("\n"), secrets)).toEqual([]);
  });
});
