/**
 * Generated kids carry their resource's marker (`__ownerMarker`, set by the SDK): `<kid>.pm-<12 hex>`, where
 * `<kid>` is the convention's or the thumbprint. The private half of a generated key lives only in the
 * provider until the engine stores it; a run killed in between leaves the public half registered with nobody
 * able to sign with it. The marker lets the resource's next create (or rotation) recognise such a key as its
 * own and remove it, and never touch a key anyone else registered.
 *
 * A key of the resource that the stack does hold (the one a replacement or rotation succeeds, still in use
 * until the engine removes it) carries the same marker: the kids the state holds are learned from the engine's
 * `diff` and `read` of the resource in this run (`noteHeldKids`), and from the old state in an update.
 */
import type { Jwk } from "../api/wire";
import { runMemory } from "../runtime";

const MARKED = /\.pm-([0-9a-f]{12})(?:-\d+)?$/;

/** The kid with the marker of the resource that generated it. */
export function markedKid(kid: string, marker: string): string {
  return `${kid}.pm-${marker.slice(0, 12)}`;
}

/** Whether `kid` (also with a `-n` suffix for a free kid) was generated for the resource with this marker. */
export function carriesMarker(kid: string | undefined, marker: string | undefined): boolean {
  return kid !== undefined && marker !== undefined && MARKED.exec(kid)?.[1] === marker.slice(0, 12);
}

const held = runMemory<string, Set<string>>();

/** Records kids that the stack holds for the resource with this marker (seen in the engine's diff or read). */
export function noteHeldKids(marker: unknown, kids: readonly unknown[]): void {
  if (typeof marker !== "string") return;
  const set = held.get(marker) ?? new Set<string>();
  for (const kid of kids) if (typeof kid === "string") set.add(kid);
  held.set(marker, set);
}

export interface Orphans {
  marker: string;
  /** Kids of the resource that the stack holds: never orphans. */
  keep: readonly string[];
}

/** The keys this resource generated that the stack does not hold: their private halves are lost. */
export function orphansAmong(keys: readonly Jwk[], orphans: Orphans): Jwk[] {
  const keep = new Set([...orphans.keep, ...(held.get(orphans.marker) ?? [])]);
  return keys.filter((k) => carriesMarker(k.kid, orphans.marker) && !keep.has(k.kid ?? ""));
}
