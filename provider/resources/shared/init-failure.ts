/**
 * An error the engine understands as "created, but a later step failed": it keeps `id` and `properties` in
 * state instead of orphaning the object, and the next `up` continues from there.
 */
export class ResourceInitError extends Error {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(id: string, properties: Record<string, unknown>, cause: unknown, state = "was created and is kept in the stack") {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${reason} (the object ${id} ${state}; run \`pulumi up\` again to finish)`, { cause });
    this.name = "ResourceInitError";
    this.id = id;
    this.properties = properties;
    this.reasons = [reason];
  }
}
