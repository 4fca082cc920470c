/**
 * The expiry warning, given by the provider on Maskinporten's clock: the clock rotation is judged by, so a
 * preview that plans a rotation also warns about the keys that make it due, and a wrong local clock neither
 * hides nor invents a warning. `diff` (preview and up), `create` and `update` call it.
 */
import { ConfigError } from "../api/errors";
import { warnInEngine } from "../engine-log";
import { rawSetting } from "../runtime";
import { DEFAULT_KEY_EXPIRY_WARNING_DAYS, expiryWarning, KEY_EXPIRY_WARNING_CONFIG } from "./expiry";

/** The days of warning: stack config `maskinporten:keyExpiryWarningDays` (0 to 366), default 30. */
export function keyExpiryWarningDays(raw: unknown = rawSetting(KEY_EXPIRY_WARNING_CONFIG)): number {
  if (raw === undefined || raw === "") return DEFAULT_KEY_EXPIRY_WARNING_DAYS;
  const days = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isFinite(days) || days < 0 || days > 366) {
    throw new ConfigError(
      `maskinporten:${KEY_EXPIRY_WARNING_CONFIG}`,
      `must be a number of days from 0 to 366, got ${JSON.stringify(raw)}`,
    );
  }
  return days;
}

/** Warns (through the engine) when `key` (state with `kid`, `clientId`, `expiresAt`) expires within the warning days of `nowMs`, or has expired. */
export async function warnWhenExpiring(key: Readonly<Record<string, unknown>>, nowMs: number, advice: string): Promise<void> {
  if (typeof key.kid !== "string" || typeof key.clientId !== "string") return;
  const warning = expiryWarning(key.kid, key.clientId, key.expiresAt, nowMs, keyExpiryWarningDays(), advice);
  if (warning !== undefined) await warnInEngine(warning);
}
