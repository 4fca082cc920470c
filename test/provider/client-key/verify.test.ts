/**
 * Verified rotation against a simulator whose token endpoint sees key changes 2 s late (Maskinporten: up to
 * 2 minutes): a new key's create waits until it gets a token; a key that never gets one is removed again, the
 * create fails saying the old key was kept, and the old key still gets tokens.
 */
import { MaskinportenError } from "../../../provider/api/errors";
import { resetRuntime } from "../../../provider/runtime";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { clearTokenCache } from "../../../sdk/tokens";
import { OPEN_CATALOGUE_SCOPE, RESTRICTED_CATALOGUE_SCOPE, type SimulatorOrg } from "../../../simulator";
import { clientKeyDriver, type Props } from "../../helpers/client-key";
import { configureProvider, simulatorConfig } from "../../helpers/provider";
import { secretSlices } from "../../helpers/rejections";
import { useSimulator } from "../../simulator/helpers";

const DAY = 24 * 3600;
const PROPAGATION_MS = 2_000;
const sim = useSimulator({ propagationDelayMs: PROPAGATION_MS });
const owner = (): SimulatorOrg => sim().orgs[0]!;
const { check, up, preview, newClient, kidsOf, tokenWith } = clientKeyDriver(sim, owner);

beforeEach(async () => {
  await sim().control.setClockOffset(0);
  await sim().control.setPropagationDelay(PROPAGATION_MS);
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
});
afterEach(async () => {
  await clearTokenCache();
});
afterAll(async () => {
  await resetRuntime();
});

async function tokenRequests(): Promise<number> {
  return (await sim().control.counters()).byRoute["POST /token"] ?? 0;
}

/** A verified key, registered and seen by the token endpoint, due for rotation; its successor to verify so. */
async function dueKey(verify: Props) {
  const client = await newClient();
  const news = { clientId: client.client_id, generate: { modulusLength: 2048 }, rotateAfterDays: 30, verify };
  const old = await up({ ...news, verify: { scope: OPEN_CATALOGUE_SCOPE, timeoutSeconds: 60 } });
  await sim().control.advanceClock(31 * DAY);
  await configureProvider(simulatorConfig(sim(), owner().orgno, { owner: owner().orgno }));
  expect(await preview(old.id, old.outs, news)).toMatchObject({ replaces: ["rotateAfterDays"] });
  return { client, news, old };
}

it("a new key's create waits until Maskinporten sees the key, then succeeds", async () => {
  const client = await newClient();
  await sim().control.resetRequests();
  const { outs } = await up({
    clientId: client.client_id,
    generate: { modulusLength: 2048 },
    verify: { scope: OPEN_CATALOGUE_SCOPE, timeoutSeconds: 60 },
  });
  // Refused while the key travelled, then one token; the admin client's own token is one more request.
  expect(await tokenRequests()).toBeGreaterThan(2);
  await expect(tokenWith(client.client_id, outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: outs["kid"] });
});

it("a verified rotation registers the successor, waits for it, and both keys get tokens", async () => {
  const { client, news, old } = await dueKey({ scope: OPEN_CATALOGUE_SCOPE, timeoutSeconds: 60 });
  const successor = await up(news);
  expect(await kidsOf(client.client_id)).toEqual([old.outs["kid"], successor.outs["kid"]].sort());
  await expect(tokenWith(client.client_id, successor.outs["privateKeyJwk"] as string)).resolves.toMatchObject({
    kid: successor.outs["kid"],
  });
  await expect(tokenWith(client.client_id, old.outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: old.outs["kid"] });
});

it("a successor Maskinporten never sees in time is removed again; the create fails saying the old key was kept", async () => {
  const { client, news, old } = await dueKey({ scope: OPEN_CATALOGUE_SCOPE, timeoutSeconds: 3 });
  await sim().control.setPropagationDelay(3_600_000);
  const err = (await clientKeyProvider.create(await check(news)).catch((e: unknown) => e)) as MaskinportenError;
  expect(err).toBeInstanceOf(MaskinportenError);
  expect(err.code).toBe("KEY_NOT_VERIFIED");
  expect(err.message).toMatch(
    /^the new key "[^"]+" of client [^ ]+ got no Maskinporten token for scope "difitest:open" in \d+ s \(\d+ attempts; the last answer: invalid_grant: .*No key with kid .* is registered on client .* yet/,
  );
  expect(err.message).toContain("It was removed again; the key it was to replace (if any) is kept: nothing changed.");
  expect(err.message).toMatch(/run `pulumi up` again, or give verify.timeoutSeconds more time/);
  expect(await kidsOf(client.client_id)).toEqual([old.outs["kid"]]);
  await expect(tokenWith(client.client_id, old.outs["privateKeyJwk"] as string)).resolves.toMatchObject({ kid: old.outs["kid"] });
  const jwk = JSON.parse(old.outs["privateKeyJwk"] as string) as Record<string, string>;
  for (const slice of ["d", "p", "q"].flatMap((m) => secretSlices(jwk[m]!))) expect(err.message).not.toContain(slice);
});

it("a scope the client cannot get fails verification within its bound, keeping the old key", async () => {
  const { client, news, old } = await dueKey({ scope: RESTRICTED_CATALOGUE_SCOPE, timeoutSeconds: 5 });
  const err = (await clientKeyProvider.create(await check(news)).catch((e: unknown) => e)) as MaskinportenError;
  expect(err.code).toBe("KEY_NOT_VERIFIED");
  expect(err.message).toMatch(/the last answer: invalid_scope: .*difitest:restricted/);
  expect(err.message).toContain(`check that client ${client.client_id} has the scope "${RESTRICTED_CATALOGUE_SCOPE}"`);
  expect(await kidsOf(client.client_id)).toEqual([old.outs["kid"]]);
});
