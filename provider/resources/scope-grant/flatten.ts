/** A grant from the self-service API → the resource's inputs and outputs. Pure. */
import type { ScopeAccess } from "../../api/wire";
import { definedOnly, keptProfile } from "../shared/outputs";

export interface FlattenedGrant {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** `profile` is not the API's to know and comes from `prior` (the inputs, or earlier outputs). */
export function flattenGrant(access: ScopeAccess, prior: Record<string, unknown>): FlattenedGrant {
  const inputs = definedOnly({
    scope: access.scope,
    consumerOrgno: access.consumer_orgno,
    ...keptProfile(prior),
  });
  const outputs = definedOnly({
    ...inputs,
    state: access.state,
    ownerOrgno: access.owner_orgno,
    consumerOrganizationName: access.consumer_organization_name,
    created: access.created,
    lastUpdated: access.last_updated,
  });
  return { inputs, outputs };
}
