/**
 * The soak's short variant, with a fixed seed: two cycles of up → change → destroy under random faults, and
 * two runs of five keys on one client (`npm run soak` runs many more; docs/benchmarks.md has its numbers).
 * Then, made to happen, the fault that used to leave a duplicate client: a create whose response is lost and
 * whose lookup fails as well; the client's ownership marker lets the next up find it.
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
      expect(report).toMatchObject({
        cycles: 2,
        duplicateClients: 0,
        orphanKeys: 0,
        orphanGrants: 0,
        secretLeaks: 0,
        fiveKeys: { runs: 2, allFiveRegistered: 2 },
      });
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
    "fails the up; the next up finds the client by its ownership marker and finishes it: one client",
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
        // The POST lands after a delay and its answer is lost; the list read after it (not the one before) fails.
        const since = await sim().control.lastSeq();
        await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "latency", latencyMs: 1500, count: 1 });
        await sim().control.addFault({ method: "POST", path: "/api/v1/clients", kind: "drop-after-commit", count: 1 });
        const failing = stack.up().then(
          () => new Error("the up succeeded"),
          (err: unknown) => err,
        );
        while (!(await sim().control.requestLog({ since })).some((e) => e.method === "GET" && e.route === "/api/v1/clients")) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await sim().control.addFault({ method: "GET", path: "/api/v1/clients", kind: "status", status: 500, count: 1 });
        expect(String(await failing)).toMatch(/may have been created/);
        expect((await sim().control.faults()).map((f) => f.hits)).toEqual([1, 1, 1]);
        expect(
          (await sim().control.portal(consumer!.orgno).listClients(true)).filter((c) => c.client_name === model.clientName),
        ).toHaveLength(1);

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
