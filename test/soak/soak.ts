/**
 * The fault soak: cycles of up → change → destroy of a quickstart-shaped program through the real engine,
 * each operation under seeded random faults (latency spikes, 429 with Retry-After, 5xx, connection resets,
 * responses dropped after the change was made). A failed operation is run again, faults left as they are,
 * until it succeeds (at most `maxAttempts`). After each success the simulator, the stack and a preview must
 * agree with the program, and no secret may be in any output or in the stored state. Then five keys on one
 * client in one `up`, many times over. Any broken invariant stops the soak with what was found.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../../simulator/faults";
import type { SimulatorHandle } from "../../simulator";
import { startTestSimulator } from "../helpers/simulator-variant";
import { makeProject, privateJwkParts, removeProject, secretsIn, stackFor, storedState } from "../e2e/harness";
import { publicKeys } from "../bench/programs";
import { faultPlan, FAULT_LABELS, labelOfHit, type FaultLabel } from "./fault-plan";
import { observe, problemsAfterDestroy, problemsAfterUp, strays } from "./invariants";
import { baseModel, changedModel, FIVE_KEYS_PROGRAM, MODEL_FILE, SOAK_PROGRAM, type Change, type SoakModel } from "./model";

export interface SoakOptions {
  seed: number;
  cycles: number;
  /** Runs of five keys on one client in one `up`. */
  fiveKeyRuns: number;
  /** Attempts per operation before the soak gives up on converging. */
  maxAttempts: number;
  log: (line: string) => void;
}

export interface SoakReport {
  command: string;
  generatedAt: string;
  seed: number;
  minutes: number;
  cycles: number;
  /** `up` and `destroy` operations, each run until it succeeded. */
  operations: number;
  /** Engine runs of those operations: operations + re-runs. */
  engineRuns: number;
  reruns: number;
  /** The most attempts one operation needed. */
  mostAttempts: number;
  changes: Partial<Record<Change, number>>;
  /** Fault rules armed, by kind. */
  faultsArmed: Record<FaultLabel, number>;
  /** Requests the faults hit, by kind. */
  faultHits: Record<FaultLabel, number>;
  /** Invariant checks passed: after each up (simulator = program = state, preview without changes) and destroy. */
  checks: number;
  duplicateClients: number;
  orphanKeys: number;
  orphanGrants: number;
  secretLeaks: number;
  fiveKeys: { runs: number; allFiveRegistered: number };
}

export class SoakFailure extends Error {}

export async function runSoak(options: SoakOptions, command: string): Promise<SoakReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const sim = await startTestSimulator({ faultSeed: options.seed, quiet: true });
  const [owner, consumer, third] = sim.orgs as [
    SimulatorHandle["orgs"][number],
    SimulatorHandle["orgs"][number],
    SimulatorHandle["orgs"][number],
  ];
  const secrets = sim.orgs.flatMap((o) => privateJwkParts(o.adminKey));
  const keyPool = (await publicKeys(8)).map((key, i) => ({ kid: `soak-${i}`, publicKey: { ...key, kid: `soak-${i}` } }));
  const report: SoakReport = {
    command,
    generatedAt: "",
    seed: options.seed,
    minutes: 0,
    cycles: 0,
    operations: 0,
    engineRuns: 0,
    reruns: 0,
    mostAttempts: 0,
    changes: {},
    faultsArmed: Object.fromEntries(FAULT_LABELS.map((l) => [l, 0])) as Record<FaultLabel, number>,
    faultHits: Object.fromEntries(FAULT_LABELS.map((l) => [l, 0])) as Record<FaultLabel, number>,
    checks: 0,
    duplicateClients: 0,
    orphanKeys: 0,
    orphanGrants: 0,
    secretLeaks: 0,
    fiveKeys: { runs: 0, allFiveRegistered: 0 },
  };
  const dir = makeProject("soak", { "index.ts": SOAK_PROGRAM });
  const keysDir = makeProject("soak-five-keys", { "index.ts": FIVE_KEYS_PROGRAM });
  try {
    const { stack } = await stackFor(dir, sim, { owner: owner.orgno, consumer: consumer.orgno });
    let output = "";
    const leaksIn = (text: string, where: string) => {
      const leaks = secretsIn(text, secrets);
      report.secretLeaks += leaks.length;
      if (leaks.length > 0) throw new SoakFailure(`secret material in ${where}: ${leaks.join("; ")}`);
    };

    /** Runs `up` or `destroy` under a fresh fault plan until it succeeds, leaving the faults as they are between attempts. */
    const converge = async (operation: "up" | "destroy", what: string) => {
      const plan = faultPlan(random);
      for (const { label, rule } of plan) {
        await sim.control.addFault(rule);
        report.faultsArmed[label]++;
      }
      report.operations++;
      let attempt = 0;
      try {
        for (;;) {
          attempt++;
          report.engineRuns++;
          const since = await sim.control.lastSeq();
          try {
            const onOutput = (text: string) => (output += text);
            const result = operation === "up" ? await stack.up({ onOutput }) : await stack.destroy({ onOutput });
            output += result.stderr;
            return;
          } catch (err) {
            output += `${err instanceof Error ? err.message : String(err)}\n`;
            if (attempt >= options.maxAttempts) {
              throw new SoakFailure(
                `${what}: ${operation} did not converge in ${attempt} attempts under ${plan.map((p) => p.label).join(", ")}: ${lastLines(String(err))}`,
              );
            }
            report.reruns++;
            options.log(`  ${what}: ${operation} failed (attempt ${attempt}), running it again`);
          } finally {
            for (const entry of await sim.control.requestLog({ since })) {
              const label = labelOfHit(entry);
              if (label) report.faultHits[label]++;
            }
          }
        }
      } finally {
        report.mostAttempts = Math.max(report.mostAttempts, attempt);
        await sim.control.clearFaults();
      }
    };

    const check = async (model: SoakModel, after: "up" | "destroy", what: string) => {
      const observed = await observe(sim, stack, owner.orgno, model);
      const found = strays(observed);
      report.duplicateClients += found.duplicateClients;
      report.orphanKeys += after === "up" ? found.orphanKeys : 0;
      report.orphanGrants += after === "up" ? found.orphanGrants : 0;
      const problems = after === "up" ? problemsAfterUp(observed, model) : problemsAfterDestroy(observed, model);
      if (after === "up") {
        try {
          await stack.preview({ expectNoChanges: true });
        } catch (err) {
          problems.push(`a preview right after the up shows changes: ${lastLines(String(err))}`);
        }
      }
      if (problems.length > 0) throw new SoakFailure(`${what}, after ${after}: ${problems.join("; ")}`);
      report.checks++;
    };

    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const base = baseModel(random, cycle, consumer.orgno, third.orgno, keyPool.slice(0, 3));
      const { model: changed, changes } = changedModel(random, base, third.orgno, keyPool.slice(0, 3));
      for (const change of changes) report.changes[change] = (report.changes[change] ?? 0) + 1;
      options.log(`cycle ${cycle}/${options.cycles}: up, then ${changes.join(", ")}, then destroy`);
      writeModel(dir, base);
      await converge("up", `cycle ${cycle}`);
      await check(base, "up", `cycle ${cycle}`);
      writeModel(dir, changed);
      await converge("up", `cycle ${cycle} (${changes.join(", ")})`);
      await check(changed, "up", `cycle ${cycle} (${changes.join(", ")})`);
      await converge("destroy", `cycle ${cycle}`);
      await check(changed, "destroy", `cycle ${cycle}`);
      leaksIn(output, `the engine's output of cycle ${cycle}`);
      leaksIn(storedState(dir), "the stored state");
      output = "";
      report.cycles = cycle;
    }

    await fiveKeys(sim, keysDir, consumer.orgno, keyPool.slice(3, 8), options, report, leaksIn);
  } finally {
    removeProject(dir);
    removeProject(keysDir);
    await sim.close();
  }
  report.generatedAt = new Date().toISOString();
  report.minutes = Math.round((Date.now() - started) / 600) / 100;
  return report;
}

/** Five ClientKeys of one new client in one `up`, `runs` times: every run must register all five. */
async function fiveKeys(
  sim: SimulatorHandle,
  dir: string,
  consumerOrgno: string,
  keys: SoakModel["keys"],
  options: SoakOptions,
  report: SoakReport,
  leaksIn: (text: string, where: string) => void,
): Promise<void> {
  const { stack } = await stackFor(dir, sim, { consumer: consumerOrgno });
  const portal = sim.control.portal(consumerOrgno);
  const wanted = keys.map((k) => k.kid).sort();
  for (let run = 1; run <= options.fiveKeyRuns; run++) {
    options.log(`five keys on one client, run ${run}/${options.fiveKeyRuns}`);
    writeFileSync(join(dir, MODEL_FILE), JSON.stringify({ clientName: `five-keys-${run}`, keys }));
    const up = await stack.up();
    const clientId = up.outputs["clientId"]!.value as string;
    const registered = (await portal.getKeys(clientId)).keys.map((k) => k.kid ?? "?").sort();
    report.fiveKeys.runs++;
    if (JSON.stringify(registered) !== JSON.stringify(wanted)) {
      throw new SoakFailure(`five keys, run ${run}: client ${clientId} has keys ${registered.join(", ")}, wanted ${wanted.join(", ")}`);
    }
    report.fiveKeys.allFiveRegistered++;
    const destroy = await stack.destroy();
    leaksIn(up.stdout + up.stderr + destroy.stdout + destroy.stderr, `the engine's output of five-keys run ${run}`);
  }
}

function writeModel(dir: string, model: SoakModel): void {
  writeFileSync(join(dir, MODEL_FILE), JSON.stringify(model));
}

function lastLines(text: string, count = 12): string {
  return text.trim().split("\n").slice(-count).join("\n");
}
