import { z } from "zod";
import { checkWith, propertyPath } from "../../provider/resources/shared/check";
import { canonical, diffFields } from "../../provider/resources/shared/diff";
import { satisfies, stringSet } from "../../provider/resources/shared/rules";
import { UNKNOWN, unknownAlong } from "../../provider/resources/shared/unknown";
import { orgnoProblem } from "../../provider/api/validation";

const schema = z.object({
  name: z.string().min(1, "must not be empty"),
  orgno: z.string().superRefine(satisfies(orgnoProblem)),
  scopes: stringSet(z.string().regex(/:/, "needs a prefix")),
  lifetime: z.number().int().positive().optional(),
});

describe("checkWith", () => {
  it("returns normalized inputs and keeps __provider", () => {
    const r = checkWith(schema, { name: "a", orgno: "991825827", scopes: ["b:x", "a:y", "b:x"], __provider: "P" });
    expect(r.result).toEqual({ inputs: { name: "a", orgno: "991825827", scopes: ["a:y", "b:x"], __provider: "P" } });
    expect(r.value?.scopes).toEqual(["a:y", "b:x"]);
  });
  it("names each failing property with the rule's message", () => {
    const r = checkWith(schema, { name: "", orgno: "991825828", scopes: ["ok:a", "bad"], lifetime: 0 });
    expect(r.result.failures).toEqual([
      { property: "name", reason: "must not be empty" },
      { property: "orgno", reason: expect.stringContaining("mod-11") },
      { property: "scopes[1]", reason: "needs a prefix" },
      { property: "lifetime", reason: expect.any(String) },
    ]);
    expect(r.value).toBeUndefined();
  });
  it("lets unknown values through during preview, but still checks the known ones", () => {
    const r = checkWith(schema, { name: "a", orgno: UNKNOWN, scopes: ["ok:a", UNKNOWN], lifetime: UNKNOWN });
    expect(r.result.failures).toBeUndefined();
    const r2 = checkWith(schema, { name: "", orgno: UNKNOWN, scopes: UNKNOWN });
    expect(r2.result.failures).toEqual([{ property: "name", reason: "must not be empty" }]);
  });
});

describe("diffFields", () => {
  const specs = { name: {}, orgno: { replaces: true }, scopes: { absent: [] }, lifetime: {} };
  it("reports no change for equal normalized inputs, ignoring server-owned outputs", () => {
    const olds = { name: "a", orgno: "1", scopes: ["a", "b"], created: "yesterday" };
    expect(diffFields(olds, { name: "a", orgno: "1", scopes: ["a", "b"] }, specs)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
  it("replaces only for immutable fields", () => {
    expect(diffFields({ name: "a", orgno: "1" }, { name: "b", orgno: "2" }, specs).replaces).toEqual(["orgno"]);
    expect(diffFields({ name: "a", orgno: "1" }, { name: "b", orgno: "1" }, specs)).toMatchObject({ changes: true, replaces: [] });
  });
  it("treats a field absent from old state as its default", () => {
    expect(diffFields({ name: "a", orgno: "1" }, { name: "a", orgno: "1", scopes: [] }, specs).changes).toBe(false);
  });
  it("ignores an unmanaged field the program leaves out", () => {
    const specs2 = { name: {}, description: { unmanagedWhenUnset: true } };
    expect(diffFields({ name: "a", description: "from the portal" }, { name: "a" }, specs2).changes).toBe(false);
    expect(diffFields({ name: "a", description: "from the portal" }, { name: "a", description: "mine" }, specs2).changes).toBe(true);
  });
  it("treats unknown new values as changes", () => {
    expect(diffFields({ name: "a", orgno: "1" }, { name: "a", orgno: UNKNOWN }, specs)).toMatchObject({
      changes: true,
      replaces: ["orgno"],
    });
  });
  it("compares objects regardless of key order", () => {
    expect(canonical({ b: 1, a: { d: 2, c: 3 } })).toBe(canonical({ a: { c: 3, d: 2 }, b: 1 }));
  });
});

describe("paths", () => {
  it("formats property paths as users write them", () => {
    expect(propertyPath(["generate", "modulusLength"])).toBe("generate.modulusLength");
    expect(propertyPath(["scopes", 2])).toBe("scopes[2]");
  });
  it("finds unknowns along a path", () => {
    expect(unknownAlong({ a: UNKNOWN }, ["a", "b"])).toBe(true);
    expect(unknownAlong({ a: { b: 1 } }, ["a", "b"])).toBe(false);
  });
});
