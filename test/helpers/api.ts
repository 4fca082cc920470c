/** Connects the API client to a simulator as one of its organisations, with quick retries for tests. */
import { connect, type Connection, type ConnectionSettings } from "../../provider/api/connection";
import { resolveEndpoints } from "../../provider/api/environments";
import type { CredentialSpec } from "../../provider/api/credentials";
import type { SimulatorHandle, SimulatorOrg } from "../../simulator";

export const FAST_RETRIES = { baseDelayMs: 5, maxDelayMs: 40, deadlineMs: 10_000 } as const;

export function simulatorEndpoints(sim: SimulatorHandle) {
  return resolveEndpoints({ issuer: sim.issuer, apiBaseUrl: sim.apiBaseUrl }, (k) => `maskinporten:${k}`);
}

export function adminCredential(org: SimulatorOrg): CredentialSpec {
  return { clientId: org.adminClientId, privateKey: JSON.stringify(org.adminKey) };
}

export function connectAs(sim: SimulatorHandle, org: SimulatorOrg, overrides: Partial<ConnectionSettings> = {}): Connection {
  return connect({
    endpoints: simulatorEndpoints(sim),
    credential: adminCredential(org),
    transport: { ...FAST_RETRIES },
    ...overrides,
  });
}
