import type * as pulumi from "@pulumi/pulumi";
import { containsUnknown } from "./unknown";

export interface FieldSpec {
  /** Changing this field needs a new object: the API cannot change it in place. */
  replaces?: boolean;
  /** The value an absent field means, so state from versions without the field does not show a change. */
  absent?: unknown;
  /**
   * Left out of the program, the field is not managed: whatever the server holds is kept and never diffs
   * (an optional field a user does not set, such as a description edited in the portal).
   */
  unmanagedWhenUnset?: boolean;
}

export type FieldSpecs<T> = { readonly [K in keyof T]-?: FieldSpec };

/** Canonical JSON: object keys sorted, so equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Compares the inputs kept in the old outputs with the new (checked, normalized) inputs, field by field.
 * Only the fields in `specs` count; server-owned outputs never cause a diff.
 */
export function diffFields<T extends object>(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  specs: FieldSpecs<T>,
): pulumi.dynamic.DiffResult {
  const changed = changedFields(olds, news, specs);
  const replaces = changed.filter((c) => c.replaces).map((c) => c.field);
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
}

export interface FieldChange {
  field: string;
  /** The old value (or the field's `absent` value). */
  before: unknown;
  /** The new value; may be or hold the engine's unknown during preview. */
  after: unknown;
  replaces: boolean;
}

/** The fields of `specs` whose new value differs from the old one (or is not known yet), in `specs` order. */
export function changedFields<T extends object>(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  specs: FieldSpecs<T>,
): FieldChange[] {
  const changed: FieldChange[] = [];
  for (const [field, spec] of Object.entries(specs) as [string, FieldSpec][]) {
    if (spec.unmanagedWhenUnset && news[field] === undefined) continue;
    const before = olds[field] ?? spec.absent;
    const after = news[field] ?? spec.absent;
    if (!containsUnknown(after) && canonical(before) === canonical(after)) continue;
    changed.push({ field, before, after, replaces: spec.replaces === true });
  }
  return changed;
}
