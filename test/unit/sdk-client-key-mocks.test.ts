/**
 * `ClientKey` with a generated key and the expiry warning, as users write them, under Pulumi's mocks: what
 * reaches the engine, which outputs are listed as secret, and the warning `preview`/`up` print for a key that
 * expires soon (stack config `maskinporten:keyExpiryWarningDays`).
 */
import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { expiryWarning } from "../../provider/resources/client-key/expiry";
import * as runtime from "../../provider/runtime";
import { ClientKey, RotatingClientKey } from "../../sdk";
import { withSecretOutputs } from "../../sdk/resources/client-key";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A generated key as the engine's state holds it (its JWKs), and the forms the program derives from them. */
const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicKeyJwk = { ...pair.publicKey.export({ format: "jwk" }), kid: "gen-kid", alg: "RS256", use: "sig" };
const privateKeyJwk = JSON.stringify({ ...publicKeyJwk, ...pair.privateKey.export({ format: "jwk" }) });
const DERIVED = {
  privateKeyBase64: Buffer.from(privateKeyJwk).toString("base64"),
  privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
  publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
};
const registered: pulumi.runtime.MockResourceArgs[] = [];
/** The expiry the mocked engine reports, per resource name. */
const expiries = new Map<string, string>();

function engineState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const { __provider: _provider, ...inputs } = args.inputs as Record<string, unknown>;
  if (args.type.endsWith(":RotatingClientKey")) {
    const current = { kid: `${args.name}-kid`, privateKeyJwk, publicKeyJwk };
    return { ...inputs, kid: current.kid, current, expiresAt: expiries.get(args.name) ?? new Date(Date.now() + 300 * DAY_MS).toISOString() };
  }
  const generated = inputs["generate"] !== undefined ? { privateKeyJwk, publicKeyJwk } : {};
  return { ...inputs, kid: `${args.name}-kid`, thumbprint: "t", expiresAt: expiries.get(args.name) ?? new Date(Date.now() + 300 * DAY_MS).toISOString(), ...generated };
}

let warn: jest.SpyInstance;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args);
        return { id: `${args.name}-id`, state: engineState(args) };
      },
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false,
  );
});
beforeEach(() => {
  warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  pulumi.runtime.setConfig("maskinporten:keyExpiryWarningDays", "30");
});
afterEach(() => {
  warn.mockRestore();
});
afterAll(async () => {
  await runtime.resetRuntime();
});

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits for the resource's registration and the applies hanging off its outputs. */
async function settled(key: ClientKey): Promise<void> {
  await valueOf(key.expiresAt);
  await new Promise((resolve) => setImmediate(resolve));
}

function warningsFor(resource: pulumi.Resource): string[] {
  return warn.mock.calls.filter(([, on]) => on === resource).map(([message]) => message as string);
}

describe("a generated key in a program", () => {
  it("reaches the engine with its generate settings and no key material; the private forms are secret outputs, all but the JWK derived in the program", async () => {
    const key = new ClientKey("gen", { clientId: "c", generate: { algorithm: "RS512", modulusLength: 4096 }, kidConvention: { name: "myapp", environment: "test" }, rotateBeforeExpiryDays: 30 });
    await settled(key);
    const args = registered.find((r) => r.name === "gen")!;
    expect(args.inputs).toEqual({
      __provider: expect.any(String),
      clientId: "c",
      generate: { algorithm: "RS512", modulusLength: 4096 },
      kidConvention: { name: "myapp", environment: "test" },
      rotateBeforeExpiryDays: 30,
    });
    expect(await valueOf(key.privateKeyJwk)).toBe(privateKeyJwk);
    expect(await valueOf(key.privateKeyBase64)).toBe(DERIVED.privateKeyBase64);
    expect(await valueOf(key.privateKeyPem)).toBe(DERIVED.privateKeyPem);
    expect(await valueOf(key.publicKeyPem)).toBe(DERIVED.publicKeyPem);
    expect(await pulumi.isSecret(key.privateKeyBase64)).toBe(true);
    expect(await pulumi.isSecret(key.privateKeyPem)).toBe(true);
    expect(await pulumi.isSecret(key.publicKeyPem)).toBe(false);
    expect(await valueOf(key.kid)).toBe("gen-kid");
  });

  it("a key the program gives has no derived forms", async () => {
    const key = new ClientKey("given", { clientId: "c", publicKey: "PEM" });
    await settled(key);
    for (const form of [key.privateKeyJwk, key.privateKeyBase64, key.privateKeyPem, key.publicKeyPem]) expect(await valueOf(form)).toBeUndefined();
  });

  it("lists the private forms in additionalSecretOutputs, keeping the program's own", () => {
    expect(withSecretOutputs(undefined, ["privateKeyJwk", "privateKeyPem"])).toEqual({ additionalSecretOutputs: ["privateKeyJwk", "privateKeyPem"] });
    const opts = { protect: true, additionalSecretOutputs: ["kid", "privateKeyPem"] };
    expect(withSecretOutputs(opts, ["privateKeyJwk", "privateKeyPem"])).toEqual({ protect: true, additionalSecretOutputs: ["kid", "privateKeyPem", "privateKeyJwk"] });
    expect(opts.additionalSecretOutputs).toEqual(["kid", "privateKeyPem"]);
  });
});

describe("RotatingClientKey in a program", () => {
  it("reaches the engine with its type token and settings; the current key is an output", async () => {
    const key = new RotatingClientKey("rot", { clientId: "c", rotateAfterDays: 90, gracePeriodDays: 14, kidConvention: { name: "myapp", environment: "prod" } });
    expect(await valueOf(key.current)).toEqual({ kid: "rot-kid", privateKeyJwk, publicKeyJwk, ...DERIVED });
    expect(await pulumi.isSecret(key.current)).toBe(true);
    const args = registered.find((r) => r.name === "rot")!;
    expect(args.type).toBe("pulumi-nodejs:dynamic/maskinporten:RotatingClientKey");
    expect(args.inputs).toEqual({ __provider: expect.any(String), clientId: "c", rotateAfterDays: 90, gracePeriodDays: 14, kidConvention: { name: "myapp", environment: "prod" } });
    expect(await valueOf(key.previous)).toBeUndefined();
  });

  it("warns when its current key expires soon", async () => {
    expiries.set("rot-soon", new Date(Date.now() + 5 * DAY_MS + 3_600_000).toISOString());
    const key = new RotatingClientKey("rot-soon", { clientId: "c", rotateAfterDays: 90 });
    await valueOf(key.expiresAt);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warningsFor(key)).toEqual([expect.stringMatching(/^key "rot-soon-kid" of client c expires in 5 days .*: it rotates at the next `pulumi up`/)]);
  });
});

describe("the expiry warning", () => {
  it("warns on the resource when the key expires within 30 days, with the date and how to rotate", async () => {
    expiries.set("soon", new Date(Date.now() + 10 * DAY_MS + 3_600_000).toISOString());
    const key = new ClientKey("soon", { clientId: "c", publicKey: "PEM" });
    await settled(key);
    expect(warningsFor(key)).toEqual([expect.stringMatching(/^key "soon-kid" of client c expires in 10 days \(on \d{4}-\d{2}-\d{2}\): rotate it: give the ClientKey a new publicKey/)]);
  });

  it("warns about a key that has expired", async () => {
    expiries.set("expired", new Date(Date.now() - DAY_MS).toISOString());
    const key = new ClientKey("expired", { clientId: "c", generate: {} });
    await settled(key);
    expect(warningsFor(key)).toEqual([expect.stringMatching(/expired on .*Maskinporten refuses tokens signed with it\. rotate it: set rotateBeforeExpiryDays/)]);
  });

  it("says nothing for a key with time left, and follows maskinporten:keyExpiryWarningDays", async () => {
    expiries.set("later", new Date(Date.now() + 40 * DAY_MS).toISOString());
    const later = new ClientKey("later", { clientId: "c", publicKey: "PEM" });
    await settled(later);
    expect(warningsFor(later)).toEqual([]);

    pulumi.runtime.setConfig("maskinporten:keyExpiryWarningDays", "60");
    expiries.set("configured", new Date(Date.now() + 40 * DAY_MS).toISOString());
    const configured = new ClientKey("configured", { clientId: "c", publicKey: "PEM" });
    await settled(configured);
    expect(warningsFor(configured)).toEqual([expect.stringContaining("expires in 39 days")]);
  });

  it("is worded for each way a key is made and rotated", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const at = "2026-01-02T12:00:00Z";
    expect(expiryWarning("k", "c", at, now, 30, "advice.")).toBe('key "k" of client c expires in 1 day (on 2026-01-02): advice.');
    expect(expiryWarning("k", "c", "2026-01-01T06:00:00Z", now, 30, "advice.")).toContain("expires today");
    expect(expiryWarning("k", "c", "2026-03-01T00:00:00Z", now, 30, "advice.")).toBeUndefined();
    expect(expiryWarning("k", "c", undefined, now, 30, "advice.")).toBeUndefined();
    expect(expiryWarning("k", "c", "2026-03-01T00:00:00Z", now, 0, "advice.")).toBeUndefined();
  });
});
