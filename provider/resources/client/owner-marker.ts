/**
 * The ownership marker: how the package tells a client it created (or was creating when its answer was lost,
 * or its run was killed) from every other client of the organisation.
 *
 * Digdir assigns client ids, so a create whose answer never arrived leaves a client nobody knows the id of.
 * Every client this package creates therefore ends its `description` with ` [pulumi-maskinporten:<16 hex>]`,
 * the hex being a hash of where the resource lives (Pulumi organisation, project, stack, parent, resource name)
 * and of its `clientOrgno`, computed by the SDK. It is deterministic, so a re-run after a lost answer or a
 * crash computes the same marker and finds the client instead of making a second one. It cannot pick up
 * someone else's client: only a client carrying this very resource's marker matches, and only an active one
 * (a client deactivated by `destroy` or in the portal is never taken back, so removing and re-adding a resource
 * makes a new client). `clientOrgno` is part of it because a change of `clientOrgno` replaces the client
 * (create, then delete), and the replacement must not find the client it replaces.
 */
import { resourceMarker, type ResourcePlace } from "../shared/resource-marker";

const IN_DESCRIPTION = / \[pulumi-maskinporten:([0-9a-f]{16})\]$/;

export interface MarkerParts extends ResourcePlace {
  clientOrgno: string | undefined;
}

/** The marker of one Client resource of one stack. */
export function ownerMarker(parts: MarkerParts): string {
  return resourceMarker("Client", parts, parts.clientOrgno ?? "");
}

/** The description as the package sends it for a new client: the user's text with the marker at its end. */
export function withMarker(description: string, marker: string | undefined): string {
  return marker === undefined ? description : `${description} [pulumi-maskinporten:${marker}]`;
}

/** The marker a description ends with, if any. */
export function markerOf(description: string | undefined): string | undefined {
  return description === undefined ? undefined : IN_DESCRIPTION.exec(description)?.[1];
}

/** The description as the user wrote it: without the marker. */
export function withoutMarker(description: string): string {
  return description.replace(IN_DESCRIPTION, "");
}

/** True when `text` holds something that reads as a marker, which a user's description must not. */
export function looksMarked(text: string): boolean {
  return /\[pulumi-maskinporten:/.test(text);
}
