/**
 * The test hook for running whole suites against a simulator variant. Every simulator the tests start goes
 * through here (`useSimulator`, `startTestSimulator`, `testVariantArgs` for a spawned CLI), so
 * `MASKINPORTEN_TEST_SIM_VARIANT=adverse npx jest …` runs them against the adverse preset.
 */
import { startSimulator, type SimulatorHandle, type SimulatorOptions, type VariantSpec } from "../../simulator";

/**
 * The variant whole test suites run against: `MASKINPORTEN_TEST_SIM_VARIANT` holds a preset name ("adverse")
 * or a JSON object of switches. Read here, by the test helpers only: `startSimulator` itself never reads
 * the environment, so a stray variable cannot change a user's program.
 */
export function testVariant(): VariantSpec | undefined {
  const raw = process.env["MASKINPORTEN_TEST_SIM_VARIANT"]?.trim();
  if (!raw) return undefined;
  return raw.startsWith("{") ? (JSON.parse(raw) as VariantSpec) : (raw as VariantSpec);
}

/**
 * `options` with the test variant applied: switches a test sets itself are layered on the environment's
 * preset (a test that names a whole preset keeps it).
 */
export function withTestVariant(options: SimulatorOptions = {}): SimulatorOptions {
  const env = testVariant();
  if (env === undefined) return options;
  const own = options.variant;
  if (own === undefined) return { ...options, variant: env };
  if (typeof own === "string" || own.base !== undefined) return options;
  const base = typeof env === "string" ? { base: env } : env;
  return { ...options, variant: { ...base, ...own } };
}

/** `startSimulator` under the test variant: what every test in `test/` uses to start one. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  return startSimulator(withTestVariant(options));
}

/** `--variant`/`--set` arguments for a spawned `maskinporten simulator`, from the test variant. */
export function testVariantArgs(): string[] {
  const env = testVariant();
  if (env === undefined) return [];
  if (typeof env === "string") return ["--variant", env];
  const { base, ...switches } = env;
  return [...(base ? ["--variant", base] : []), ...Object.entries(switches).flatMap(([k, v]) => ["--set", `${k}=${String(v)}`])];
}

/**
 * A switch a test relies on whatever the run's variant: the seeded consumer's self-service client holds the
 * scope admin scopes (`idporten:scopes.read`/`write`), which the adverse preset takes away (`dcr-only`). A test
 * that needs them starts its own simulator with this (`useSimulator({ variant: CONSUMER_WITH_SCOPE_ADMIN })`),
 * layered on the run's preset, so the dependence is stated where the test is.
 */
export const CONSUMER_WITH_SCOPE_ADMIN = { consumerAdminScopes: "standard" } as const satisfies VariantSpec;
