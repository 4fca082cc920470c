import * as pulumi from "@pulumi/pulumi";
import { resourceMarker, type ResourcePlace } from "../../provider/resources/shared/resource-marker";

/**
 * The marker of a resource (see `provider/resources/shared/resource-marker.ts`): the same on every run of the
 * same stack, so what a killed or answerless run made for this resource is recognised as its own.
 */
export function markerOf(
  name: string,
  opts: pulumi.CustomResourceOptions | undefined,
  marker: (place: ResourcePlace) => string,
): pulumi.Output<string> {
  return pulumi
    .output(opts?.parent?.urn ?? "")
    .apply((parent) => marker({ organization: organization(), project: pulumi.getProject(), stack: pulumi.getStack(), parent, name }));
}

/** The marker of a key resource (`ClientKey`, `RotatingClientKey`): its generated kids carry it. */
export function keyMarkerOf(
  type: "ClientKey" | "RotatingClientKey",
  name: string,
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.Output<string> {
  return markerOf(name, opts, (place) => resourceMarker(type, place));
}

/** The Pulumi organisation; engines that do not tell it (and mocks) count as none. */
function organization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "";
  }
}
