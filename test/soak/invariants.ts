/**
 * What must hold after every converged run of the soak, read from the simulator's portal (the ground truth)
 * and the stack's state. Each check returns the problems it found; none is the only good answer.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { SimulatorHandle } from "../../simulator";
import { scopeName, SOAK_PREFIX, type SoakModel } from "./model";

export interface Observed {
  /** Active scopes of the soak's prefix. */
  scopes: string[];
  /** APPROVED grants of those scopes, as `<scope>/<orgno>`. */
  grants: string[];
  /** Every client of the cycle's name, deactivated ones included. */
  clients: { clientId: string; active: boolean; scopes: string[] }[];
  /** Kids registered on each of those clients. */
  kids: Record<string, string[]>;
  /** Ids in the stack's state, per resource type (`Scope`, `ScopeGrant`, `Client`, `ClientKey`). */
  state: Record<string, string[]>;
}

export async function observe(sim: SimulatorHandle, stack: Stack, owner: string, model: SoakModel): Promise<Observed> {
  const ownerPortal = sim.control.portal(owner);
  const consumerPortal = sim.control.portal(model.consumerOrgno);
  const scopes = (await ownerPortal.listScopes(true)).filter((s) => s.name.startsWith(`${SOAK_PREFIX}:soak.`));
  const grants: string[] = [];
  for (const scope of scopes) {
    for (const g of await ownerPortal.grantsGiven({ scope: scope.name }))
      if (g.state === "APPROVED") grants.push(`${g.scope}/${g.consumer_orgno}`);
  }
  const clients = (await consumerPortal.listClients(true)).filter((c) => c.client_name === model.clientName);
  const kids: Record<string, string[]> = {};
  for (const client of clients) {
    const response = await consumerPortal.request<{ keys?: { kid?: string }[] }>(
      "GET",
      `/clients/${encodeURIComponent(client.client_id)}/jwks`,
    );
    kids[client.client_id] = response.status === 404 ? [] : (response.body.keys ?? []).map((k) => k.kid ?? "?").sort();
  }
  return {
    scopes: scopes
      .filter((s) => s.active)
      .map((s) => s.name)
      .sort(),
    grants: grants.sort(),
    clients: clients.map((c) => ({ clientId: c.client_id, active: c.active !== false, scopes: [...c.scopes].sort() })),
    kids,
    state: await stateIds(stack),
  };
}

async function stateIds(stack: Stack): Promise<Record<string, string[]>> {
  const { deployment } = await stack.exportStack();
  const resources = ((deployment as { resources?: { type: string; id?: string }[] }).resources ?? []).filter((r) =>
    r.type.startsWith("pulumi-nodejs:dynamic/maskinporten:"),
  );
  const ids: Record<string, string[]> = {};
  for (const r of resources) (ids[r.type.slice(r.type.lastIndexOf(":") + 1)] ??= []).push(r.id ?? "");
  for (const list of Object.values(ids)) list.sort();
  return ids;
}

/** After an `up`: exactly the model at Maskinporten, one client of the name, and the stack holding just that. */
export function problemsAfterUp(observed: Observed, model: SoakModel): string[] {
  const problems: string[] = [];
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted))
      problems.push(`${what}: ${JSON.stringify(actual)}, wanted ${JSON.stringify(wanted)}`);
  };
  const scopes = model.scopes.map(scopeName).sort();
  const grants = model.grants.map((g) => `${scopeName(g.subscope)}/${g.orgno}`).sort();
  const kids = model.keys.map((k) => k.kid).sort();
  expect("active scopes", observed.scopes, scopes);
  expect("approved grants", observed.grants, grants);
  expect(`clients named ${model.clientName} (a duplicate if more than one)`, observed.clients.length, 1);
  const client = observed.clients[0];
  if (client) {
    expect("the client is active", client.active, true);
    expect("the client's scopes", client.scopes, model.clientScopes.map(scopeName).sort());
    expect("the client's keys", observed.kids[client.clientId], kids);
  }
  expect("Scope ids in the state", observed.state["Scope"] ?? [], scopes);
  expect("ScopeGrant ids in the state", observed.state["ScopeGrant"] ?? [], grants);
  expect("Client ids in the state", observed.state["Client"] ?? [], client ? [client.clientId] : []);
  expect(
    "ClientKey ids in the state",
    observed.state["ClientKey"] ?? [],
    client ? kids.map((kid) => `${client.clientId}/${kid}`).sort() : [],
  );
  return problems;
}

/** After a `destroy`: nothing of the soak active, no key left, the one client deactivated, an empty stack. */
export function problemsAfterDestroy(observed: Observed, model: SoakModel): string[] {
  const problems: string[] = [];
  if (observed.scopes.length > 0) problems.push(`scopes still active: ${observed.scopes.join(", ")}`);
  if (observed.grants.length > 0) problems.push(`grants still approved: ${observed.grants.join(", ")}`);
  if (observed.clients.length !== 1)
    problems.push(`${observed.clients.length} clients named ${model.clientName} (a duplicate if more than one)`);
  for (const client of observed.clients) {
    if (client.active) problems.push(`client ${client.clientId} is still active`);
    if ((observed.kids[client.clientId] ?? []).length > 0)
      problems.push(`client ${client.clientId} still has keys ${observed.kids[client.clientId]!.join(", ")}`);
  }
  const left = Object.entries(observed.state).filter(([, ids]) => ids.length > 0);
  if (left.length > 0) problems.push(`the stack still holds ${left.map(([type, ids]) => `${ids.length} ${type}`).join(", ")}`);
  return problems;
}

/** Counts for the report: clients beyond the first of a name, keys and grants Maskinporten has beyond the state's. */
export function strays(observed: Observed): { duplicateClients: number; orphanKeys: number; orphanGrants: number } {
  const stateKeys = new Set(observed.state["ClientKey"] ?? []);
  const stateGrants = new Set(observed.state["ScopeGrant"] ?? []);
  const orphanKeys = Object.entries(observed.kids).flatMap(([clientId, kids]) =>
    kids.filter((kid) => !stateKeys.has(`${clientId}/${kid}`)),
  ).length;
  return {
    duplicateClients: Math.max(0, observed.clients.length - 1),
    orphanKeys,
    orphanGrants: observed.grants.filter((g) => !stateGrants.has(g)).length,
  };
}
