/**
 * The crash soak's short variant, with a fixed seed: three runs, one `kill -9` of the engine in each of create,
 * change and destroy, each followed by Pulumi's recovery steps (`npm run soak:crash` runs 30 and more;
 * docs/benchmarks.md has its numbers). Whatever the kill leaves, after the recovery there must be no duplicate,
 * no orphan, nothing in the state that Digdir lacks, a converged stack and no secret in any output; and the
 * language host and the provider must not outlive the engine.
 */
import { describeEngine } from "../e2e/harness";
import { runCrashSoak } from "./crash";

const THREE_RUNS_MS = 8 * 60 * 1000;

describeEngine("the crash soak, short", () => {
  it(
    "after a kill -9 of the engine in create, change and destroy and Pulumi's recovery steps, nothing is duplicated, orphaned, lost or leaked",
    async () => {
      const report = await runCrashSoak({ seed: 16, runs: 3, log: () => undefined }, "jest test/soak/crash.test.ts");
      // The kills happened: the seed puts each inside its operation.
      expect({ kills: report.kills, finishedBeforeKill: report.finishedBeforeKill }).toEqual({
        kills: { create: 1, change: 1, destroy: 1 },
        finishedBeforeKill: 0,
      });
      expect(report.checks).toBeGreaterThanOrEqual(5);
      // The secret scan had the generated keys' private forms to look for, not only the admin keys'.
      expect(report.generatedSecretsWatched).toBeGreaterThan(0);
      expect({
        problems: report.problems,
        stuck: report.recovery.stuck,
        unreadableState: report.recovery.unreadableState,
        duplicates: report.duplicates,
        orphanClients: report.orphanClients,
        orphanKeys: report.orphanKeys,
        orphanScopes: report.orphanScopes,
        orphanGrants: report.orphanGrants,
        stateMismatches: report.stateMismatches,
        notConverged: report.notConverged,
        secretLeaks: report.secretLeaks,
        languageHostOutlivedTheEngine: report.survivors["language host"],
        providerOutlivedTheEngine: report.survivors.provider,
      }).toEqual({
        problems: [],
        stuck: 0,
        unreadableState: 0,
        duplicates: 0,
        orphanClients: 0,
        orphanKeys: 0,
        orphanScopes: 0,
        orphanGrants: 0,
        stateMismatches: 0,
        notConverged: 0,
        secretLeaks: 0,
        languageHostOutlivedTheEngine: 0,
        providerOutlivedTheEngine: 0,
      });
    },
    THREE_RUNS_MS,
  );
});
