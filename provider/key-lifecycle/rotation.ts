/**
 * When a generated key is due for its successor: `rotateAfterDays` after it was made, or
 * `rotateBeforeExpiryDays` before it expires, whichever comes first, on Maskinporten's clock.
 */
import { DAY_SECONDS } from "./settings";

export interface RotationPolicy {
  rotateAfterDays?: number | undefined;
  rotateBeforeExpiryDays?: number | undefined;
}

/** What the state says of a key's life: ISO 8601 times. */
export interface KeyLife {
  createdAt?: unknown;
  expiresAt?: unknown;
}

export type RotationRule = keyof RotationPolicy;

/** The rule that makes the key due at `nowMs`, or undefined while it is not (or its times are unknown). */
export function dueRule(life: KeyLife, policy: RotationPolicy, nowMs: number): RotationRule | undefined {
  const dayMs = DAY_SECONDS * 1000;
  const createdAt = timeOf(life.createdAt);
  const expiresAt = timeOf(life.expiresAt);
  if (policy.rotateAfterDays !== undefined && createdAt !== undefined && nowMs >= createdAt + policy.rotateAfterDays * dayMs)
    return "rotateAfterDays";
  if (policy.rotateBeforeExpiryDays !== undefined && expiresAt !== undefined && nowMs >= expiresAt - policy.rotateBeforeExpiryDays * dayMs)
    return "rotateBeforeExpiryDays";
  return undefined;
}

export function rotates(policy: RotationPolicy): boolean {
  return policy.rotateAfterDays !== undefined || policy.rotateBeforeExpiryDays !== undefined;
}

function timeOf(iso: unknown): number | undefined {
  if (typeof iso !== "string") return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
