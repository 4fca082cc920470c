/**
 * What the provider says about keys, against the simulator: the expiry warning on Maskinporten's clock (the
 * clock rotation is judged by, moved in the simulator while this machine's stays put), and a generated key
 * deleted in the portal, which `refresh` keeps (marked) and `diff` then replaces, saying so.
 */
import { generateKeyPairSync } from "node:crypto";
import { setWarningDelivery } from "../../../provider/engine-log";
import { keyExpiryWarningDays } from "../../../provider/key-lifecycle/expiry-warning";
import { clientKeyProvider } from "../../../provider/resources/client-key/provider";
import { rotatingClientKeyProvider } from "../../../provider/resources/rotating-client-key/provider";
import { resetRuntime } from "../../../provider/runtime";
import { clearTokenCache } from "../../../sdk/tokens";
import type { SimulatorOrg } from "../../../simulator";
import { clientKeyDriver, DAY_MS, PROVIDER } from "../../helpers/client-key";
import { configureProvider, simulatorConfig } from "../../helpers/provider";
import { useSimulator } from "../../simulator/helpers";

const DAY = DAY_MS / 1000;
const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;
const { up, preview, newClient, portal } = clientKeyDriver(sim, owner);

let warnings: string[] = [];

/** A new provider process (each `pulumi preview` and `up` has its own), with the given stack config. */
async function newProcess(config: Record<string, string> = {}): Promise<void> {
  const base = simulatorConfig(sim(), owner().orgno, { owner: owner().orgno });
  await configureProvider({ ...base, ...config });
}

beforeEach(async () => {
  warnings = [];
  setWarningDelivery(async (message) => void warnings.push(message));
  await sim().control.setClockOffset(0);
  await newProcess();
});
afterEach(async () => {
  setWarningDelivery(undefined);
  await clearTokenCache();
});
afterAll(async () => {
  await resetRuntime();
});

describe("the expiry warning, on Maskinporten's clock", () => {
  it("is given by diff once Maskinporten's clock is within the warning days, whatever this machine's clock says", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: { modulusLength: 2048 } };
    const { id, outs } = await up(news);
    expect(await preview(id, outs, news)).toMatchObject({ changes: false });
    expect(warnings).toEqual([]);

    await sim().control.setClockOffset(340 * DAY);
    await newProcess();
    await preview(id, outs, news);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^key "${outs["kid"]}" of client ${client.client_id} expires in 2[45] days .*rotate it: set rotateBeforeExpiryDays`),
      ),
    ]);
  });

  it("agrees with rotation: the preview that plans a rotation warns about the key that makes it due", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: { modulusLength: 2048 }, rotateBeforeExpiryDays: 30 };
    const { id, outs } = await up(news);
    await sim().control.setClockOffset(340 * DAY);
    await newProcess();
    expect(await preview(id, outs, news)).toEqual({ changes: true, replaces: ["rotateBeforeExpiryDays"], deleteBeforeReplace: false });
    expect(warnings).toEqual([expect.stringMatching(/expires in 2[45] days .*it is rotated by the first `pulumi up` once due/)]);
  });

  it("is given for a RotatingClientKey's current key on the same clock", async () => {
    const client = await newClient();
    const given = {
      __provider: PROVIDER,
      clientId: client.client_id,
      generate: { modulusLength: 2048 },
      rotateAfterDays: 300,
      gracePeriodDays: 7,
    };
    const news = (await rotatingClientKeyProvider.check!({}, given)).inputs!;
    const created = await rotatingClientKeyProvider.create!(news);
    await sim().control.setClockOffset(345 * DAY);
    await newProcess();
    expect(await rotatingClientKeyProvider.diff!(created.id, created.outs!, news)).toMatchObject({ changes: true });
    expect(warnings).toEqual([
      expect.stringMatching(/^key "[^"]+" of client \S+ expires in (19|20) days .*it rotates at the next `pulumi up`/),
    ]);
  });

  it("follows maskinporten:keyExpiryWarningDays, which is 0 to 366 days", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: { modulusLength: 2048 } };
    const { id, outs } = await up(news);
    await newProcess({ "maskinporten:keyExpiryWarningDays": "366" });
    await preview(id, outs, news);
    expect(warnings).toEqual([expect.stringContaining("expires in 36")]);
    expect(keyExpiryWarningDays("0")).toBe(0);
    expect(keyExpiryWarningDays("")).toBe(30);
    expect(() => keyExpiryWarningDays("1e308")).toThrow(/maskinporten:keyExpiryWarningDays: must be a number of days from 0 to 366/);
    expect(() => keyExpiryWarningDays("-1")).toThrow(/keyExpiryWarningDays/);
  });
});

describe("a generated key deleted in the portal", () => {
  it("refresh keeps it, marked, and says so; diff then plans its replacement by a new key pair, saying so again", async () => {
    const client = await newClient();
    const news = { clientId: client.client_id, generate: { modulusLength: 2048 } };
    const { id, outs } = await up(news);
    await portal().deleteKey(client.client_id, outs["kid"] as string);

    const read = await clientKeyProvider.read!(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toEqual({ ...outs, missingAtMaskinporten: true });
    const gone = new RegExp(`^generated key "${outs["kid"]}" of client ${client.client_id} is gone from Maskinporten`);
    expect(warnings).toEqual([expect.stringMatching(gone)]);
    expect(warnings[0]).toMatch(
      /the next `pulumi up` registers a new key pair \(a new kid\) that replaces the private key in this stack's outputs/,
    );

    expect(await preview(id, read.props!, news)).toEqual({ changes: true, replaces: ["kid"], deleteBeforeReplace: false });
    expect(warnings[1]).toMatch(gone);
    expect(warnings[1]).toMatch(/`pulumi up` registers a new key pair \(a new kid\) that replaces the private key/);
  });

  it("a given key deleted in the portal is simply gone: up registers the same key again", async () => {
    const client = await newClient();
    const publicKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }) as string;
    const news = { clientId: client.client_id, publicKey, kid: "given-kid" };
    const { id, outs } = await up(news);
    await portal().deleteKey(client.client_id, "given-kid");
    expect(await clientKeyProvider.read!(id, outs)).toEqual({ id: "", props: {} });
    expect(warnings).toEqual([]);
  });
});
