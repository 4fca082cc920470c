/**
 * What the benchmark reports of the state: the checkpoint file a file backend rewrites after every step, per
 * resource type, the do-nothing program's resources grouped by the role they play in program A; and the
 * state target against B.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { roleOf } from "../bench/programs";
import { targets } from "../bench/report";
import type { BenchReport, SizeResult } from "../bench/run";
import { stateBytesByType, storedCheckpoint } from "../bench/state-size";

const urn = (type: string, name: string) => `urn:pulumi:test::bench::${type}::${name}`;
const resource = (type: string, name: string, pad = 0) => ({ urn: urn(type, name), type, inputs: { pad: "x".repeat(pad) } });

const deployment = {
  resources: [
    resource("pulumi:pulumi:Stack", "bench-test"),
    resource("pulumi:providers:pulumi-nodejs", "default"),
    resource("pulumi-nodejs:dynamic/maskinporten:Scope", "api"),
    resource("pulumi-nodejs:dynamic/maskinporten:Client", "client-0", 10),
    resource("pulumi-nodejs:dynamic/maskinporten:Client", "client-1", 20),
  ],
};

describe("stateBytesByType", () => {
  it("averages each dynamic type's entries, as compact JSON; the stack and the provider are left out", () => {
    const bytes = (name: string) => Buffer.byteLength(JSON.stringify(deployment.resources.find((r) => r.urn.endsWith(`::${name}`))));
    expect(stateBytesByType(deployment)).toEqual([
      { type: "Client", resources: 2, bytesPerResource: Math.round((bytes("client-0") + bytes("client-1")) / 2) },
      { type: "Scope", resources: 1, bytesPerResource: bytes("api") },
    ]);
  });

  it("groups the do-nothing program's resources by the role they play in program A", () => {
    const noop = {
      resources: ["api", "grant-0", "client-0", "key-0", "key-12"].map((name) => resource("pulumi-nodejs:dynamic/bench:Noop", name)),
    };
    expect(stateBytesByType(noop, roleOf).map((t) => [t.type, t.resources])).toEqual([
      ["Client", 1],
      ["ClientKey", 2],
      ["Scope", 1],
      ["ScopeGrant", 1],
    ]);
    expect(() => roleOf({ urn: urn("pulumi-nodejs:dynamic/bench:Noop", "other-1") })).toThrow(/no benchmark resource is named other-1/);
  });
});

describe("storedCheckpoint", () => {
  it("reads the stack's checkpoint file of a file backend: its bytes and its latest deployment", () => {
    const backend = mkdtempSync(join(tmpdir(), "checkpoint-"));
    try {
      const dir = join(backend, ".pulumi", "stacks", "bench");
      mkdirSync(dir, { recursive: true });
      const text = JSON.stringify({ version: 3, checkpoint: { stack: "test", latest: deployment } }, null, 4);
      writeFileSync(join(dir, "test.json"), text);
      writeFileSync(join(dir, "test.json.bak"), "{}");
      expect(storedCheckpoint(backend, "test")).toEqual({ bytes: Buffer.byteLength(text), deployment });
      expect(() => storedCheckpoint(backend, "other")).toThrow(/expected one checkpoint of stack other/);
    } finally {
      rmSync(backend, { recursive: true, force: true });
    }
  });
});

describe("the state and speed targets", () => {
  const phase = (a: number, b: number) => ({
    ms: { A: a, B: b },
    ratio: a / b,
    inFlight: { busyMs: 0, maxInFlight: 0 },
    requests: { total: 0, token: 2, tokenIssued: 2, metadata: 0, apiReads: 0, apiWrites: 0, byRoute: {} },
  });
  function report(n: number, stateA: number, upA: number): BenchReport {
    const size: SizeResult = {
      n,
      resources: 1 + 3 * n,
      repeats: 1,
      stateBytesPerResource: { A: stateA, B: 3000 },
      phases: {
        up: phase(upA, 10_000),
        preview: phase(5000, 5000),
        noopUp: phase(5000, 5000),
        refresh: phase(1000, 1000),
        destroy: phase(10_000, 10_000),
      },
    };
    return { settings: { credentials: 2 }, sizes: [size] } as unknown as BenchReport;
  }
  const met = (r: BenchReport) => Object.fromEntries(targets(r).map((t) => [t.name, t.met]));

  it("state within 1.5x of B's at every size; the phases within 1.25x of B from N = 200 on", () => {
    expect(met(report(200, 4500, 12_500))).toMatchObject({
      "state per resource after up, N=200": true,
      "up (create) against the bare engine, N=200": true,
    });
    expect(met(report(200, 4501, 12_501))).toMatchObject({
      "state per resource after up, N=200": false,
      "up (create) against the bare engine, N=200": false,
    });
    expect(Object.keys(met(report(50, 3000, 20_000)))).not.toContain("up (create) against the bare engine, N=50");
  });
});
