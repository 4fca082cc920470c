import type { ApiClient } from "../../provider/api/wire";
import { managedFields, newClientRequest, updatedClientRequest } from "../../provider/resources/client/expand";
import { CLIENT_ORGNO_MANAGED, flattenClient, priorOfOutputs } from "../../provider/resources/client/flatten";
import { markerOf, ownerMarker, withMarker, withoutMarker } from "../../provider/resources/client/owner-marker";
import { clientSchema, type ClientInputs } from "../../provider/resources/client/schema";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

function inputs(values: Record<string, unknown>): ClientInputs {
  return clientSchema().parse({ clientName: "myapp", scopes: ["difitest:open"], ...values });
}

function apiClient(overrides: Partial<ApiClient> = {}): ApiClient {
  return {
    client_id: "c-1",
    client_name: "myapp",
    description: "Fetches things",
    integration_type: "maskinporten",
    application_type: "web",
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: [JWT_BEARER],
    scopes: ["eksempel:b", "difitest:open"],
    client_orgno: "311000004",
    active: true,
    access_token_lifetime: 120,
    authorization_lifetime: 7200,
    jwks: { keys: [{ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB" }] },
    created: "2025-01-01T00:00:00Z",
    last_updated: "2025-01-02T00:00:00Z",
    ...overrides,
  };
}

describe("expand (client inputs → API bodies)", () => {
  it("makes a Maskinporten client, with sorted scopes and the name as description when none is given", () => {
    expect(newClientRequest(inputs({ scopes: ["b:x", "a:y", "b:x"] }))).toEqual({
      integration_type: "maskinporten",
      application_type: "web",
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: [JWT_BEARER],
      client_name: "myapp",
      description: "myapp",
      scopes: ["a:y", "b:x"],
      active: true,
    });
  });

  it("sends the optional fields the program sets, under their wire names, and client_orgno for a supplier", () => {
    const body = newClientRequest(
      inputs({ description: "Mine", accessTokenLifetime: 60, authorizationLifetime: 600, clientOrgno: "312000008", active: false }),
    );
    expect(body).toMatchObject({
      description: "Mine",
      access_token_lifetime: 60,
      authorization_lifetime: 600,
      client_orgno: "312000008",
      active: false,
    });
  });

  it("leaves out what the program leaves out, so the server's value stands", () => {
    expect(managedFields(inputs({}))).toEqual({ client_name: "myapp", scopes: ["difitest:open"], active: true });
  });

  it("a PUT keeps every server-owned field and replaces only the managed ones", () => {
    const current = apiClient({ refresh_token_usage: "ONETIME", someFutureField: "kept" } as Partial<ApiClient>);
    const body = updatedClientRequest(current, inputs({ clientName: "renamed", scopes: ["difitest:open"], accessTokenLifetime: 30 }));
    expect(body).toEqual({
      ...current,
      client_name: "renamed",
      scopes: ["difitest:open"],
      access_token_lifetime: 30,
      active: true,
    });
    expect(body.description).toBe("Fetches things");
    expect(body.jwks).toEqual(current.jwks);
  });
});

describe("flatten (API client → inputs and outputs)", () => {
  it("reports server fields as outputs and only the optional inputs the program set", () => {
    const { inputs: reported, outputs } = flattenClient(apiClient(), { clientName: "myapp", scopes: [], active: true, profile: "owner" });
    expect(reported).toEqual({
      clientId: "c-1",
      clientName: "myapp",
      scopes: ["difitest:open", "eksempel:b"],
      active: true,
      profile: "owner",
    });
    expect(outputs).toEqual({
      ...reported,
      clientOrgno: "311000004",
      integrationType: "maskinporten",
      created: "2025-01-01T00:00:00Z",
      lastUpdated: "2025-01-02T00:00:00Z",
    });
  });

  it("reports the server's value of a managed optional field, and keeps adoptClientId", () => {
    const prior = {
      clientName: "x",
      scopes: [],
      active: true,
      description: "old",
      accessTokenLifetime: 60,
      clientOrgno: "311000004",
      adoptClientId: "c-1",
    };
    const { inputs: reported } = flattenClient(apiClient({ description: "edited in the portal", active: false }), prior);
    expect(reported).toEqual({
      clientId: "c-1",
      clientName: "myapp",
      description: "edited in the portal",
      scopes: ["difitest:open", "eksempel:b"],
      accessTokenLifetime: 120,
      clientOrgno: "311000004",
      active: false,
      adoptClientId: "c-1",
    });
  });

  it("reports clientOrgno as an input only while the program sets it, also when read gets only the outputs", () => {
    // Left out by the program: an output, never an input, so a later preview shows no "- clientOrgno".
    const unmanaged = flattenClient(apiClient(), { clientName: "myapp", scopes: [], active: true });
    expect(unmanaged.outputs).toMatchObject({ clientOrgno: "311000004" });
    expect(unmanaged.outputs).not.toHaveProperty(CLIENT_ORGNO_MANAGED);
    expect(flattenClient(apiClient(), priorOfOutputs(unmanaged.outputs)).inputs).not.toHaveProperty("clientOrgno");
    expect(flattenClient(apiClient(), priorOfOutputs(unmanaged.outputs)).outputs).toEqual(unmanaged.outputs);

    // Set by the program (a supplier's client): marked in the outputs, so read reports it as an input.
    const managed = flattenClient(apiClient(), { clientName: "myapp", scopes: [], active: true, clientOrgno: "311000004" });
    expect(managed.outputs).toMatchObject({ clientOrgno: "311000004", [CLIENT_ORGNO_MANAGED]: true });
    expect(flattenClient(apiClient(), priorOfOutputs(managed.outputs)).inputs).toMatchObject({ clientOrgno: "311000004" });
    expect(flattenClient(apiClient(), priorOfOutputs(managed.outputs)).outputs).toEqual(managed.outputs);

    // State from before the mark: read as unmanaged.
    const { [CLIENT_ORGNO_MANAGED]: _mark, ...older } = managed.outputs;
    expect(flattenClient(apiClient(), priorOfOutputs(older)).inputs).not.toHaveProperty("clientOrgno");
  });

  it("round-trips: the outputs of what expand sent hold the checked inputs", () => {
    const checked = inputs({ description: "d", scopes: ["b:x", "a:y"], accessTokenLifetime: 60, profile: "owner" });
    const sent = newClientRequest(checked);
    const { outputs } = flattenClient(apiClient({ ...sent, client_id: "c-2" } as ApiClient), checked);
    expect(outputs).toMatchObject(checked);
  });

  it("never puts undefined into state", () => {
    const { outputs } = flattenClient(apiClient({ created: undefined, last_updated: undefined, client_name: undefined }), {});
    expect(Object.values(outputs)).not.toContain(undefined);
    expect(outputs["clientName"]).toBe("");
  });
});

describe("the ownership marker in the description", () => {
  const MARKER = "0123456789abcdef";
  const marked = (text: string) => `${text} [pulumi-maskinporten:${MARKER}]`;

  it("a new client carries it at the end of its description, and no client_id", () => {
    expect(newClientRequest(inputs({ description: "Mine", __ownerMarker: MARKER })).description).toBe(marked("Mine"));
    expect(newClientRequest(inputs({ __ownerMarker: MARKER })).description).toBe(marked("myapp"));
    expect(newClientRequest(inputs({ __ownerMarker: MARKER }))).not.toHaveProperty("client_id");
  });

  it("a PUT keeps the marker the client has, and never adds one to a client without it", () => {
    const own = apiClient({ description: marked("Old") });
    expect(updatedClientRequest(own, inputs({ description: "New", __ownerMarker: MARKER })).description).toBe(marked("New"));
    expect(updatedClientRequest(own, inputs({ __ownerMarker: MARKER })).description).toBe(marked("Old"));
    const adopted = apiClient({ description: "Made by hand" });
    expect(updatedClientRequest(adopted, inputs({ description: "New", __ownerMarker: MARKER })).description).toBe("New");
  });

  it("flatten reports the description as the user wrote it, so there is no diff", () => {
    const { inputs: read, outputs } = flattenClient(apiClient({ description: marked("Mine") }), {
      description: "Mine",
      __ownerMarker: MARKER,
    });
    expect(read).toMatchObject({ description: "Mine", __ownerMarker: MARKER });
    expect(outputs).toMatchObject({ description: "Mine" });
  });

  it("is deterministic, and differs for another resource, stack or clientOrgno", () => {
    const parts = { organization: "acme", project: "p", stack: "prod", parent: "", name: "api", clientOrgno: undefined };
    expect(ownerMarker(parts)).toMatch(/^[0-9a-f]{16}$/);
    expect(ownerMarker(parts)).toBe(ownerMarker({ ...parts }));
    for (const other of [
      { name: "api2" },
      { stack: "test" },
      { clientOrgno: "311000004" },
      { parent: "urn:pulumi:prod::p::c::x" },
      { organization: "other" },
    ]) {
      expect(ownerMarker({ ...parts, ...other })).not.toBe(ownerMarker(parts));
    }
    expect(markerOf(withMarker("text", MARKER))).toBe(MARKER);
    expect(withoutMarker(withMarker("text", MARKER))).toBe("text");
    expect(markerOf("text [pulumi-maskinporten:nothex]")).toBeUndefined();
  });

  it("check refuses a description that holds a marker, and a malformed __ownerMarker", () => {
    expect(clientSchema().safeParse({ clientName: "a", scopes: ["a:b"], description: "x [pulumi-maskinporten:0123]" }).success).toBe(false);
    expect(clientSchema().safeParse({ clientName: "a", scopes: ["a:b"], __ownerMarker: "XYZ" }).success).toBe(false);
  });
});
