import { z } from "zod";
import { pathSegmentProblem } from "../../api/path-segment";
import { describe, lifetimeProblem, MAX_KEY_LIFETIME_SECONDS, type Problem } from "../../api/validation";
import { ruled } from "./ruled";

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

/**
 * A client_id, which travels as a segment of the API's paths (`/clients/{client_id}`): ids that would address
 * another path ("..", "a/b", "x?y") are refused here, naming the field, before any request. `what` says what to give.
 */
export function clientIdField(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : "must be a string") })
    .superRefine((id, ctx) => {
      const problem = pathSegmentProblem(id);
      if (problem) ctx.addIssue({ code: "custom", message: id === "" ? `must not be empty: ${what}` : `${problem}; give ${what}` });
    });
}

/** The error of an input the resource does not have: its name first, as every failure's reason starts. */
export function unknownInput(resource: string) {
  return {
    error: (issue: { code: string; keys?: string[] }) =>
      issue.code === "unrecognized_keys" ? `${(issue.keys ?? []).join(", ")}: not an input of ${resource}; check the spelling` : undefined,
  };
}

/** A set of strings: order and duplicates never matter, so they are sorted and deduplicated. */
export function stringSet<T extends z.ZodType<string>>(item: T) {
  return z.array(item).transform((items) => [...new Set(items)].sort());
}

/**
 * The longest lifetime an input may ask for: 366 days. Digdir documents no ceiling, but nothing in Maskinporten
 * outlives the year a key lives, and the bound keeps every value a safe integer that fits even a 32-bit integer
 * on the server (1e308 or 2^53+2 are rounded by JSON and overflow there).
 */
export const MAX_LIFETIME_SECONDS = MAX_KEY_LIFETIME_SECONDS;

/** A lifetime in seconds: a whole number from 1 to `MAX_LIFETIME_SECONDS`. */
export function lifetimeField() {
  return ruled<number>(boundedLifetimeProblem);
}

function boundedLifetimeProblem(value: unknown, field: string): Problem | undefined {
  const problem = lifetimeProblem(value, field);
  if (problem || (value as number) <= MAX_LIFETIME_SECONDS) return problem;
  return {
    field,
    message: `must be at most ${MAX_LIFETIME_SECONDS} seconds (366 days), got ${describe(value)}: nothing in Maskinporten lives longer than a year; leave it out to use Maskinporten's default`,
  };
}
