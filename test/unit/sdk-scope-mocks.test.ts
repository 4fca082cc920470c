/**
 * `Scope` and `ScopeGrant` as users write them in a program, under Pulumi's mocks: the type tokens, the
 * inputs the engine receives, the outputs the program sees, and the serialized provider, which is the
 * forwarder alone and never holds a credential.
 */
import * as pulumi from "@pulumi/pulumi";
import { Scope, ScopeGrant } from "../../sdk";

const SECRET_MARKER = "not-a-real-private-key-4f1c";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

const registered: Registered[] = [];

beforeAll(() => {
  process.env["MASKINPORTEN_PRIVATE_KEY"] = SECRET_MARKER;
  process.env["MASKINPORTEN_CLIENT_ID"] = "oidc_311000004_api";
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const { __provider: _provider, ...inputs } = args.inputs;
        const server = args.type.endsWith(":Scope")
          ? { name: `${inputs.prefix}:${inputs.subscope}`, ownerOrgno: "311000004", active: true }
          : { state: "APPROVED", ownerOrgno: "311000004" };
        const id = args.type.endsWith(":Scope") ? server.name! : `${inputs.scope}/${inputs.consumerOrgno}`;
        return { id, state: { ...inputs, ...server } };
      },
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false, // as in `pulumi up`: outputs the provider does not return resolve to undefined rather than unknown
  );
});

afterAll(() => {
  delete process.env["MASKINPORTEN_PRIVATE_KEY"];
  delete process.env["MASKINPORTEN_CLIENT_ID"];
});

function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

function program() {
  const read = new Scope("instances-read", {
    prefix: "eksempel",
    subscope: "instances.read",
    description: "Read instances of Eksempel's API",
    visibility: "PRIVATE",
    allowedIntegrationTypes: ["maskinporten"],
    atMaxAge: 300,
  });
  const grant = new ScopeGrant("konsument-read", { scope: read.name, consumerOrgno: "312000008", profile: "owner" });
  return { read, grant };
}

describe("a program with a Scope and a ScopeGrant", () => {
  let made: ReturnType<typeof program>;

  beforeAll(async () => {
    made = program();
    await resolved(made.grant.id);
  });

  function find(type: string): Registered {
    const found = registered.find((r) => r.type === type);
    if (!found) throw new Error(`no ${type} registered (saw ${registered.map((r) => r.type).join(", ")})`);
    return found;
  }

  it("registers the type tokens users expect", () => {
    expect(registered.map((r) => [r.type, r.name])).toEqual([
      ["pulumi-nodejs:dynamic/maskinporten:Scope", "instances-read"],
      ["pulumi-nodejs:dynamic/maskinporten:ScopeGrant", "konsument-read"],
    ]);
  });

  it("sends the inputs as written, and nothing for the outputs", () => {
    const { __provider: _p, ...scopeInputs } = find("pulumi-nodejs:dynamic/maskinporten:Scope").inputs;
    expect(scopeInputs).toEqual({
      prefix: "eksempel",
      subscope: "instances.read",
      description: "Read instances of Eksempel's API",
      visibility: "PRIVATE",
      allowedIntegrationTypes: ["maskinporten"],
      atMaxAge: 300,
    });
    const { __provider: _g, ...grantInputs } = find("pulumi-nodejs:dynamic/maskinporten:ScopeGrant").inputs;
    expect(grantInputs).toEqual({ scope: "eksempel:instances.read", consumerOrgno: "312000008", profile: "owner" });
  });

  it("serializes only the forwarder, which loads the provider by its package name and holds no credential", () => {
    for (const [type, name] of [
      ["pulumi-nodejs:dynamic/maskinporten:Scope", "Scope"],
      ["pulumi-nodejs:dynamic/maskinporten:ScopeGrant", "ScopeGrant"],
    ] as const) {
      const text = find(type).inputs["__provider"];
      expect(typeof text).toBe("string");
      expect(text).toBe(`exports.handler = () => require("pulumi-maskinporten/provider").dynamicProvider("${name}");\n`);
      expect(text).not.toContain(SECRET_MARKER);
      expect(text).not.toContain("oidc_311000004_api");
      expect(text).not.toMatch(/PRIVATE KEY|MASKINPORTEN_|undici|zod/);
    }
  });

  it("exposes the outputs to the program", async () => {
    expect(await resolved(made.read.name)).toBe("eksempel:instances.read");
    expect(await resolved(made.read.ownerOrgno)).toBe("311000004");
    expect(await resolved(made.read.visibility)).toBe("PRIVATE");
    expect(await resolved(made.read.longDescription)).toBeUndefined();
    expect(await resolved(made.grant.state)).toBe("APPROVED");
    expect(await resolved(made.grant.id)).toBe("eksempel:instances.read/312000008");
  });
});
