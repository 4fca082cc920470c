/** The pure parts of generated keys: when a key is due, kids for successors, and re-kidding a key pair. */
import type { Jwk } from "../../provider/api/wire";
import { generateKeyPair } from "../../provider/keys";
import { freeKid, keyForms, withKid } from "../../provider/key-lifecycle/generated";
import { derivedKeyForms, withoutDerivedForms } from "../../provider/key-lifecycle/key-forms";
import { dueRule } from "../../provider/key-lifecycle/rotation";
import { rsaThumbprint } from "../../provider/key-lifecycle/thumbprint";
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
    expect(freeKid([other("app-TEST.2026-01-01"), other("app-TEST.2026-01-01-2")], "app-TEST.2026-01-01", "t")).toBe(
      "app-TEST.2026-01-01-3",
    );
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
    expect(keyForms(renamed)).toEqual({ privateKeyJwk: renamed.privateJwkJson, publicKeyJwk: renamed.publicJwk });
  });
});

describe("stored and derived forms", () => {
  it("the state holds the JWKs; the other forms derive from them byte for byte as generateKeyPair made them", async () => {
    for (const modulusLength of [2048, 4096] as const) {
      const key = withKid(await generateKeyPair({ modulusLength, kid: "old" }), "new");
      const stored = keyForms(key);
      expect(derivedKeyForms(stored.privateKeyJwk, { ...stored.publicKeyJwk })).toEqual({
        privateKeyBase64: key.privateJwkBase64,
        privateKeyPem: key.privateKeyPem,
        publicKeyPem: key.publicKeyPem,
      });
    }
  });

  it("a state written by 0.1.0 (every form stored) is restated to the JWKs and what is not a key form", () => {
    const legacy = {
      kid: "k",
      thumbprint: "t",
      privateKeyJwk: "{}",
      privateKeyBase64: "e30=",
      privateKeyPem: "PEM",
      publicKeyJwk: { kty: "RSA" },
      publicKeyPem: "PUB",
    };
    expect(withoutDerivedForms(legacy)).toEqual({ kid: "k", thumbprint: "t", privateKeyJwk: "{}", publicKeyJwk: { kty: "RSA" } });
  });
});
