/**
 * Check failures as the engine receives them: none names a property, since the engine would print that input's
 * value beside it; the reason starts with the field instead. test/provider/bad-input.test.ts runs every resource
 * through the provider's entry point with this in place, and test/e2e/private-key-echo.test.ts through the engine.
 */
import { engineFacing, withoutEcho } from "../../provider/resources/shared/no-echo";
import type { ResourceImplementation } from "../../provider/resources/shared/types";

describe("withoutEcho", () => {
  it("moves the property into the reason", () => {
    expect(withoutEcho({ property: "publicKey", reason: "is a private JWK" })).toEqual({
      property: "",
      reason: "publicKey: is a private JWK",
    });
  });

  it("does not name the field twice", () => {
    expect(withoutEcho({ property: "kid", reason: "kid: is taken" })).toEqual({ property: "", reason: "kid: is taken" });
  });

  it("keeps a misspelt input's reason, which starts with the name", () => {
    expect(withoutEcho({ property: "(resource)", reason: "publickey: not an input of ClientKey" })).toEqual({
      property: "",
      reason: "publickey: not an input of ClientKey",
    });
  });
});

describe("engineFacing", () => {
  const failing = (failures: { property: string; reason: string }[], inputs?: Record<string, unknown>): ResourceImplementation =>
    ({ check: async () => ({ ...(inputs && { inputs }), failures }) }) as unknown as ResourceImplementation;

  it("sends no failed input back with the failures", async () => {
    const news = { publicKey: { d: "private" }, kid: "k", generate: { modulusLength: 1 }, __provider: "p" };
    const checked = await engineFacing(
      failing([
        { property: "publicKey", reason: "is private" },
        { property: "generate.modulusLength", reason: "too small" },
      ]),
    ).check({}, news);
    expect(checked).toEqual({
      inputs: { kid: "k", __provider: "p" },
      failures: [
        { property: "", reason: "publicKey: is private" },
        { property: "", reason: "generate.modulusLength: too small" },
      ],
    });
  });

  it("passes valid results through untouched", async () => {
    const valid = { check: async () => ({ inputs: { kid: "k" } }) } as unknown as ResourceImplementation;
    expect(await engineFacing(valid).check({}, { kid: "k" })).toEqual({ inputs: { kid: "k" } });
  });
});
