/**
 * The simulator's throughput on loopback, measured by scripts/bench-loadgen.js in a separate process against
 * a simulator of its own (in this process): token requests, a read of one client, and the list of 200
 * clients with a key each (what a refresh of the benchmark's largest stack reads).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestSimulator } from "../helpers/simulator-variant";
import type { PortalClient } from "../../simulator/control";
import { REPO } from "../e2e/harness";
import { customerOrgnos, publicKeys } from "./programs";

export interface ThroughputResult {
  name: string;
  route: string;
  connections: number;
  requests: number;
  ok: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

const LIST_SIZE = 200;

export async function measureThroughput(options: { durationMs: number; connections: number }): Promise<ThroughputResult[]> {
  const sim = await startTestSimulator({ quiet: true });
  try {
    const supplier = sim.orgs[2]!;
    await seedClients(sim.control.portal(supplier.orgno), LIST_SIZE);
    const base = {
      tokenEndpoint: sim.tokenEndpoint,
      issuer: sim.issuer,
      clientId: supplier.adminClientId,
      privateJwk: supplier.adminKey,
      scope: "idporten:dcr.read",
      connections: options.connections,
      durationMs: options.durationMs,
    };
    const targets = [
      { name: "token", route: "POST /token", target: "token" },
      {
        name: "read one client",
        route: "GET /api/v1/clients/{client_id}",
        target: "get",
        url: `${sim.apiBaseUrl}/clients/${supplier.adminClientId}`,
      },
      {
        name: `list ${LIST_SIZE} clients`,
        route: "GET /api/v1/clients?inactive=true",
        target: "get",
        url: `${sim.apiBaseUrl}/clients?inactive=true`,
      },
    ];
    const results: ThroughputResult[] = [];
    for (const { name, route, ...target } of targets) {
      const measured = await loadgen({ ...base, ...target });
      if (measured.ok !== measured.requests) throw new Error(`throughput of ${route}: ${measured.requests - measured.ok} requests failed`);
      results.push({ name, route, connections: options.connections, ...measured });
    }
    return results;
  } finally {
    await sim.close();
  }
}

/** Clients made by the supplier for customers, each with a registered key, as the benchmark's program A makes them. */
async function seedClients(portal: PortalClient, count: number): Promise<void> {
  const keys = await publicKeys(count);
  const orgnos = customerOrgnos(count, 39000000);
  for (const [i, orgno] of orgnos.entries()) {
    const client = await portal.createClient({
      client_name: `throughput-${i}`,
      client_orgno: orgno,
      integration_type: "maskinporten",
      application_type: "web",
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
      scopes: ["difitest:open"],
    });
    await portal.replaceKeys(client.client_id, [{ ...keys[i]!, alg: "RS256", use: "sig" } as never]);
  }
}

async function loadgen(args: Record<string, unknown>): Promise<Omit<ThroughputResult, "name" | "route" | "connections">> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, "scripts", "bench-loadgen.js"), JSON.stringify(args)], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout);
}
