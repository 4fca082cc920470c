/**
 * Resource markers: a hash of where a resource lives (Pulumi organisation, project, stack, parent, name, type),
 * computed by the SDK and passed to the provider as the hidden input `__ownerMarker`. The same on every run of
 * the same stack, so what a run made before its answer was lost, or before it was killed, is recognised as this
 * resource's (a client by its description, a generated key by its kid) and never confused with anyone else's.
 */
import { createHash } from "node:crypto";
import { zod } from "../../api/lazy-modules";

export const OWNER_MARKER_PATTERN = /^[0-9a-f]{16}$/;

export interface ResourcePlace {
  organization: string;
  project: string;
  stack: string;
  /** The parent's URN when the resource has a parent, else "". */
  parent: string;
  name: string;
}

/** 16 hex digits identifying one resource of one stack; `extra` is what else must tell two apart. */
export function resourceMarker(type: string, place: ResourcePlace, extra = ""): string {
  const identity = [`pulumi-maskinporten/${type}/v1`, place.organization, place.project, place.stack, place.parent, place.name, extra];
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
}

/** The hidden input; the SDK sets it. */
export function ownerMarkerField(resource: string) {
  const { z } = zod();
  return z
    .string()
    .regex(OWNER_MARKER_PATTERN, `is set by the SDK's ${resource} (16 hex digits identifying the resource); do not set it yourself`)
    .optional();
}
