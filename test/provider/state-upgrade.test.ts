/**
 * State written by an earlier version of the package (another `__provider` text, key forms this version derives
 * instead of storing), driven through the provider object the `__provider` text hands the host
 * (`dynamicProvider`), as the engine drives it: `diff` reports the resource as changed so the engine lets the
 * provider write its state once, and `update` writes it in this version's shape without a request to
 * Maskinporten. A real change in the same `up` still reaches Maskinporten.
 */
import { randomUUID } from "node:crypto";
import { dynamicProvider } from "../../provider";
import { forwarderText } from "../../provider/forwarder";
import { derivedKeyForms } from "../../provider/key-lifecycle/key-forms";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../simulator";
import { simulatorConfig, type Props, useConfiguredProvider } from "../helpers/provider";
import { useSimulator } from "../simulator/helpers";

const sim = useSimulator();
const owner = (): SimulatorOrg => sim().orgs[0]!;

useConfiguredProvider(sim, () => simulatorConfig(sim(), owner().orgno));

/** Stands for 0.1.0's serialized closure (2.4 kB that called `implementation(type)` from every method). */
const LEGACY_TEXT =
  'exports.handler = __f0;\nfunction __f0() { /* 0.1.0: require("pulumi-maskinporten/provider").implementation(type) */ }\n';

type Type = "Scope" | "ClientKey" | "RotatingClientKey";

/** The program's inputs after `check`, with this version's `__provider` text, as the engine passes them. */
async function checked(type: Type, news: Props, olds: Props = {}): Promise<Props> {
  const result = await dynamicProvider(type).check!(olds, { ...news, __provider: forwarderText(type) });
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as Props;
}

/** `up` of a new resource; the host adds the inputs' `__provider` to the outputs it stores. */
async function created(type: Type, news: Props): Promise<{ id: string; state: Props; inputs: Props }> {
  const inputs = await checked(type, news);
  const { id, outs } = await dynamicProvider(type).create!(inputs);
  return { id, inputs, state: { ...(outs as Props), __provider: inputs["__provider"] } };
}

/** Requests the simulator served during `action`. */
async function requestsDuring<T>(action: () => Promise<T>): Promise<{ result: T; total: number; writes: number }> {
  await sim().control.resetRequests();
  const result = await action();
  const counters = await sim().control.counters();
  return { result, total: counters.total, writes: counters.apiWrites };
}

async function newClient(): Promise<string> {
  const client = await sim()
    .control.portal(owner().orgno)
    .createClient({ client_name: `up-${randomUUID().slice(0, 8)}`, integration_type: "maskinporten", scopes: [OPEN_CATALOGUE_SCOPE] });
  return client.client_id;
}

function withoutProviderText({ __provider: _text, ...rest }: Props): Props {
  return rest;
}

describe("a Scope stored with an earlier __provider text", () => {
  const news = () => ({ prefix: "eksempel", subscope: `upgrade.${randomUUID().slice(0, 8)}`, description: "Upgrade" });

  it("shows as an update with no replacement; the update rewrites the state with no request; then nothing changes", async () => {
    const program = news();
    const { id, state } = await created("Scope", program);
    const legacy = { ...state, __provider: LEGACY_TEXT };
    const inputs = await checked("Scope", program, legacy);
    expect(await dynamicProvider("Scope").diff!(id, legacy, inputs)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });

    const { result, total } = await requestsDuring(() => dynamicProvider("Scope").update!(id, legacy, inputs));
    expect(total).toBe(0);
    expect(result.outs).toEqual(withoutProviderText(state));

    const rewritten = { ...(result.outs as Props), __provider: inputs["__provider"] };
    expect(await dynamicProvider("Scope").diff!(id, rewritten, await checked("Scope", program, rewritten))).toMatchObject({
      changes: false,
    });
  });

  it("a real change in the same up still updates the scope at Maskinporten", async () => {
    const program = news();
    const { id, state } = await created("Scope", program);
    const legacy = { ...state, __provider: LEGACY_TEXT };
    const inputs = await checked("Scope", { ...program, description: "Changed" }, legacy);
    expect(await dynamicProvider("Scope").diff!(id, legacy, inputs)).toMatchObject({ changes: true, replaces: [] });
    const { result, writes } = await requestsDuring(() => dynamicProvider("Scope").update!(id, legacy, inputs));
    expect(writes).toBe(1);
    expect(result.outs).toMatchObject({ description: "Changed" });
    expect(await sim().control.portal(owner().orgno).getScope(id)).toMatchObject({ description: "Changed" });
  });
});

describe("a generated ClientKey stored by 0.1.0, with every form of its key", () => {
  it("is rewritten to its JWKs alone, with no request; the derived forms are the ones it stored", async () => {
    const program = { clientId: await newClient(), generate: { modulusLength: 2048 } };
    const { id, state } = await created("ClientKey", program);
    expect(Object.keys(state)).not.toEqual(expect.arrayContaining(["privateKeyBase64"]));
    const forms = derivedKeyForms(state["privateKeyJwk"] as string, state["publicKeyJwk"] as Props);
    const legacy = { ...state, ...forms, __provider: LEGACY_TEXT };
    const inputs = await checked("ClientKey", program, legacy);
    expect(await dynamicProvider("ClientKey").diff!(id, legacy, inputs)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });

    const { result, total } = await requestsDuring(() => dynamicProvider("ClientKey").update!(id, legacy, inputs));
    expect(total).toBe(0);
    expect(result.outs).toEqual(withoutProviderText(state));
  });

  it("a refresh keeps the stored forms, so it shows only what changed at Maskinporten", async () => {
    const program = { clientId: await newClient(), generate: { modulusLength: 2048 } };
    const { id, state } = await created("ClientKey", program);
    const legacy = {
      ...state,
      ...derivedKeyForms(state["privateKeyJwk"] as string, state["publicKeyJwk"] as Props),
      __provider: LEGACY_TEXT,
    };
    const read = await dynamicProvider("ClientKey").read!(id, legacy);
    expect(read.props).toEqual(withoutProviderText(legacy));
  });
});

describe("a RotatingClientKey stored by 0.1.0", () => {
  it("keeps its current key, rewritten to its JWKs, with no write", async () => {
    const program = { clientId: await newClient(), generate: { modulusLength: 2048 }, rotateAfterDays: 30 };
    const { id, state } = await created("RotatingClientKey", program);
    const current = state["current"] as Props;
    const legacy = {
      ...state,
      current: { ...current, ...derivedKeyForms(current["privateKeyJwk"] as string, current["publicKeyJwk"] as Props) },
      __provider: LEGACY_TEXT,
    };
    const inputs = await checked("RotatingClientKey", program, legacy);
    expect(await dynamicProvider("RotatingClientKey").diff!(id, legacy, inputs)).toMatchObject({ changes: true, replaces: [] });

    // Deciding whether the key is due may ask Maskinporten's clock (a public read); nothing is written.
    const { result, writes } = await requestsDuring(() => dynamicProvider("RotatingClientKey").update!(id, legacy, inputs));
    expect(writes).toBe(0);
    expect(result.outs).toEqual(withoutProviderText(state));
  });
});
