/**
 * The pure halves of Scope and ScopeGrant: inputs → API bodies and API objects → inputs/outputs, checked
 * without any server, including the round trip that makes a second preview show no change.
 */
import type { ApiScope, ScopeAccess } from "../../provider/api/wire";
import { expandCreate, expandUpdate } from "../../provider/resources/scope/expand";
import { flattenScope } from "../../provider/resources/scope/flatten";
import { scopeSchema, type ScopeInputs } from "../../provider/resources/scope/schema";
import { grantId, parseGrantId } from "../../provider/resources/scope-grant/expand";
import { flattenGrant } from "../../provider/resources/scope-grant/flatten";

const minimal: ScopeInputs = { prefix: "eksempel", subscope: "instances.read", description: "Read instances" };

const full: ScopeInputs = {
  ...minimal,
  longDescription: "All of them",
  visibility: "PRIVATE",
  allowedIntegrationTypes: ["idporten", "maskinporten"],
  accessibleForAll: false,
  tokenType: "OPAQUE",
  atMaxAge: 300,
  authorizationMaxLifetime: 7200,
  delegationSource: "https://www.altinn.no",
  requiresUserConsent: true,
  requiresUserAuthentication: true,
  requiresPseudonymousTokens: false,
  enforcedAudForAccessToken: "https://api.eksempel.no",
  adopt: true,
  profile: "owner",
};

/** A scope as the API returns it, with its defaults, timestamps and a field not in the spec. */
function apiScope(overrides: Partial<ApiScope> = {}): ApiScope {
  return {
    name: "eksempel:instances.read",
    prefix: "eksempel",
    subscope: "instances.read",
    description: "Read instances",
    active: true,
    owner_orgno: "311000004",
    allowed_integration_types: ["maskinporten"],
    token_type: "SELF_CONTAINED",
    visibility: "PUBLIC",
    accessible_for_all: false,
    requires_user_consent: false,
    requires_user_authentication: false,
    requires_pseudonymous_tokens: false,
    created: "2026-01-01T00:00:00Z",
    last_updated: "2026-01-02T00:00:00Z",
    "description#en": "Read instances (en)",
    ...overrides,
  };
}

describe("expandCreate", () => {
  it("sends the required fields and nothing the program left out", () => {
    expect(expandCreate(minimal)).toEqual({ prefix: "eksempel", subscope: "instances.read", description: "Read instances" });
  });

  it("maps every optional field to its wire name, and never profile or adopt", () => {
    expect(expandCreate(full)).toEqual({
      prefix: "eksempel",
      subscope: "instances.read",
      description: "Read instances",
      long_description: "All of them",
      visibility: "PRIVATE",
      allowed_integration_types: ["idporten", "maskinporten"],
      accessible_for_all: false,
      token_type: "OPAQUE",
      at_max_age: 300,
      authorization_max_lifetime: 7200,
      delegation_source: "https://www.altinn.no",
      requires_user_consent: true,
      requires_user_authentication: true,
      requires_pseudonymous_tokens: false,
      enforced_aud_for_access_token: "https://api.eksempel.no",
    });
  });
});

describe("expandUpdate", () => {
  it("sends the current scope back with the program's fields over it, reactivated, without timestamps", () => {
    const current = apiScope({ active: false, long_description: "set in the portal", visibility: "INTERNAL" });
    const body = expandUpdate({ ...minimal, description: "New text", visibility: "PRIVATE" }, current);
    expect(body).toEqual({
      name: "eksempel:instances.read",
      prefix: "eksempel",
      subscope: "instances.read",
      owner_orgno: "311000004",
      description: "New text",
      long_description: "set in the portal",
      visibility: "PRIVATE",
      allowed_integration_types: ["maskinporten"],
      token_type: "SELF_CONTAINED",
      accessible_for_all: false,
      requires_user_consent: false,
      requires_user_authentication: false,
      requires_pseudonymous_tokens: false,
      "description#en": "Read instances (en)",
      active: true,
    });
  });
});

describe("flattenScope", () => {
  it("reports only the fields the program manages, and the server's fields as outputs", () => {
    const { inputs, outputs } = flattenScope(apiScope(), minimal);
    expect(inputs).toEqual({ ...minimal, name: "eksempel:instances.read" });
    expect(outputs).toEqual({
      ...minimal,
      name: "eksempel:instances.read",
      ownerOrgno: "311000004",
      active: true,
      created: "2026-01-01T00:00:00Z",
      lastUpdated: "2026-01-02T00:00:00Z",
    });
  });

  it("takes managed values from the server (drift), sorted like check sorts them", () => {
    const scope = apiScope({
      description: "edited in the portal",
      visibility: "INTERNAL",
      allowed_integration_types: ["maskinporten", "idporten", "maskinporten"],
    });
    const { inputs } = flattenScope(scope, { ...minimal, visibility: "PRIVATE", allowedIntegrationTypes: ["idporten", "maskinporten"] });
    expect(inputs).toEqual({
      ...minimal,
      name: "eksempel:instances.read",
      description: "edited in the portal",
      visibility: "INTERNAL",
      allowedIntegrationTypes: ["idporten", "maskinporten"],
    });
  });

  it("drops a managed field the server no longer has, so the next diff shows it", () => {
    const { inputs, outputs } = flattenScope(apiScope(), { ...minimal, longDescription: "mine" });
    expect(inputs).not.toHaveProperty("longDescription");
    expect(outputs).not.toHaveProperty("longDescription");
  });

  it("keeps profile and adopt from the prior inputs, and ignores server fields found there", () => {
    const prior = { ...minimal, profile: "owner", adopt: true, name: "stale", active: false, __provider: "text" };
    const { inputs, outputs } = flattenScope(apiScope(), prior);
    expect(inputs).toEqual({ ...minimal, name: "eksempel:instances.read", profile: "owner", adopt: true });
    expect(outputs).toMatchObject({ name: "eksempel:instances.read", active: true, profile: "owner", adopt: true });
    expect(outputs).not.toHaveProperty("__provider");
  });

  it("never puts undefined into outputs", () => {
    const { created: _c, last_updated: _u, ...withoutTimes } = apiScope();
    const { outputs } = flattenScope(withoutTimes as ApiScope, full);
    expect(Object.values(outputs)).not.toContain(undefined);
  });

  it("round-trips: what the API returns for the program's body flattens to the checked inputs and their name", () => {
    const checked = scopeSchema().parse({ ...full, allowedIntegrationTypes: ["maskinporten", "idporten", "idporten"] });
    const { prefix, subscope, ...fields } = expandCreate(checked);
    const returned = apiScope({ ...fields, prefix, subscope });
    expect(flattenScope(returned, checked).inputs).toEqual({ ...checked, name: "eksempel:instances.read" });
  });
});

describe("grant ids", () => {
  it("are <scope>/<orgno>, and parse back when the scope name holds slashes", () => {
    const address = { scope: "eksempel:api/v2/read", consumerOrgno: "312000008" };
    expect(grantId(address)).toBe("eksempel:api/v2/read/312000008");
    expect(parseGrantId(grantId(address))).toEqual(address);
  });

  it.each(["eksempel:read", "eksempel:read/31200000", "/312000008", "eksempel:read/3120000081", ""])("%j is not a grant id", (id) => {
    expect(parseGrantId(id)).toBeUndefined();
  });
});

describe("flattenGrant", () => {
  const access: ScopeAccess = {
    scope: "eksempel:read",
    state: "APPROVED",
    owner_orgno: "311000004",
    owner_organization_name: "Eksempel API-tilbyder AS",
    consumer_orgno: "312000008",
    consumer_organization_name: "Eksempel Konsument AS",
    created: "2026-01-01T00:00:00Z",
    last_updated: "2026-01-01T00:00:00Z",
  };

  it("gives the inputs the API knows, the profile from before, and the grant's fields as outputs", () => {
    const { inputs, outputs } = flattenGrant(access, {
      scope: "eksempel:read",
      consumerOrgno: "312000008",
      profile: "owner",
      state: "DENIED",
    });
    expect(inputs).toEqual({ scope: "eksempel:read", consumerOrgno: "312000008", profile: "owner" });
    expect(outputs).toEqual({
      ...inputs,
      state: "APPROVED",
      ownerOrgno: "311000004",
      consumerOrganizationName: "Eksempel Konsument AS",
      created: "2026-01-01T00:00:00Z",
      lastUpdated: "2026-01-01T00:00:00Z",
    });
  });

  it("leaves out what the API did not send", () => {
    const { outputs } = flattenGrant({ scope: "eksempel:read", consumer_orgno: "312000008", state: "APPROVED" }, {});
    expect(outputs).toEqual({ scope: "eksempel:read", consumerOrgno: "312000008", state: "APPROVED" });
  });
});
