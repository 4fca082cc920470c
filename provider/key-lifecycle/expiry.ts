/**
 * Expiry in plain sight: the warning `preview` and `up` print for a key that expires soon. Pure; the provider
 * gives it (`expiry-warning.ts`) on Maskinporten's clock, the clock rotation is judged by.
 */
/** A day in seconds (as in schema.ts, which loads zod: this module is loaded into every program). */
const DAY_SECONDS = 24 * 60 * 60;

/** Stack config `maskinporten:keyExpiryWarningDays` (a number of days) overrides this. */
export const DEFAULT_KEY_EXPIRY_WARNING_DAYS = 30;
export const KEY_EXPIRY_WARNING_CONFIG = "keyExpiryWarningDays";

/**
 * The warning for a key expiring within `warningDays` of `nowMs`, or already expired; undefined otherwise
 * (and for an expiry that is not an ISO time). `advice` says how this key is rotated.
 */
export function expiryWarning(
  kid: string,
  clientId: string,
  expiresAt: unknown,
  nowMs: number,
  warningDays: number,
  advice: string,
): string | undefined {
  const at = typeof expiresAt === "string" ? Date.parse(expiresAt) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  const date = new Date(at).toISOString().slice(0, 10);
  const daysLeft = Math.floor((at - nowMs) / (DAY_SECONDS * 1000));
  const key = `key "${kid}" of client ${clientId}`;
  if (at <= nowMs) return `${key} expired on ${date}: Maskinporten refuses tokens signed with it. ${advice}`;
  if (daysLeft >= warningDays) return undefined;
  const when = daysLeft === 0 ? "today" : `in ${daysLeft} day${daysLeft === 1 ? "" : "s"}`;
  return `${key} expires ${when} (on ${date}): ${advice}`;
}

/** How to rotate a `ClientKey`, depending on how it is made. */
export function clientKeyAdvice(generated: boolean, rotating: boolean): string {
  if (rotating)
    return "it is rotated by the first `pulumi up` once due (rotateAfterDays, rotateBeforeExpiryDays; `pulumi preview` then shows the replacement): make sure one runs in time";
  if (generated) {
    return "rotate it: set rotateBeforeExpiryDays (or rotateAfterDays) on the ClientKey and run `pulumi up`, which registers a new key before the old one goes";
  }
  return "rotate it: give the ClientKey a new publicKey (with a new kid) and run `pulumi up`, which registers the new key before the old one goes; or use generate with rotateBeforeExpiryDays";
}
