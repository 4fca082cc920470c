/** The pure parts of generated keys: when a key is due, kids for successors, and re-kidding a key pair. */
import type { Jwk } from "../../provider/api/wire";
import { generateKeyPair } from "../../provider/keys";
import { freeKid, keyForms, withKid } from "../../provider/resources/client-key/generated";
import { dueRule } from "../../provider/resources/client-key/rotation";
import { rsaThumbprint } from "../../provider/resources/client-key/thumbprint";
import { rsaKeyPair } from "../simulator/helpers";

const DAY_MS = 24 * 3600 * 1000;
const created = Date.parse("2026-01-01T00:00:00Z");
const life = { createdAt: "2026-01-01T00:00:00.000Z", expiresAt: "2027-01-01T00:00:00.000Z" };

describe("dueRule", () => {
  it("rotateAfterDays: due from the moment the key is that old", () => {
    expect(dueRule(life, { rotateAfterDays: 90 }, created + 90 * DAY_MS - 1)).toBeUndefined();
    expect(dueRule(life, { rotateAfterDays: 90 }, created + 90 * DAY_MS)).toBe("rotateAfterDays");
  });

  it("rotateBeforeExpiryDays: due from that many days before the expiry", () => {
    const expires = Date.parse(life.expiresAt);
    expect(dueRule(life, { rotateBeforeExpiryDays: 30 }, expires - 30 * DAY_MS - 1)).toBeUndefined();
    expect(dueRule(life, { rotateBeforeExpiryDays: 30 }, expires - 30 * DAY_MS)).toBe("rotateBeforeExpiryDays");
  });

  it("whichever comes first; nothing without the time it needs or without a rule", () => {
    const both = { rotateAfterDays: 300, rotateBeforeExpiryDays: 30 };
    expect(dueRule(life, both, created + 301 * DAY_MS)).toBe("rotateAfterDays");
    expect(dueRule({ expiresAt: life.expiresAt }, both, created + 301 * DAY_MS)).toBeUndefined();
    expect(dueRule({ createdAt: "not a time", expiresAt: undefined }, both, created + 400 * DAY_MS)).toBeUndefined();
    expect(dueRule(life, {}, created + 400 * DAY_MS)).toBeUndefined();
  });
});

describe("freeKid", () => {
  const other = (kid: string): Jwk => ({ ...rsaKeyPair(kid).publicJwk });

  it("is the kid when no other key holds it, also when this very key does", () => {
    const mine = rsaKeyPair("app-TEST.2026-01-01").publicJwk;
    expect(freeKid([other("x")], "app-TEST.2026-01-01", "t")).toBe("app-TEST.2026-01-01");
    expect(freeKid([mine], "app-TEST.2026-01-01", rsaThumbprint(mine)!)).toBe("app-TEST.2026-01-01");
  });

  it("takes the next free -2, -3, ... when other keys hold the kid", () => {
    expect(freeKid([other("app-TEST.2026-01-01")], "app-TEST.2026-01-01", "t")).toBe("app-TEST.2026-01-01-2");
    expect(freeKid([other("app-TEST.2026-01-01"), other("app-TEST.2026-01-01-2")], "app-TEST.2026-01-01", "t")).toBe("app-TEST.2026-01-01-3");
  });
});

describe("withKid", () => {
  it("puts the kid in both JWKs and every form that holds it; the key material stays", async () => {
    const key = await generateKeyPair({ modulusLength: 2048, kid: "old" });
    const renamed = withKid(key, "new");
    expect(renamed.kid).toBe("new");
    expect(renamed.publicJwk).toEqual({ ...key.publicJwk, kid: "new" });
    expect(JSON.parse(renamed.privateJwkJson)).toEqual({ ...key.privateJwk, kid: "new" });
    expect(Buffer.from(renamed.privateJwkBase64, "base64").toString("utf8")).toBe(renamed.privateJwkJson);
    expect(renamed.privateKeyPem).toBe(key.privateKeyPem);
    expect(keyForms(renamed)).toEqual({
      privateKeyJwk: renamed.privateJwkJson,
      privateKeyBase64: renamed.privateJwkBase64,
      privateKeyPem: key.privateKeyPem,
      publicKeyJwk: renamed.publicJwk,
      publicKeyPem: key.publicKeyPem,
    });
  });
});
