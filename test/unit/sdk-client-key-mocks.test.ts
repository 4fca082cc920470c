/**
 * `ClientKey` with a generated key, as users write it, under Pulumi's mocks: what reaches the engine, which
 * outputs are listed as secret; and the wording of the expiry warning (which the provider gives).
 */
import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { expiryWarning } from "../../provider/key-lifecycle/expiry";
import { resourceMarker } from "../../provider/resources/shared/resource-marker";
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
    return {
      ...inputs,
      kid: current.kid,
      current,
      expiresAt: expiries.get(args.name) ?? new Date(Date.now() + 300 * DAY_MS).toISOString(),
    };
  }
  const generated = inputs["generate"] !== undefined ? { privateKeyJwk, publicKeyJwk } : {};
  return {
    ...inputs,
    kid: `${args.name}-kid`,
    thumbprint: "t",
    expiresAt: expiries.get(args.name) ?? new Date(Date.now() + 300 * DAY_MS).toISOString(),
    ...generated,
  };
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

function organizationOrNone(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "";
  }
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits for the resource's registration and the applies hanging off its outputs. */
async function settled(key: ClientKey): Promise<void> {
  await valueOf(key.expiresAt);
  await new Promise((resolve) => setImmediate(resolve));
}

describe("a generated key in a program", () => {
  it("reaches the engine with its generate settings and no key material; the private forms are secret outputs, all but the JWK derived in the program", async () => {
    const key = new ClientKey("gen", {
      clientId: "c",
      generate: { algorithm: "RS512", modulusLength: 4096 },
      kidConvention: { name: "myapp", environment: "test" },
      rotateBeforeExpiryDays: 30,
    });
    await settled(key);
    const args = registered.find((r) => r.name === "gen")!;
    expect(args.inputs).toEqual({
      __provider: expect.any(String),
      clientId: "c",
      generate: { algorithm: "RS512", modulusLength: 4096 },
      kidConvention: { name: "myapp", environment: "test" },
      rotateBeforeExpiryDays: 30,
      __ownerMarker: resourceMarker("ClientKey", {
        organization: organizationOrNone(),
        project: "project",
        stack: "stack",
        parent: "",
        name: "gen",
      }),
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
    for (const form of [key.privateKeyJwk, key.privateKeyBase64, key.privateKeyPem, key.publicKeyPem])
      expect(await valueOf(form)).toBeUndefined();
  });

  it("lists the private forms in additionalSecretOutputs, keeping the program's own", () => {
    expect(withSecretOutputs(undefined, ["privateKeyJwk", "privateKeyPem"])).toEqual({
      additionalSecretOutputs: ["privateKeyJwk", "privateKeyPem"],
    });
    const opts = { protect: true, additionalSecretOutputs: ["kid", "privateKeyPem"] };
    expect(withSecretOutputs(opts, ["privateKeyJwk", "privateKeyPem"])).toEqual({
      protect: true,
      additionalSecretOutputs: ["kid", "privateKeyPem", "privateKeyJwk"],
    });
    expect(opts.additionalSecretOutputs).toEqual(["kid", "privateKeyPem"]);
  });
});

describe("RotatingClientKey in a program", () => {
  it("reaches the engine with its type token and settings; the current key is an output", async () => {
    const key = new RotatingClientKey("rot", {
      clientId: "c",
      rotateAfterDays: 90,
      gracePeriodDays: 14,
      kidConvention: { name: "myapp", environment: "prod" },
    });
    expect(await valueOf(key.current)).toEqual({ kid: "rot-kid", privateKeyJwk, publicKeyJwk, ...DERIVED });
    expect(await pulumi.isSecret(key.current)).toBe(true);
    const args = registered.find((r) => r.name === "rot")!;
    expect(args.type).toBe("pulumi-nodejs:dynamic/maskinporten:RotatingClientKey");
    expect(args.inputs).toEqual({
      __provider: expect.any(String),
      clientId: "c",
      rotateAfterDays: 90,
      gracePeriodDays: 14,
      kidConvention: { name: "myapp", environment: "prod" },
      __ownerMarker: resourceMarker("RotatingClientKey", {
        organization: organizationOrNone(),
        project: "project",
        stack: "stack",
        parent: "",
        name: "rot",
      }),
    });
    expect(await valueOf(key.previous)).toBeUndefined();
  });
});

/** The warning itself is given by the provider, on Maskinporten's clock: test/provider/client-key/warnings.test.ts. */
describe("the expiry warning's wording", () => {
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
