/**
 * `Client` and `ClientKey` as users write them in a program, under Pulumi's mocks: what reaches the engine
 * (type tokens, inputs as written, the serialized forwarder) and what the program gets back (outputs, secrets).
 */
import * as pulumi from "@pulumi/pulumi";
import * as runtime from "../../provider/runtime";
import { ownerMarker } from "../../provider/resources/client/owner-marker";
import { Client, ClientKey } from "../../sdk";

function organizationOrNone(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "";
  }
}
import { rsaKeyPair } from "../simulator/helpers";

const CREDENTIAL = "credential-that-must-stay-out-of-state-0123456789";
const registered: pulumi.runtime.MockResourceArgs[] = [];

/** Answers as the engine does after the provider's create: inputs echoed (secrets kept secret) plus its outputs. */
function engineState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const { __provider: _provider, ...inputs } = args.inputs as Record<string, unknown>;
  if (args.type.endsWith(":Client")) {
    return {
      ...inputs,
      clientId: `${args.name}-id`,
      clientOrgno: "311000004",
      integrationType: "maskinporten",
      created: "2025-01-01T00:00:00Z",
      lastUpdated: "2025-01-01T00:00:00Z",
    };
  }
  return {
    ...inputs,
    kid: inputs["kid"] ?? "thumbprint-as-kid",
    thumbprint: "thumbprint-as-kid",
    expiresAt: inputs["expiresAt"] ?? "2026-12-31T00:00:00.000Z",
  };
}

beforeAll(async () => {
  process.env["MASKINPORTEN_PRIVATE_KEY"] = CREDENTIAL;
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
afterAll(async () => {
  delete process.env["MASKINPORTEN_PRIVATE_KEY"];
  await runtime.resetRuntime();
});

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** What the engine was asked to register for the resource of that name. */
async function registration(resource: pulumi.CustomResource, name: string): Promise<pulumi.runtime.MockResourceArgs> {
  await valueOf(resource.urn);
  const found = registered.find((r) => r.name === name);
  if (!found) throw new Error(`no resource ${name} was registered`);
  return found;
}

describe("Client in a program", () => {
  it("reaches the engine with its type token and the inputs as written", async () => {
    const client = new Client("myapp", {
      clientName: "myapp-prod",
      description: pulumi.output("Fetches instances"),
      scopes: ["eksempel:b", pulumi.output("eksempel:a")],
      accessTokenLifetime: 60,
      profile: "owner",
    });
    const args = await registration(client, "myapp");
    expect(args.type).toBe("pulumi-nodejs:dynamic/maskinporten:Client");
    expect(args.custom).toBe(true);
    expect(args.inputs).toEqual({
      __provider: expect.any(String),
      clientName: "myapp-prod",
      description: "Fetches instances",
      scopes: ["eksempel:b", "eksempel:a"],
      accessTokenLifetime: 60,
      profile: "owner",
      __ownerMarker: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it("passes an ownership marker that depends on the stack, the resource's name and clientOrgno, and on nothing else", async () => {
    const markerOf = async (name: string, args: ConstructorParameters<typeof Client>[1]) =>
      (await registration(new Client(name, args), name)).inputs["__ownerMarker"] as string;
    const expected = (name: string, clientOrgno?: string) =>
      ownerMarker({ organization: organizationOrNone(), project: "project", stack: "stack", parent: "", name, clientOrgno });
    const plain = await markerOf("marked", { clientName: "x", scopes: ["difitest:open"] });
    expect(plain).toBe(expected("marked"));
    expect(await markerOf("marked-other-name", { clientName: "x", scopes: ["difitest:open"] })).not.toBe(plain);
    const supplied = await markerOf("marked-supplied", {
      clientName: "x",
      scopes: ["difitest:open"],
      clientOrgno: pulumi.output("311000004"),
    });
    expect(supplied).toBe(expected("marked-supplied", "311000004"));
    expect(supplied).not.toBe(expected("marked-supplied"));
    // What the program writes otherwise does not change it: a later run finds the client the first one made.
    expect(await markerOf("marked-2", { clientName: "y", description: "z", scopes: ["a:b"] })).toBe(expected("marked-2"));
  });

  it("gives the program every output, undefined where the program left an optional input out", async () => {
    const client = new Client("outputs", { clientName: "x", scopes: ["difitest:open"] });
    expect(await valueOf(client.id)).toBe("outputs-id");
    expect(await valueOf(client.clientId)).toBe("outputs-id");
    expect(await valueOf(client.clientOrgno)).toBe("311000004");
    expect(await valueOf(client.integrationType)).toBe("maskinporten");
    expect(await valueOf(client.created)).toBe("2025-01-01T00:00:00Z");
    expect(await valueOf(client.scopes)).toEqual(["difitest:open"]);
    expect(await valueOf(client.description)).toBeUndefined();
    expect(await valueOf(client.adoptClientId)).toBeUndefined();
  });

  it("keeps a secret input secret in its output", async () => {
    const client = new Client("secret", { clientName: "x", scopes: ["difitest:open"], description: pulumi.secret("not for the logs") });
    expect((await registration(client, "secret")).inputs["description"]).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: "not for the logs",
    });
    expect(await pulumi.isSecret(client.description)).toBe(true);
    expect(await pulumi.isSecret(client.clientName)).toBe(false);
  });
});

describe("ClientKey in a program", () => {
  it("reaches the engine with its type token, the client's id and the key as written; a Date expiry as ISO text", async () => {
    const client = new Client("keyed", { clientName: "keyed", scopes: ["difitest:open"] });
    const { publicJwk } = rsaKeyPair("myapp-2026");
    const key = new ClientKey("keyed-2026", {
      clientId: client.clientId,
      publicKey: publicJwk,
      kid: "myapp-2026",
      expiresAt: new Date("2026-06-30T00:00:00Z"),
    });
    const args = await registration(key, "keyed-2026");
    expect(args.type).toBe("pulumi-nodejs:dynamic/maskinporten:ClientKey");
    expect(args.inputs).toEqual({
      __provider: expect.any(String),
      clientId: "keyed-id",
      publicKey: publicJwk,
      kid: "myapp-2026",
      expiresAt: "2026-06-30T00:00:00.000Z",
    });
    expect(await valueOf(key.kid)).toBe("myapp-2026");
    expect(await valueOf(key.thumbprint)).toBe("thumbprint-as-kid");
    expect(await valueOf(key.expiresAt)).toBe("2026-06-30T00:00:00.000Z");
    expect(await valueOf(key.publicKey)).toEqual(publicJwk);
  });

  it("takes an expiry computed by the program (an Output or a Promise of a Date), and ISO text as is", async () => {
    const later = pulumi.output("2026").apply(() => new Date("2026-03-01T12:00:00Z"));
    const fromOutput = new ClientKey("from-output", { clientId: "c", publicKey: "PEM", expiresAt: later });
    const fromPromise = new ClientKey("from-promise", {
      clientId: "c",
      publicKey: "PEM",
      expiresAt: Promise.resolve(new Date("2026-04-01T00:00:00Z")),
    });
    const fromText = new ClientKey("from-text", { clientId: "c", publicKey: "PEM", expiresAt: "2026-05-01" });
    expect((await registration(fromOutput, "from-output")).inputs["expiresAt"]).toBe("2026-03-01T12:00:00.000Z");
    expect((await registration(fromPromise, "from-promise")).inputs["expiresAt"]).toBe("2026-04-01T00:00:00.000Z");
    expect((await registration(fromText, "from-text")).inputs["expiresAt"]).toBe("2026-05-01");
  });

  it("keeps a public key the program marked secret secret", async () => {
    const key = new ClientKey("secret-key", { clientId: "c", publicKey: pulumi.secret("-----BEGIN PUBLIC KEY-----...") });
    await registration(key, "secret-key");
    expect(await pulumi.isSecret(key.publicKey)).toBe(true);
    expect(await pulumi.isSecret(key.kid)).toBe(false);
  });
});

describe("the serialized provider (__provider)", () => {
  async function providerText(resource: pulumi.CustomResource, name: string): Promise<string> {
    return (await registration(resource, name)).inputs["__provider"] as string;
  }

  it("is a small forwarder to the installed package: no credential, no implementation, the same for every resource of a type", async () => {
    const one = await providerText(new Client("fwd-1", { clientName: "a", scopes: ["difitest:open"] }), "fwd-1");
    const two = await providerText(new Client("fwd-2", { clientName: "b", scopes: ["difitest:open"], profile: "owner" }), "fwd-2");
    const key = await providerText(new ClientKey("fwd-key", { clientId: "c", publicKey: "PEM" }), "fwd-key");
    expect(two).toBe(one);
    for (const [text, type] of [
      [one, "Client"],
      [key, "ClientKey"],
    ] as const) {
      expect(text).toBe(`exports.handler = () => require("pulumi-maskinporten/provider").dynamicProvider("${type}");\n`);
      expect(text).not.toContain(CREDENTIAL);
    }
  });

  it("loaded back as the engine loads it, runs this package's provider", async () => {
    const text = await providerText(new Client("loaded", { clientName: "a", scopes: ["difitest:open"] }), "loaded");
    const module = { exports: {} as { handler?: () => pulumi.dynamic.ResourceProvider } };
    const load = new Function("exports", "module", "require", text) as (e: object, m: object, r: (id: string) => unknown) => void;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the provider host's require, as the engine gives it
    load(module.exports, module, (id) => (id === "pulumi-maskinporten/provider" ? require("../../provider") : require(id)));
    const provider = module.exports.handler!();
    runtime.configure({
      get: (key) =>
        ({
          "maskinporten:issuer": "http://127.0.0.1:1/",
          "maskinporten:apiBaseUrl": "http://127.0.0.1:1/api/v1",
          "maskinporten:clientId": "admin",
        })[key],
    });
    const checked = await provider.check!({}, { clientName: "a", scopes: ["b:x", "a:y"], __provider: text });
    // A new client has no client_id yet: Digdir assigns it. The credential of this test (the environment's) cannot
    // work, and check says so before `up`, naming the setting, not the value.
    expect(checked).toEqual({
      inputs: { clientName: "a", scopes: ["a:y", "b:x"], active: true, __provider: text },
      failures: [{ property: "", reason: expect.stringMatching(/^maskinporten:privateKey: is base64, but not of a JWK/) }],
    });
    expect(JSON.stringify(checked)).not.toContain(CREDENTIAL);
  });
});
