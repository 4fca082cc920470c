/**
 * Maskinporten's 5-key rule, in one place: a client holds at most five keys (expired ones count until removed).
 * Key writes check it before they write, and `check` and the key-set rules use it to refuse a sixth key early.
 */
import { tooManyKeysMessage } from "./error-messages";
import { TooManyKeysError } from "./errors";

export const MAX_KEYS_PER_CLIENT = 5;

/** `count` keys would break the rule. */
export function exceedsKeyLimit(count: number): boolean {
  return count > MAX_KEYS_PER_CLIENT;
}

/** Throws `TooManyKeysError` when a client would hold `wanted` keys; `currentKids` are named in the message. */
export function throwIfOverKeyLimit(clientId: string, currentKids: readonly string[], wanted: number, cause?: unknown): void {
  if (exceedsKeyLimit(wanted))
    throw new TooManyKeysError(clientId, currentKids, tooManyKeysMessage(clientId, currentKids, wanted, MAX_KEYS_PER_CLIENT), cause);
}

/** A key set's problem with the rule, as the key-set validation reports it. */
export function keyLimitProblem(count: number): string | undefined {
  return exceedsKeyLimit(count)
    ? `holds ${count} keys; a client may have at most ${MAX_KEYS_PER_CLIENT}: remove an old key first`
    : undefined;
}
