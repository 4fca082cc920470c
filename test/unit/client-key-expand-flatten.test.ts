import type { Jwk } from "../../provider/api/wire";
import { jwkThumbprint, type PublicJwk } from "../../provider/keys";
import { isThisKey, withKey, withoutKey } from "../../provider/key-lifecycle/key-set";
import { EXPIRES_AT_MANAGED, flattenClientKey, priorOfOutputs } from "../../provider/resources/client-key/flatten";
import { checkedClientKeySchema, clientKeySchema } from "../../provider/resources/client-key/schema";
import { isoFromSeconds } from "../../provider/key-lifecycle/settings";
import { rsaThumbprint } from "../../provider/key-lifecycle/thumbprint";
import { rsaKeyPair } from "../simulator/helpers";

const DAY = 24 * 60 * 60;
const now = () => Math.floor(Date.now() / 1000);

/** A public key as both `toPublicJwk` returns it and the API lists it. */
function key(kid: string): PublicJwk & Jwk {
  return rsaKeyPair(kid).publicJwk as PublicJwk & Jwk;
}

describe("rsaThumbprint", () => {
  it("is the RFC 7638 thumbprint jose computes, whatever other members the key has", async () => {
    const k = key("a");
    const listed: Jwk = { ...k, exp: 5, x5c: [] };
    expect(rsaThumbprint(listed)).toBe(await jwkThumbprint(k));
  });
  it("is undefined for a key without RSA members", () => {
    expect(rsaThumbprint({ kty: "EC" })).toBeUndefined();
    expect(rsaThumbprint({ kty: "RSA", n: "abc" })).toBeUndefined();
  });
});

describe("expand (a key → the client's whole key set)", () => {
  const a = key("a");
  const b = key("b");

  it("appends a new key and leaves the others as they are", () => {
    const others: Jwk[] = [{ ...a, exp: now() + DAY }];
    expect(withKey(others, b, "c-1")).toEqual([...others, b]);
  });

  it("keeps a key registered under its kid with the same material (a lost response, or adoption)", () => {
    const registered: Jwk[] = [{ ...a, exp: now() + DAY, alg: "RS256" }];
    expect(withKey(registered, a, "c-1")).toEqual(registered);
  });

  it("brings the expiry of a registered key in line when the inputs set one", () => {
    const exp = now() + 30 * DAY;
    expect(withKey([{ ...a, exp: now() + DAY }, b], { ...a, exp }, "c-1")).toEqual([{ ...a, exp }, b]);
  });

  it("refuses another key under the same kid, naming the kid and not the material", () => {
    const other = { ...key("x"), kid: "a" };
    let error: Error | undefined;
    try {
      withKey([a], other, "c-1");
    } catch (err) {
      error = err as Error;
    }
    expect(error).toMatchObject({ code: "KID_TAKEN", field: "kid", message: expect.stringContaining('kid "a"') });
    expect(error!.message).not.toContain(a.n.slice(0, 16));
  });

  it("removes only this resource's key: its kid, with its material when known", () => {
    const thumb = rsaThumbprint(a)!;
    expect(withoutKey([a, b], "a", thumb)).toEqual([b]);
    expect(withoutKey([a, b], "a", undefined)).toEqual([b]);
    // The kid now names another key (replaced in the portal): not ours to remove.
    expect(withoutKey([{ ...key("x"), kid: "a" }, b], "a", thumb)).toHaveLength(2);
    expect(isThisKey(a, "a", thumb)).toBe(true);
    expect(isThisKey(a, "b", thumb)).toBe(false);
  });
});

describe("flatten (a registered key → inputs and outputs)", () => {
  const a = key("a");
  const exp = now() + 10 * DAY;

  it("keeps the program's form of the key and the profile; the expiry is an output", () => {
    const prior = { clientId: "c-1", publicKey: "-----BEGIN PUBLIC KEY-----...", kid: "a", thumbprint: "t", profile: "owner" };
    const { inputs, outputs } = flattenClientKey("c-1", { ...a, exp }, prior);
    expect(inputs).toEqual({ clientId: "c-1", publicKey: prior.publicKey, kid: "a", thumbprint: rsaThumbprint(a), profile: "owner" });
    expect(outputs).toEqual({ ...inputs, expiresAt: isoFromSeconds(exp) });
  });

  it("reports the server's expiry as an input when the program manages it", () => {
    const { inputs } = flattenClientKey("c-1", { ...a, exp }, { publicKey: {}, expiresAt: "2020-01-01T00:00:00.000Z" });
    expect(inputs["expiresAt"]).toBe(isoFromSeconds(exp));
  });

  it("reports expiresAt as an input only while the program sets it, also when read gets only the outputs", () => {
    // Left out by the program: an output, never an input, so a later preview shows no "- expiresAt".
    const unmanaged = flattenClientKey("c-1", { ...a, exp }, { clientId: "c-1", publicKey: a });
    expect(unmanaged.outputs).toMatchObject({ expiresAt: isoFromSeconds(exp) });
    expect(unmanaged.outputs).not.toHaveProperty(EXPIRES_AT_MANAGED);
    const reread = flattenClientKey("c-1", { ...a, exp }, priorOfOutputs(unmanaged.outputs), unmanaged.outputs);
    expect(reread.inputs).not.toHaveProperty("expiresAt");
    expect(reread.outputs).toEqual(unmanaged.outputs);

    // Set by the program: marked, so read reports the server's expiry as an input.
    const at = isoFromSeconds(exp);
    const managed = flattenClientKey("c-1", { ...a, exp }, { clientId: "c-1", publicKey: a, expiresAt: at });
    expect(managed.outputs).toMatchObject({ expiresAt: at, [EXPIRES_AT_MANAGED]: true });
    const rereadManaged = flattenClientKey("c-1", { ...a, exp: exp + DAY }, priorOfOutputs(managed.outputs), managed.outputs);
    expect(rereadManaged.inputs["expiresAt"]).toBe(isoFromSeconds(exp + DAY));
    expect(rereadManaged.outputs[EXPIRES_AT_MANAGED]).toBe(true);

    // State from before the mark: read as unmanaged.
    const { [EXPIRES_AT_MANAGED]: _mark, ...older } = managed.outputs;
    expect(flattenClientKey("c-1", { ...a, exp }, priorOfOutputs(older), older).inputs).not.toHaveProperty("expiresAt");
  });

  it("round-trips with check's form of expiresAt, so a set expiry never shows as a change", () => {
    const at = new Date((now() + 5 * DAY) * 1000 + 123).toISOString();
    const checked = clientKeySchema().parse({ clientId: "c-1", publicKey: a, expiresAt: at });
    const exp = Math.floor(Date.parse(at) / 1000);
    expect(flattenClientKey("c-1", { ...a, exp }, checked).outputs["expiresAt"]).toBe(checked.expiresAt);
  });
});

describe("schema", () => {
  it("normalizes expiresAt to whole seconds in UTC", () => {
    const year = new Date().getUTCFullYear() + 1;
    const parsed = clientKeySchema(Date.UTC(year - 1, 5, 1)).parse({
      clientId: "c",
      publicKey: "x",
      expiresAt: `${year}-01-01T02:00:00.999+02:00`,
    });
    expect(parsed.expiresAt).toBe(`${year}-01-01T00:00:00.000Z`);
  });

  it("checked inputs always carry the settled kid and the thumbprint", () => {
    expect(checkedClientKeySchema().safeParse({ clientId: "c", publicKey: "x" }).success).toBe(false);
    expect(checkedClientKeySchema().safeParse({ clientId: "c", publicKey: "x", kid: "k", thumbprint: "t" }).success).toBe(true);
  });
});
