/**
 * What adopting an existing object (a Client's `adoptClientId`, a Scope's `adopt`) will change on it, shown
 * before anything is written.
 *
 * A dynamic provider cannot turn the engine's `create` into an update, and `check`, which runs in `preview`
 * and `up` with the program's inputs, cannot hand the engine the existing object as old outputs either: the
 * engine has no old state for a resource it has never created, so its diff display is always `+ create`. What
 * `check` can do honestly is read the object (one shared list read per credential) and report the difference
 * in two places:
 *
 * - a derived input, {@link ADOPTION_CHANGES}, which `preview --diff` prints under the create step, one line
 *   per field that will change (old → new). It exists only on the create: it is not an output, so later diffs
 *   never show it, and `create` ignores it.
 * - a warning in the run's diagnostics, naming the object and the same fields.
 *
 * When the object could not be read (no credential, an unknown profile, the read failed), the warning says
 * plainly that the adoption's changes could not be previewed. Values shown are names, scopes, lifetimes and
 * descriptions: never secrets.
 */
import { warnInEngine } from "../../engine-log";
import { canonical, changedFields, type FieldChange, type FieldSpecs } from "./diff";
import { containsUnknown } from "./unknown";

type Props = Record<string, unknown>;

/** The derived input holding the adoption's changes, one line per field. */
export const ADOPTION_CHANGES = "adoptionChanges";

/**
 * What an adoption read found: the existing object as the resource's outputs, none (the create makes a new
 * one), or why it cannot tell.
 */
export type AdoptionRead = { found: Props } | { absent: true } | { notPreviewable: string };

export interface AdoptionSubject {
  /** The object in words, such as `client 0a1b… ("legacy-integration")`: starts the messages. */
  readonly what: string;
  /** The program's (checked) inputs. */
  readonly wanted: Props;
  readonly specs: FieldSpecs<object>;
  /** Reads the existing object; may throw (reported as not previewable). */
  readonly read: () => Promise<AdoptionRead>;
}

/**
 * The derived inputs of an adoption (`{ adoptionChanges: [...] }`, or none when the object already matches or
 * could not be read), after warning about what will change or what could not be previewed.
 */
export async function previewAdoption(subject: AdoptionSubject): Promise<Props> {
  let outcome: AdoptionRead;
  try {
    outcome = await subject.read();
  } catch (err) {
    outcome = { notPreviewable: reasonOf(err) };
  }
  if ("notPreviewable" in outcome) {
    await warnInEngine(
      `${subject.what}: the changes adopting it will make could not be previewed (${outcome.notPreviewable}); ${UP_CONVERGES}`,
    );
    return {};
  }
  if ("absent" in outcome) return {};
  const lines = changedFields(outcome.found, subject.wanted, subject.specs).map(describeChange);
  if (lines.length === 0) return {};
  await warnInEngine(`${subject.what}: adopting it changes the existing object at Digdir: ${lines.join("; ")}`);
  return { [ADOPTION_CHANGES]: lines };
}

const UP_CONVERGES =
  "`pulumi up` will change the existing object to match the program; run the preview with the admin credential to see how";

/** One field's change as a line: `clientName: "a" → "b"`, or for a set `scopes: - x:y, + x:z`. */
export function describeChange(change: FieldChange): string {
  if (containsUnknown(change.after)) return `${change.field}: ${shown(change.before)} → (known only during up)`;
  if (Array.isArray(change.before) && Array.isArray(change.after)) return `${change.field}: ${setChange(change.before, change.after)}`;
  return `${change.field}: ${shown(change.before)} → ${shown(change.after)}`;
}

function setChange(before: unknown[], after: unknown[]): string {
  const had = new Set(before.map(canonical));
  const has = new Set(after.map(canonical));
  const removed = before.filter((v) => !has.has(canonical(v))).map((v) => `- ${shown(v)}`);
  const added = after.filter((v) => !had.has(canonical(v))).map((v) => `+ ${shown(v)}`);
  return [...removed, ...added].join(", ");
}

function shown(value: unknown): string {
  return value === undefined ? "(unset)" : canonical(value);
}

/** The first line of an error's message: API and config errors name the problem and never hold secrets. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0]!.slice(0, 300);
}
