import { z } from "zod";
import type { Problem } from "../../api/validation";

/**
 * A field checked by one of the shared rules of `provider/api/validation.ts` alone, type included, so a
 * missing or mistyped value gets the rule's own message ("must be a scope prefix ..., got nothing") instead
 * of zod's generic "expected string".
 */
export function ruled<T>(rule: (value: unknown, field: string) => Problem | undefined) {
  return z.custom<T>((value) => rule(value, "") === undefined, {
    error: (issue) => rule(issue.input, "")?.message ?? "is invalid",
  });
}
