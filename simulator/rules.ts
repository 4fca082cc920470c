/** Rules shared by the self-service API and the token endpoint. */
import type { Store } from "./state";

/**
 * Why an organisation may not use a scope on a client of the given integration type, or undefined when it
 * may: the scope must exist, be active, allow the integration type, and be owned by the organisation,
 * accessible for all, or granted to it (APPROVED).
 */
export function scopeUseProblem(store: Store, name: string, orgno: string, integrationType: string): string | undefined {
  const scope = store.scopes.get(name);
  if (!scope) return `scope ${JSON.stringify(name)} does not exist`;
  if (!scope.active) return `scope ${JSON.stringify(name)} has been deactivated by its owner`;
  if (!scope.allowed_integration_types.includes(integrationType)) {
    return `scope ${JSON.stringify(name)} does not allow integration_type ${JSON.stringify(integrationType)} (it allows ${scope.allowed_integration_types.join(", ") || "none"})`;
  }
  if (scope.owner_orgno === orgno || scope.accessible_for_all) return undefined;
  const grant = store.grant(name, orgno);
  if (grant?.state === "APPROVED") return undefined;
  const owner = store.orgName(scope.owner_orgno);
  return (
    `organisation ${orgno} has no access to scope ${JSON.stringify(name)}: its owner ${scope.owner_orgno}${owner ? ` (${owner})` : ""} must grant it` +
    (grant ? ` (the grant is ${grant.state})` : "")
  );
}
