/**
 * The SDK registers a resource without formatting a stack for each of its output properties (Pulumi records
 * one per property, for `PULUMI_DEBUG_PROMISE_LEAKS` only; see `sdk/resources/dynamic.ts`), and leaves
 * `Error.stackTraceLimit` as it found it: also when the user debugs promise leaks, and when registration is
 * refused, whose error keeps a stack that leads to the program's line.
 */
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../../sdk";

beforeAll(() => {
  pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs },
    "project",
    "stack",
    false,
  );
});

afterEach(() => {
  delete process.env["PULUMI_DEBUG_PROMISE_LEAKS"];
});

const ARGS = { prefix: "eksempel", subscope: "instances.read", description: "Read instances" };

/** Options that note `Error.stackTraceLimit` when Pulumi reads them, inside the resource's registration. */
function noting(limits: number[]): pulumi.CustomResourceOptions {
  return {
    get protect() {
      limits.push(Error.stackTraceLimit);
      return false;
    },
  };
}

test("registration captures no stacks and restores the limit", () => {
  const before = Error.stackTraceLimit;
  const limits: number[] = [];
  new Scope("quiet", ARGS, noting(limits));
  expect(limits).toEqual([0]);
  expect(Error.stackTraceLimit).toBe(before);
});

test("with PULUMI_DEBUG_PROMISE_LEAKS set, promises keep their stacks", () => {
  process.env["PULUMI_DEBUG_PROMISE_LEAKS"] = "1";
  const before = Error.stackTraceLimit;
  const limits: number[] = [];
  new Scope("debugged", ARGS, noting(limits));
  expect(limits).toEqual([before]);
  expect(Error.stackTraceLimit).toBe(before);
});

test("a refused registration throws with the limit restored and a stack through the program", () => {
  const before = Error.stackTraceLimit;
  let thrown: unknown;
  try {
    new Scope("", ARGS);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toContain("Missing resource name");
  expect((thrown as Error).stack).toContain("sdk-registration-stacks.test.ts");
  expect(Error.stackTraceLimit).toBe(before);
});
