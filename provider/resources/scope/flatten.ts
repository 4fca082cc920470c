/** A scope from the self-service API → the resource's inputs and outputs. Pure. */
import type { ApiScope } from "../../api/wire";
import { definedOnly, keptProfile } from "../shared/outputs";
import { derivedScopeInputs, OPTIONAL_SCOPE_FIELDS, type OptionalScopeField } from "./schema";

export interface FlattenedScope {
  /** The inputs as the API holds them (and `check` would give them): what `read` reports, so later previews compare with reality. */
  inputs: Record<string, unknown>;
  /** The inputs plus the server's fields: the state `diff` gets as `olds`. */
  outputs: Record<string, unknown>;
}

/**
 * `prior` holds the inputs (or earlier outputs) that decide which optional fields are managed: only those
 * the program set are reported, so a field it leaves out never appears in its inputs. `profile` and `adopt`
 * are not the API's to know and come from `prior`.
 */
export function flattenScope(scope: ApiScope, prior: Record<string, unknown>): FlattenedScope {
  const inputs: Record<string, unknown> = {
    prefix: scope.prefix,
    subscope: scope.subscope,
    description: scope.description ?? "",
    ...derivedScopeInputs(scope),
  };
  for (const field of Object.keys(OPTIONAL_SCOPE_FIELDS) as OptionalScopeField[]) {
    if (prior[field] !== undefined) inputs[field] = normalized(field, scope[OPTIONAL_SCOPE_FIELDS[field]]);
  }
  const managed = definedOnly({
    ...inputs,
    ...keptProfile(prior),
    adopt: typeof prior["adopt"] === "boolean" ? prior["adopt"] : undefined,
  });
  const outputs = definedOnly({
    ...managed,
    ownerOrgno: scope.owner_orgno,
    active: scope.active,
    created: scope.created,
    lastUpdated: scope.last_updated,
  });
  return { inputs: managed, outputs };
}

/** The form `check` gives the same value, so equal meaning compares equal in `diff`. */
function normalized(field: OptionalScopeField, value: unknown): unknown {
  if (field === "allowedIntegrationTypes" && Array.isArray(value)) return [...new Set(value)].sort();
  return value;
}
