/**
 * The phases the benchmark times on each program, through the Automation API, and what each proves when it
 * succeeds: the no-op preview and up, and the refresh, must report no changes.
 */
import { performance } from "node:perf_hooks";
import type { Stack } from "@pulumi/pulumi/automation";

export const PHASES = ["up", "preview", "noopUp", "refresh", "destroy"] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_TITLES: Record<Phase, string> = {
  up: "up (create)",
  preview: "preview (no-op)",
  noopUp: "up (no-op)",
  refresh: "refresh",
  destroy: "destroy",
};

/** Runs one phase; fails when a no-op phase finds a change or `up`/`destroy` touch the wrong number of resources. */
export async function runPhase(stack: Stack, phase: Phase, resources: number): Promise<number> {
  const started = performance.now();
  switch (phase) {
    case "up": {
      const result = await stack.up();
      expectCount(phase, result.summary.resourceChanges?.["create"], resources + 1);
      break;
    }
    case "preview":
      await stack.preview({ expectNoChanges: true });
      break;
    case "noopUp":
      await stack.up({ expectNoChanges: true });
      break;
    case "refresh":
      await stack.refresh({ expectNoChanges: true });
      break;
    case "destroy": {
      const result = await stack.destroy();
      expectCount(phase, result.summary.resourceChanges?.["delete"], resources + 1);
      break;
    }
  }
  return performance.now() - started;
}

/** The stack itself counts as one resource in the engine's summary. */
function expectCount(phase: Phase, actual: number | undefined, expected: number): void {
  if (actual !== expected)
    throw new Error(`${phase}: expected ${expected} resources (the stack included), the engine reported ${actual ?? 0}`);
}
