/**
 * How many bytes of stack state each resource costs: the file backend writes the whole state after every
 * step, so these bytes are paid once per step of an `up` or `destroy`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface StateResource {
  urn: string;
  type: string;
}

export interface TypeStateSize {
  /** The last part of the type token: `Client`, `Noop`, ... */
  type: string;
  resources: number;
  /** The resource's entry in the checkpoint (secrets encrypted), as compact JSON. */
  bytesPerResource: number;
}

/** The last part of a resource's type token: `Client` of `pulumi-nodejs:dynamic/maskinporten:Client`. */
export function typeName(resource: { type: string }): string {
  return resource.type.slice(resource.type.lastIndexOf(":") + 1);
}

/**
 * Bytes per resource of each dynamic resource type of a deployment (`storedCheckpoint(...).deployment`);
 * `typeOf` groups them otherwise (the benchmark's do-nothing program has one type for every role).
 */
export function stateBytesByType(deployment: unknown, typeOf: (resource: StateResource) => string = typeName): TypeStateSize[] {
  const resources = ((deployment as { resources?: StateResource[] }).resources ?? []).filter((r) =>
    r.type.startsWith("pulumi-nodejs:dynamic"),
  );
  const byType = new Map<string, number[]>();
  for (const resource of resources) {
    const type = typeOf(resource);
    byType.set(type, [...(byType.get(type) ?? []), Buffer.byteLength(JSON.stringify(resource))]);
  }
  return [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, sizes]) => ({
      type,
      resources: sizes.length,
      bytesPerResource: Math.round(sizes.reduce((sum, s) => sum + s, 0) / sizes.length),
    }));
}

/**
 * The checkpoint file of a stack in a file backend under `backendDir` (`.pulumi/stacks/<project>/<stack>.json`):
 * what the backend rewrites after every step, secrets encrypted. Its bytes, and its deployment.
 */
export function storedCheckpoint(backendDir: string, stackName: string): { bytes: number; deployment: unknown } {
  const stacks = join(backendDir, ".pulumi", "stacks");
  const files = readdirSync(stacks, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name === `${stackName}.json`);
  if (files.length !== 1) throw new Error(`expected one checkpoint of stack ${stackName} under ${stacks}, found ${files.length}`);
  const text = readFileSync(join(files[0]!.parentPath, files[0]!.name), "utf8");
  const checkpoint = JSON.parse(text) as { checkpoint?: { latest?: unknown } };
  return { bytes: Buffer.byteLength(text), deployment: checkpoint.checkpoint?.latest ?? {} };
}
