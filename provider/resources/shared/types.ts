import type * as pulumi from "@pulumi/pulumi";

/** The methods of one resource type, as the forwarder calls them. Inputs and outputs are plain JSON. */
export interface ResourceImplementation {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
  /**
   * Stored outputs in this version's shape, without a request: drops what an earlier version stored and this
   * one derives elsewhere. Applied to what `update` writes (see `dynamic-provider.ts`); `read` keeps the
   * state as it is, so a refresh shows only what changed at Maskinporten.
   */
  restate?(outputs: Record<string, unknown>): Record<string, unknown>;
}
