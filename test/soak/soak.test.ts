/**
 * The soak's short variant, with a fixed seed: two cycles of up → change → destroy under random faults, and
 * two runs of five keys on one client (`npm run soak` runs many more; docs/benchmarks.md has its numbers).
 * Then, made to happen, the fault that used to leave a duplicate client: a create whose response is lost and
 * whose lookup fails as well.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { publicKeys } from "../bench/programs";
import { describeEngine, ENGINE_TIMEOUT_MS, makeProject, removeProject, stackFor, useEngineSimulator } from "../e2e/harness";
import { observe, problemsAfterDestroy, problemsAfterUp } from "./invariants";
import { MODEL_FILE, SOAK_PROGRAM, SOAK_SUBSCOPES, type SoakModel } from "./model";
import { runSoak } from "./soak";

describeEngine("the fault soak, short", () => {
  it(
    "converges under faults with no duplicate, no orphan, the state matching Maskinporten and no secret in any output",
    async () => {
      const report = await runSoak({ seed: 20260, cycles: 2, fiveKeyRuns: 2, maxAttempts: 5, log: () => undefined }, "jest test/soak");
      expect(report).toMatchObject({ cycles: 2, duplicateClients: 0, orphanKeys: 0, orphanGrants: 0, secretLeaks: 0, fiveKeys: { runs: 2, allFiveRegistered: 2 } });
      // Two checks after up and one after destroy per cycle.
      expect(report.checks).toBe(6);
      expect(Object.values(report.faultsArmed).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6);
    },
    ENGINE_TIMEOUT_MS,
  );
});

describeEngine("a client create whose response is lost and whose lookup fails too", () => {
  const sim = useEngineSimulator();

  it(
    "fails the up, keeps the client under its client_id, and the next up finishes it: one client",
    async () => {
      const [owner, consumer] = sim().orgs;
      const [key] = await publicKeys(1);
      const model: SoakModel = {
        consumerOrgno: consumer!.orgno,
        clientName: "lost-and-unconfirmed",
        scopes: [...SOAK_SUBSCOPES],
        grants: [{ subscope: "soak.a", orgno: consumer!.orgno }],
        clientScopes: ["soak.a"],
        keys: [{ kid: "lost-0", publicKey: { ...key!, kid: "lost-0" } }],
      };
      const dir = makeProject("unconfirmed-client", { "index.ts": SOAK_PROGRAM });
      try {
        writeFileSync(join(dir, MODEL_FILE), JSON.stringify(model));
        const { stack } = await stackFor(dir, sim(), { owner: owner!.orgno, consumer: consumer!.orgno });
        await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
        await sim().control.addFault({ method: "GET", path: "/api/v1/clients/*", kind: "status", status: 500, count: 1 });
        await expect(stack.up()).rejects.toThrow(/may have been created/);
        expect((await sim().control.faults()).map((f) => f.hits)).toEqual([1, 1]);

        await stack.up();
        expect(problemsAfterUp(await observe(sim(), stack, owner!.orgno, model), model)).toEqual([]);
        await stack.preview({ expectNoChanges: true });
        await stack.destroy();
        expect(problemsAfterDestroy(await observe(sim(), stack, owner!.orgno, model), model)).toEqual([]);
      } finally {
        await sim().control.clearFaults();
        removeProject(dir);
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
