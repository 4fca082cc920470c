/**
 * Concurrent writers of one client's key set (issue 16): two stacks adding a key to the same client at once,
 * and a key added in the portal while an `up` writes the key set. The API's JWKS write replaces the whole
 * set, so a writer that read before another's write and writes after it drops that key. Expected: no key lost,
 * or a loud failure that names what happened; and never a stack that believes in a key Digdir does not have.
 *
 * The simulator has no hook that holds a write open until released, so a `latency` fault (count 1) on the
 * client's key write holds the first write for HOLD_MS, under the provider's 15 s response timeout; the other
 * writer runs inside that window. The key write is `PUT /jwks/{kid}` where the simulator serves the single-key
 * operations (`singleKeyEndpoints`), the whole-set `POST /jwks` where it does not. Each test checks from the
 * request log that the interleaving really happened.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SimulatorHandle } from "../../simulator";
import { keyWriteRoutes } from "../helpers/key-writes";
import { rsaKeyPair } from "../simulator/helpers";
import { describeEngine, ENGINE_TIMEOUT_MS, makeProject, removeProject, stackFor, useEngineSimulator, type EngineStack } from "./harness";

const KEYS_FILE = "keys.json";
const HOLD_MS = 11_000;

const KEYS_PROGRAM = `
import * as fs from "node:fs";
import * as path from "node:path";
import * as maskinporten from "pulumi-maskinporten";

const model: { clientId: string; keys: { kid: string; publicKey: Record<string, unknown> }[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, "${KEYS_FILE}"), "utf8"),
);
for (const key of model.keys) {
  new maskinporten.ClientKey(\`key-\${key.kid}\`, { clientId: model.clientId, publicKey: key.publicKey, profile: "consumer" });
}
`;

interface Outcome {
  name: string;
  ok: boolean;
  /** The error of a failed `up` (its last lines), for the loud-failure check. */
  error: string;
  /** Kids of the ClientKeys in the stack's state. */
  stateKids: string[];
}

async function keyStack(sim: SimulatorHandle, name: string, clientId: string, kids: string[]): Promise<EngineStack> {
  const dir = makeProject(name, { "index.ts": KEYS_PROGRAM });
  const keys = kids.map((kid) => ({ kid, publicKey: { ...rsaKeyPair(kid).publicJwk } }));
  writeFileSync(join(dir, KEYS_FILE), JSON.stringify({ clientId, keys }));
  return stackFor(dir, sim, { consumer: sim.orgs[1]!.orgno });
}

async function upOutcome(name: string, engine: EngineStack): Promise<Outcome> {
  let ok = true;
  let error = "";
  try {
    await engine.up();
  } catch (err) {
    ok = false;
    error = String(err instanceof Error ? err.message : err)
      .trim()
      .split("\n")
      .slice(-25)
      .join("\n");
  }
  const { deployment } = await engine.stack.exportStack();
  const resources = ((deployment as { resources?: { type: string; id?: string }[] }).resources ?? []).filter((r) =>
    r.type.endsWith(":ClientKey"),
  );
  return { name, ok, error, stateKids: resources.map((r) => (r.id ?? "").slice((r.id ?? "").lastIndexOf("/") + 1)).sort() };
}

/** Waits until the latency rule has caught a request (it is being held), at most `ms`. */
async function untilHeld(sim: SimulatorHandle, faultId: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await sim.control.faults()).find((f) => f.id === faultId)?.hits === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no JWKS write was held within ${ms} ms`);
}

/**
 * The key writes that took effect (2xx; the single-key probes a server without them refuses are left out) to the
 * client since `since`, in the order they completed, with how long each was held: proof that one writer wrote
 * inside the other's window.
 */
async function jwksWrites(
  sim: SimulatorHandle,
  clientId: string,
  since: number,
): Promise<{ method: string; kind: string; heldMs: number }[]> {
  return (await sim.control.requestLog({ since }))
    .filter((e) => e.path.includes(`/clients/${clientId}/jwks`) && e.method !== "GET" && e.status >= 200 && e.status < 300)
    .map((e) => ({ method: e.method, kind: e.kind, heldMs: e.durationMs }));
}

/** What the issue asks of every writer: a key it believes in is at Digdir; a failure names the key or the client. */
function expectNoSilentLoss(outcomes: Outcome[], registered: string[], clientId: string, othersKids: Record<string, string[]>): void {
  for (const outcome of outcomes) {
    // Never a stack believing in a key Digdir does not have.
    // (`upSucceeded` is there to be read in the failure, not checked: a failed up may be the right answer.)
    expect({
      stack: outcome.name,
      upSucceeded: outcome.ok,
      inStateButNotAtDigdir: outcome.stateKids.filter((kid) => !registered.includes(kid)),
    }).toEqual({
      stack: outcome.name,
      upSucceeded: outcome.ok,
      inStateButNotAtDigdir: [],
    });
  }
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) {
    // Both succeeded: then nobody's key may be gone.
    const everyone = [...new Set([...outcomes.flatMap((o) => o.stateKids), ...Object.values(othersKids).flat()])].sort();
    expect({
      bothUpsSucceeded: true,
      registeredAtDigdir: registered,
      missing: everyone.filter((kid) => !registered.includes(kid)),
    }).toEqual({
      bothUpsSucceeded: true,
      registeredAtDigdir: registered,
      missing: [],
    });
  }
  for (const outcome of failed) {
    // A loud failure names what happened: a key that was (or would have been) lost, on this client.
    const named = Object.values(othersKids).flat();
    const namesWhatHappened = outcome.error.includes(clientId) && named.some((kid) => outcome.error.includes(kid));
    expect({ stack: outcome.name, error: outcome.error, namesWhatHappened }).toEqual({
      stack: outcome.name,
      error: outcome.error,
      namesWhatHappened: true,
    });
  }
}

describeEngine("concurrent writers of one client's keys", () => {
  const sim = useEngineSimulator();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeProject));

  async function newClient(name: string): Promise<string> {
    const consumer = sim().control.portal(sim().orgs[1]!.orgno);
    return (await consumer.createClient({ client_name: name, integration_type: "maskinporten", scopes: ["difitest:open"] })).client_id;
  }

  it(
    "two stacks adding a key to the same client at once: both keys stay registered, or one up fails naming the lost key",
    async () => {
      const clientId = await newClient("two-stacks");
      const a = await keyStack(sim(), "concurrent-a", clientId, ["stack-a-key"]);
      const b = await keyStack(sim(), "concurrent-b", clientId, ["stack-b-key"]);
      dirs.push(a.dir, b.dir);
      const since = await sim().control.lastSeq();
      const hold = await sim().control.addFault({
        kind: "latency",
        ...keyWriteRoutes(sim(), clientId).addFault,
        latencyMs: HOLD_MS,
        count: 1,
      });
      try {
        // Started together, both read the key set before either write lands; the first write is held.
        const [outA, outB] = await Promise.all([upOutcome("stack A", a), upOutcome("stack B", b)]);
        const writes = await jwksWrites(sim(), clientId, since);
        // The interleaving happened: one write was held, and the other completed while it was.
        expect(writes.map((w) => w.heldMs >= HOLD_MS)).toEqual([false, true]);
        const registered = (await sim().control.portal(sim().orgs[1]!.orgno).getKeys(clientId)).keys.map((k) => k.kid ?? "?").sort();
        expectNoSilentLoss([outA, outB], registered, clientId, { "stack A": ["stack-a-key"], "stack B": ["stack-b-key"] });
      } finally {
        await sim()
          .control.removeFault(hold)
          .catch(() => undefined);
      }
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    "a key added in the portal while an up writes the key set: the portal's key stays, or the up fails naming it",
    async () => {
      const clientId = await newClient("portal-edit");
      const a = await keyStack(sim(), "portal-race", clientId, ["stack-key"]);
      dirs.push(a.dir);
      const portalKey = rsaKeyPair("portal-key").publicJwk;
      const since = await sim().control.lastSeq();
      const hold = await sim().control.addFault({
        kind: "latency",
        ...keyWriteRoutes(sim(), clientId).addFault,
        latencyMs: HOLD_MS,
        count: 1,
      });
      try {
        const up = upOutcome("the stack", a);
        await untilHeld(sim(), hold, 120_000);
        // The stack has read the key set and its write is held: now the portal adds a key.
        await sim()
          .control.portal(sim().orgs[1]!.orgno)
          .putKey(clientId, { ...portalKey });
        const outcome = await up;
        const writes = await jwksWrites(sim(), clientId, since);
        // The portal's write landed inside the stack's read-modify-write.
        expect(writes.map((w) => `${w.kind}${w.heldMs >= HOLD_MS ? " (held)" : ""}`)).toEqual(["portal", "api (held)"]);
        const registered = (await sim().control.portal(sim().orgs[1]!.orgno).getKeys(clientId)).keys.map((k) => k.kid ?? "?").sort();
        expectNoSilentLoss([outcome], registered, clientId, { "the stack": ["stack-key"], portal: ["portal-key"] });
      } finally {
        await sim()
          .control.removeFault(hold)
          .catch(() => undefined);
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
