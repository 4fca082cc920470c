/** Every number a user gives has a range: lifetimes, a JWK's exp, the warning window of expiring keys. */
import { epochSecondsText, publicJwkProblems } from "../../provider/api/validation";
import { lifetimeField, MAX_LIFETIME_SECONDS } from "../../provider/resources/shared/rules";
import { keyExpiryWarningDays } from "../../provider/key-lifecycle/expiry-warning";

describe("lifetimeField", () => {
  it.each([1, 120, MAX_LIFETIME_SECONDS])("takes %d seconds", (seconds) => {
    expect(lifetimeField().safeParse(seconds).success).toBe(true);
  });

  it.each([
    [0, /positive whole number of seconds/],
    [1.5, /positive whole number of seconds/],
    [MAX_LIFETIME_SECONDS + 1, /at most 31622400 seconds \(366 days\), got 31622401/],
    [2 ** 53 + 2, /at most 31622400 seconds \(366 days\), got 9007199254740994/],
    [1e308, /at most 31622400 seconds \(366 days\), got 1e\+308/],
    [Infinity, /positive whole number of seconds/],
  ])("refuses %d", (seconds, message) => {
    const parsed = lifetimeField().safeParse(seconds);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(message);
  });
});

describe("a JWK's exp", () => {
  const jwk = { kty: "RSA", kid: "k", use: "sig", alg: "RS256", n: "sXch", e: "AQAB" };
  const now = 1_800_000_000;
  const expProblem = (exp: number) =>
    publicJwkProblems({ ...jwk, exp }, { now, field: "publicKey" }).find((p) => p.field === "publicKey.exp");

  it.each([1e300, 2 ** 53 + 2, -1e300])("of %d is a problem of publicKey.exp, not a RangeError", (exp) => {
    expect(expProblem(exp)?.message).toMatch(/must be a whole number of seconds since the epoch/);
  });

  it("beyond the last Date but a safe integer is said in seconds", () => {
    expect(expProblem(9e15)?.message).toBe(
      "is more than one year ahead (9000000000000000 seconds since the epoch); Maskinporten keys live at most one year",
    );
    expect(epochSecondsText(0)).toBe("1970-01-01T00:00:00.000Z");
  });
});

describe("maskinporten:keyExpiryWarningDays", () => {
  it("is at most 366 days", () => {
    expect(() => keyExpiryWarningDays("1e308")).toThrow(/keyExpiryWarningDays/);
    expect(keyExpiryWarningDays("366")).toBe(366);
  });
});
