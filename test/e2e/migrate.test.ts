/**
 * The README's "Migrating a client made in the portal", through the real engine: a scope, a grant and a client
 * with two keys clicked together in the portal; a program that declares them as they are (`adopt`,
 * `adoptClientId`, one of the two keys with its public key and kid) takes them over on its first `up` without
 * a single write or a duplicate; from then on the program is the truth, and the key it does not declare is left
 * alone.
 */
import { generateAltinnKeyPairs, type AltinnKeyPair } from "../../sdk/keys";
import { clearTokenCache, getToken } from "../../sdk/tokens";
import {
  changesOf,
  describeEngine,
  editProjectFile,
  ENGINE_TIMEOUT_MS,
  makeProject,
  previewSteps,
  removeProject,
  stackFor,
  useEngineSimulator,
  type EngineStack,
} from "./harness";

const CONSUMER = "312000008";
const SUBSCOPE = "legacy.read";

const MIGRATION_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("migrate");
const scope = new maskinporten.Scope("legacy-read", {
  prefix: config.require("prefix"),
  subscope: "${SUBSCOPE}",
  description: "Read legacy records",
  adopt: true,
  profile: "owner",
});
const grant = new maskinporten.ScopeGrant("legacy-read-consumer", { scope: scope.name, consumerOrgno: "${CONSUMER}", profile: "owner" });
const client = new maskinporten.Client("legacy", {
  adoptClientId: config.require("legacyClientId"),
  clientName: "legacy-integration",
  scopes: [grant.scope],
  profile: "consumer",
});
new maskinporten.ClientKey("legacy-key", {
  clientId: client.clientId,
  publicKey: config.require("legacyPublicKey"),
  kid: config.require("legacyKid"),
  profile: "consumer",
});
export const clientId = client.clientId;
`;

describeEngine("migrating portal-made objects", () => {
  const sim = useEngineSimulator();
  const owner = () => sim().orgs[0]!;
  const ownerPortal = () => sim().control.portal(owner().orgno);
  const consumerPortal = () => sim().control.portal(CONSUMER);
  let scopeName: string;
  let legacyClientId: string;
  let kept: AltinnKeyPair;
  let undeclared: AltinnKeyPair;
  let engine: EngineStack;
  let dir: string;

  /** Writes to the self-service API since `since` (the portal's own requests are not counted). */
  async function apiWritesSince(since: number): Promise<string[]> {
    const entries = await sim().control.requestLog({ since, kind: "api" });
    return entries.filter((e) => e.method !== "GET").map((e) => `${e.method} ${e.route}`);
  }

  /** Everything the portal shows of the objects taken over, timestamps included: a write would change them. */
  async function portalObjects(): Promise<unknown> {
    return {
      clients: await consumerPortal().listClients(true),
      keys: await consumerPortal().getKeys(legacyClientId),
      scope: await ownerPortal().getScope(scopeName),
      grants: await ownerPortal().grantsGiven({ scope: scopeName }),
    };
  }

  async function kidsOfLegacy(): Promise<string[]> {
    return (await consumerPortal().getKeys(legacyClientId)).keys.map((k) => k.kid!).sort();
  }

  async function tokenWith(key: AltinnKeyPair): Promise<string> {
    await clearTokenCache();
    const token = await getToken({ issuer: sim().issuer, clientId: legacyClientId, key: key.privateJwkJson, scopes: [scopeName] });
    return token.kid ?? "";
  }

  beforeAll(async () => {
    scopeName = `${owner().prefixes[0]!}:${SUBSCOPE}`;
    await ownerPortal().createScope({
      prefix: owner().prefixes[0]!,
      subscope: SUBSCOPE,
      description: "Read legacy records",
      visibility: "PRIVATE",
    });
    await ownerPortal().grantAccess(scopeName, CONSUMER);
    const legacy = await consumerPortal().createClient({
      client_name: "legacy-integration",
      integration_type: "maskinporten",
      scopes: [scopeName],
    });
    legacyClientId = legacy.client_id;
    [kept, undeclared] = (await generateAltinnKeyPairs("legacy", { modulusLength: 2048 })) as [AltinnKeyPair, AltinnKeyPair];
    await consumerPortal().replaceKeys(legacyClientId, [{ ...kept.publicJwk }, { ...undeclared.publicJwk }]);

    dir = makeProject("migrate", { "index.ts": MIGRATION_PROGRAM });
    engine = await stackFor(
      dir,
      sim(),
      { owner: owner().orgno, consumer: CONSUMER },
      {
        config: {
          "migrate:prefix": owner().prefixes[0]!,
          "migrate:legacyClientId": legacyClientId,
          // The key as the user has it: a PEM public key; the portal holds it as a JWK.
          "migrate:legacyPublicKey": kept.publicKeyPem,
          "migrate:legacyKid": kept.kid,
        },
      },
    );
  }, ENGINE_TIMEOUT_MS);

  afterAll(() => removeProject(dir));

  it(
    "the first up takes over the scope, the grant, the client and its declared key with no write and no duplicate",
    async () => {
      const before = await portalObjects();
      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout)).toEqual([
        "create Client::legacy",
        "create ClientKey::legacy-key",
        "create Scope::legacy-read",
        "create ScopeGrant::legacy-read-consumer",
      ]);

      const since = await sim().control.lastSeq();
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ create: 5 }); // the stack and the four taken over
      expect(up.outputs["clientId"]!.value).toBe(legacyClientId);
      // Granting is an idempotent PUT (the API's only way to ask for a grant); nothing else is written.
      expect(await apiWritesSince(since)).toEqual(["PUT /api/v1/scopes/access/{consumer_orgno}"]);
      expect(await portalObjects()).toEqual(before);
      expect(await kidsOfLegacy()).toEqual([kept.kid, undeclared.kid].sort());
      expect(await tokenWith(kept)).toBe(kept.kid);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "then preview and refresh find nothing to change",
    async () => {
      await engine.preview({ expectNoChanges: true });
      await engine.refresh({ expectNoChanges: true });
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "from then on the program is the truth: a new name updates the same client, its keys untouched",
    async () => {
      editProjectFile(dir, "index.ts", `clientName: "legacy-integration"`, `clientName: "legacy-integration-v2"`);
      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout)).toEqual(["update Client::legacy (clientName)"]);

      const since = await sim().control.lastSeq();
      const up = await engine.up();
      expect(changesOf(up.summary.resourceChanges)).toEqual({ update: 1 });
      expect(await apiWritesSince(since)).toEqual(["PUT /api/v1/clients/{client_id}"]);
      expect((await consumerPortal().getClient(legacyClientId)).client_name).toBe("legacy-integration-v2");
      expect(await kidsOfLegacy()).toEqual([kept.kid, undeclared.kid].sort());
      expect(await tokenWith(undeclared)).toBe(undeclared.kid);
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a portal edit of a managed field shows in refresh and the next up puts the program's value back",
    async () => {
      await consumerPortal().updateClient(legacyClientId, { client_name: "renamed-in-portal" });
      const refresh = await engine.refresh();
      expect(changesOf(refresh.summary.resourceChanges)).toEqual({ update: 1 });
      const preview = await engine.preview({ diff: true });
      expect(previewSteps(preview.stdout)).toEqual(["update Client::legacy (clientName)"]);
      await engine.up();
      expect((await consumerPortal().getClient(legacyClientId)).client_name).toBe("legacy-integration-v2");
      await engine.preview({ expectNoChanges: true });
    },
    ENGINE_TIMEOUT_MS,
  );
});
