import { z } from "zod";
import type { Problem } from "../../api/validation";

/** Turns a shared validation rule into a zod refinement, so `check` and the simulator say the same thing. */
export function satisfies<T>(rule: (value: T, field: string) => Problem | undefined) {
  return (value: T, ctx: z.RefinementCtx): void => {
    const problem = rule(value, "");
    if (problem) ctx.addIssue({ code: "custom", message: problem.message });
  };
}

/** The credential profile a resource acts with: a name from `maskinporten:profiles`, never a credential. */
export function profileField() {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the name of a profile in the stack config "maskinporten:profiles", such as "owner"')
    .optional();
}

/** A set of strings: order and duplicates never matter, so they are sorted and deduplicated. */
export function stringSet<T extends z.ZodType<string>>(item: T) {
  return z.array(item).transform((items) => [...new Set(items)].sort());
}
