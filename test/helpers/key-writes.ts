/**
 * The requests a provider key change makes, by the simulator's `singleKeyEndpoints` switch: single-key writes
 * (`PUT`/`DELETE /jwks/{kid}`) where the server has them, the whole set (`POST`/`DELETE /jwks`) where it does not.
 * Tests that hold, drop or count a key write name it through this, so they run under every variant.
 */
import type { SimulatorHandle } from "../../simulator";

export interface KeyWriteRoutes {
  /** Fault rule fields (`method`, `path`) matching the write that registers a key. */
  addFault: { method: string; path: string };
  /** The counters' route key of the request that removes a client's last key. */
  lastKeyRemoval: string;
}

export function keyWriteRoutes(sim: SimulatorHandle, clientId = "*"): KeyWriteRoutes {
  if (sim.switches.singleKeyEndpoints === "available") {
    return {
      addFault: { method: "PUT", path: `/api/v1/clients/${clientId}/jwks/*` },
      lastKeyRemoval: "DELETE /api/v1/clients/{client_id}/jwks/{kid}",
    };
  }
  return {
    addFault: { method: "POST", path: `/api/v1/clients/${clientId}/jwks` },
    lastKeyRemoval: "DELETE /api/v1/clients/{client_id}/jwks",
  };
}
