/**
 * Maskinporten's 5-key rule, in one place: a client holds at most five keys (expired ones count until removed).
 * Key writes check it before they write, and `check` and the key-set rules use it to refuse a sixth key early.
 */
import { MaskinportenError } from "./errors";

export const MAX_KEYS_PER_CLIENT = 5;

/** `count` keys would break the rule. */
export function exceedsKeyLimit(count: number): boolean {
  return count > MAX_KEYS_PER_CLIENT;
}

/** Throws `TooManyKeysError` when a client would hold `wanted` keys; `currentKids` are named in the message. */
export function throwIfOverKeyLimit(clientId: string, currentKids: readonly string[], wanted: number, cause?: unknown): void {
  if (exceedsKeyLimit(wanted)) throw new TooManyKeysError(clientId, currentKids, wanted, cause);
}

/** A key set's problem with the rule, as the key-set validation reports it. */
export function keyLimitProblem(count: number): string | undefined {
  return exceedsKeyLimit(count) ? `holds ${count} keys; a client may have at most ${MAX_KEYS_PER_CLIENT}: remove an old key first` : undefined;
}

export class TooManyKeysError extends MaskinportenError {
  constructor(
    readonly clientId: string,
    readonly currentKids: readonly string[],
    wanted: number,
    cause?: unknown,
  ) {
    super(
      "TOO_MANY_KEYS",
      `client ${clientId} would have ${wanted} keys, but Maskinporten allows at most ${MAX_KEYS_PER_CLIENT}. ` +
        `Its current keys: ${currentKids.length > 0 ? currentKids.join(", ") : "(none)"}. ` +
        "Remove a key (delete its ClientKey, or unregister it in the portal) before adding another.",
      cause === undefined ? undefined : { cause },
    );
  }
}

