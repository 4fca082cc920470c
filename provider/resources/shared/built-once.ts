/**
 * A zod schema built on first use and shared after: a schema is immutable, and building one (tens of fields,
 * each with its rules and messages) cost more than parsing with it, once per `check`, `diff`, `create` and
 * `update` of every resource (~0.3 to 3 ms each, at N = 50 a third of the provider's CPU in a no-op `up`).
 */
export function builtOnce<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
