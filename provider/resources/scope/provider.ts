/**
 * The `Scope` resource: a scope an API owner defines, `prefix:subscope`, its name being its id.
 *
 * Maskinporten never deletes a scope: delete deactivates it, and creating it again answers 409, upon which
 * the scope is reactivated with the program's fields (the same name comes back). An active scope that
 * exists already is taken over silently only when it is exactly what the program declares (what this
 * resource's own create would have made: an earlier run that crashed or lost the answer after its POST);
 * one that differs needs `adopt: true`, so two stacks never silently fight over one scope.
 */
import { ApiError, CreateOutcomeUnknownError, MaskinportenError, ResourceInitError } from "../../api/errors";
import type { MaskinportenApi } from "../../api/maskinporten-api";
import type { ApiScope } from "../../api/wire";
import { NEEDS } from "../../api/admin-scopes";
import { previewAdoption, type AdoptionSubject } from "../shared/adoption-preview";
import { previewFailures, worthChecking } from "../shared/preview-checks";
import { diffFields, type FieldSpec, type FieldSpecs } from "../shared/diff";
import { apiFor, checkResource, parseChecked } from "../shared/methods";
import { gone, initFailureProperties } from "../shared/outputs";
import type { ResourceImplementation } from "../shared/types";
import { unconfirmedCreate, wasUnconfirmed } from "../shared/unconfirmed";
import { containsUnknown } from "../shared/unknown";
import { expandCreate, expandUpdate } from "./expand";
import { flattenScope } from "./flatten";
import {
  DERIVED_SCOPE_INPUTS,
  derivedScopeInputs,
  OPTIONAL_SCOPE_FIELDS,
  scopeName,
  scopeSchema,
  type OptionalScopeField,
  type ScopeInputs,
} from "./schema";

/** `adopt` only matters when the scope is created, so changing it later changes nothing. */
type DiffedInputs = Omit<ScopeInputs, "adopt">;

function diffSpecs(): FieldSpecs<DiffedInputs> {
  const optional = Object.fromEntries(
    (Object.keys(OPTIONAL_SCOPE_FIELDS) as OptionalScopeField[]).map((field): [OptionalScopeField, FieldSpec] => [
      field,
      { unmanagedWhenUnset: true },
    ]),
  ) as Record<OptionalScopeField, FieldSpec>;
  return {
    prefix: { replaces: true },
    subscope: { replaces: true },
    description: {},
    ...optional,
    profile: {},
  };
}

export const scopeProvider: ResourceImplementation = {
  async check(olds, news) {
    const checked = checkResource(scopeSchema(), news, derivedScopeInputs);
    const inputs = checked.inputs as Record<string, unknown> | undefined;
    if (checked.failures?.length || !inputs) return checked;
    if (worthChecking(olds, inputs, DERIVED_SCOPE_INPUTS)) {
      const failures = await previewFailures({
        profile: inputs["profile"],
        need: NEEDS.writeScopes,
        operation: olds["name"] === undefined ? "create scope" : "update scope",
        ownPrefix: { property: "prefix", value: inputs["prefix"] },
      });
      if (failures.length > 0) return { inputs, failures };
    }
    if (inputs["adopt"] !== true || olds["name"] !== undefined) return checked;
    return { ...checked, inputs: { ...inputs, ...(await previewAdoption(scopeAdoption(inputs))) } };
  },

  async diff(_id, olds, news) {
    return diffFields(olds, news, diffSpecs());
  },

  async create(news) {
    const desired = parseChecked(scopeSchema(), news, DERIVED_SCOPE_INPUTS);
    const scope = await createOrTakeOver(apiFor(desired), desired, news);
    return { id: scope.name, outs: flattenScope(scope, desired).outputs };
  },

  async read(id, props) {
    const scope = (await apiFor(props).sharedScopes()).find((s) => s.name === id);
    if (!scope?.active) return gone();
    const { inputs, outputs } = flattenScope(scope, props);
    return { id, props: outputs, inputs };
  },

  async update(id, olds, news) {
    const desired = parseChecked(scopeSchema(), news, DERIVED_SCOPE_INPUTS);
    const api = apiFor(desired);
    const current = await api.findScope(id);
    if (!current && wasUnconfirmed(olds)) {
      return { outs: flattenScope(await createOrTakeOver(api, desired, news), desired).outputs };
    }
    if (!current) {
      throw new MaskinportenError(
        "SCOPE_NOT_FOUND",
        `scope ${id} does not exist at Maskinporten any more; run \`pulumi refresh\` so the stack forgets it, then \`pulumi up\` creates it again`,
      );
    }
    const updated = await api.updateScope(id, expandUpdate(desired, current));
    return { outs: flattenScope(updated, desired).outputs };
  },

  async delete(id, props) {
    await apiFor(props).deleteScope(id);
  },
};

/** The scope of the program's name, read from the shared list of the credential's scopes, against the program. */
function scopeAdoption(inputs: Record<string, unknown>): AdoptionSubject {
  const name = inputs["name"];
  return {
    what: `Scope ${containsUnknown(name) ? "(name not known yet)" : String(name)} with adopt: true`,
    wanted: inputs,
    specs: diffSpecs(),
    async read() {
      if (containsUnknown(name) || containsUnknown(inputs["profile"]))
        return { notPreviewable: "its name or profile is not known during preview" };
      const found = (await apiFor(inputs).sharedScopes()).find((s) => s.name === name);
      return found ? { found: flattenScope(found, inputs).outputs } : { absent: true };
    },
  };
}

/**
 * Looks the name up before creating: a create whose response is lost is then recognised by name without
 * mistaking a scope made elsewhere for this one. A scope that appears between the lookup and the POST still
 * answers 409 and takes the same path.
 */
async function createOrTakeOver(api: MaskinportenApi, desired: ScopeInputs, news: Record<string, unknown>): Promise<ApiScope> {
  const existing = await api.findScope(scopeName(desired));
  if (existing) return takeOver(api, desired, news, existing);
  const request = expandCreate(desired);
  try {
    return await api.createScope(request);
  } catch (err) {
    if (err instanceof CreateOutcomeUnknownError) {
      const name = scopeName(desired);
      throw unconfirmedCreate(name, news, flattenScope({ ...request, name, active: true } as ApiScope, desired).outputs, err);
    }
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    const found = await api.findScope(scopeName(desired));
    if (!found) throw err;
    return takeOver(api, desired, news, found);
  }
}

/**
 * A scope of this name exists: a deactivated one is reactivated; an active one that matches the program is
 * taken as it is; an active one that differs is adopted only when the program says so, and written only where
 * it differs from the program.
 */
async function takeOver(api: MaskinportenApi, desired: ScopeInputs, news: Record<string, unknown>, existing: ApiScope): Promise<ApiScope> {
  const name = scopeName(desired);
  const matches = !diffFields(flattenScope(existing, desired).outputs, desired, diffSpecs()).changes;
  if (existing.active && matches) return existing;
  if (existing.active && !desired.adopt) throw alreadyManaged(name);
  try {
    return await api.updateScope(name, expandUpdate(desired, existing));
  } catch (err) {
    // The scope exists and is now this resource's: keep it in state so the next `up` finishes with an update.
    throw new ResourceInitError(name, initFailureProperties(news, flattenScope(existing, desired).outputs), err);
  }
}

function alreadyManaged(name: string): MaskinportenError {
  return new MaskinportenError(
    "SCOPE_EXISTS",
    `scope ${name} already exists and is active, and differs from what the program declares (made in the portal, by another stack, ` +
      "or by an earlier run that lost its state). " +
      "To manage it from this program, set `adopt: true` on the Scope, after making sure nothing else manages it " +
      "(two managers overwrite each other's changes and one of them would deactivate it on destroy); or choose another subscope.",
  );
}
