/** Scope inputs → the self-service API's request bodies. Pure. */
import type { ApiScope, ScopeRequest } from "../../api/wire";
import { OPTIONAL_SCOPE_FIELDS, type OptionalScopeField, type ScopeInputs } from "./schema";

export type ScopeCreateRequest = ScopeRequest & { prefix: string; subscope: string };

/** The POST body: the required fields and every optional field the program sets. */
export function expandCreate(inputs: ScopeInputs): ScopeCreateRequest {
  const body: Record<string, unknown> = { prefix: inputs.prefix, subscope: inputs.subscope, description: inputs.description };
  for (const field of Object.keys(OPTIONAL_SCOPE_FIELDS) as OptionalScopeField[]) {
    const value = inputs[field];
    if (value !== undefined) body[OPTIONAL_SCOPE_FIELDS[field]] = value;
  }
  return body as ScopeCreateRequest;
}

/**
 * The PUT body: the API replaces the whole scope, so the current scope is sent back (without its
 * server-owned timestamps) with the program's fields over it. Fields the program leaves out keep their
 * current value, and the scope is (re)activated: the program declares that it exists.
 */
export function expandUpdate(inputs: ScopeInputs, current: ApiScope): ScopeRequest {
  const { created: _created, last_updated: _lastUpdated, ...kept } = current;
  return { ...kept, ...expandCreate(inputs), active: true };
}
