/** Points the provider runtime at a simulator, as `configure` would from stack config, and drives its resources. */
import type { ResourceImplementation } from "../../provider/resources/shared/types";
import { configure, resetRuntime } from "../../provider/runtime";
import type { SimulatorHandle } from "../../simulator";

/** What the engine sends along with the user's inputs. */
export const PROVIDER = "exports.handler = __f0; /* the serialized forwarder */";

export type Props = Record<string, unknown>;

export type ConfigValues = Record<string, unknown>;

/** Stack config for a simulator: its URLs, the given org's admin credential as default, and named profiles. */
export function simulatorConfig(
  sim: SimulatorHandle,
  defaultOrgno: string | undefined,
  profiles: Record<string, string> = {},
): ConfigValues {
  const org = (orgno: string) => {
    const found = sim.orgs.find((o) => o.orgno === orgno);
    if (!found) throw new Error(`the simulator has no organisation ${orgno}`);
    return found;
  };
  const config: ConfigValues = {
    "maskinporten:issuer": sim.issuer,
    "maskinporten:apiBaseUrl": sim.apiBaseUrl,
  };
  if (defaultOrgno !== undefined) {
    config["maskinporten:clientId"] = org(defaultOrgno).adminClientId;
    config["maskinporten:privateKey"] = JSON.stringify(org(defaultOrgno).adminKey);
  }
  if (Object.keys(profiles).length > 0) {
    config["maskinporten:profiles"] = JSON.stringify(
      Object.fromEntries(
        Object.entries(profiles).map(([name, orgno]) => [
          name,
          { clientId: org(orgno).adminClientId, privateKey: JSON.stringify(org(orgno).adminKey) },
        ]),
      ),
    );
  }
  return config;
}

/** Configures the runtime with these values (no environment fallback beyond what the process has). */
export async function configureProvider(values: ConfigValues): Promise<void> {
  await resetRuntime();
  configure({ get: (key) => values[key] });
}

/**
 * Configures the runtime before each test of the file (from the config `configFor` gives then), clears the
 * simulator's faults after each, and resets the runtime after all.
 */
export function useConfiguredProvider(sim: () => SimulatorHandle, configFor: () => ConfigValues): void {
  beforeEach(async () => {
    await configureProvider(configFor());
  });
  afterEach(async () => {
    await sim().control.clearFaults();
  });
  afterAll(async () => {
    await resetRuntime();
  });
}

/**
 * One resource's provider driven as the engine drives it, in the spirit of Terraform's acceptance-test steps:
 * inputs go through `check` (with a `__provider` text, as the engine sends it), and the outputs of one step are
 * the `olds` of the next. Every provider test file builds its steps from this.
 */
export function lifecycle(provider: ResourceImplementation) {
  const checkWith = (news: Props, olds: Props = {}) => provider.check(olds, { ...news, __provider: PROVIDER });

  /** `check` that must pass: the normalized inputs. */
  async function check(news: Props, olds: Props = {}): Promise<Props> {
    const result = await checkWith(news, olds);
    expect(result.failures ?? []).toEqual([]);
    return result.inputs as Props;
  }

  return {
    checkWith,
    check,

    /** What `check` refuses, property by property. */
    async failuresOf(news: Props, olds: Props = {}) {
      return (await checkWith(news, olds)).failures ?? [];
    },

    /** `pulumi up` of a new resource: check, then create. */
    async up(news: Props): Promise<{ id: string; inputs: Props; outs: Props }> {
      const inputs = await check(news);
      const { id, outs } = await provider.create(inputs);
      return { id, inputs, outs: outs as Props };
    },

    /** `pulumi preview` of the program against the state: check (olds: the state's inputs), then diff. */
    async preview(id: string, state: Props, news: Props, oldInputs: Props = state) {
      return provider.diff(id, state, await check(news, oldInputs));
    },

    /** `pulumi up` of a change: check, a diff that must be an in-place update, then update. */
    async upChange(id: string, state: Props, news: Props): Promise<Props> {
      const inputs = await check(news, state);
      expect(await provider.diff(id, state, inputs)).toMatchObject({ changes: true, replaces: [] });
      return (await provider.update(id, state, inputs)).outs as Props;
    },
  };
}
