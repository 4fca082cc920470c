/** Points the provider runtime at a simulator, as `configure` would from stack config. */
import { configure, resetRuntime } from "../../provider/runtime";
import type { SimulatorHandle } from "../../simulator";

/** What the engine sends along with the user's inputs. */
export const PROVIDER = "exports.handler = __f0; /* the serialized forwarder */";

export type Props = Record<string, unknown>;

export type ConfigValues = Record<string, unknown>;

/** Stack config for a simulator: its URLs, the given org's admin credential as default, and named profiles. */
export function simulatorConfig(sim: SimulatorHandle, defaultOrgno: string | undefined, profiles: Record<string, string> = {}): ConfigValues {
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
        Object.entries(profiles).map(([name, orgno]) => [name, { clientId: org(orgno).adminClientId, privateKey: JSON.stringify(org(orgno).adminKey) }]),
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
