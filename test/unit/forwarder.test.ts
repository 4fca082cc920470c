/**
 * The `__provider` text each resource stores: what Pulumi's dynamic provider host needs of it, and nothing more.
 * The host evaluates it with require-from-string (a CommonJS module whose `require` resolves from the
 * program's directory) and calls `handler()` for the provider; here it is loaded the same way, with the
 * package's public name resolved to this checkout's sources.
 */
import Module from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { forwarderText, RESOURCE_TYPES, type ResourceType } from "../../provider/forwarder";
import * as providerEntryPoint from "../../provider";

/** Compiles `text` as the host's require-from-string does, with the package name mapped to the sources. */
function load(text: string): { handler: () => pulumi.dynamic.ResourceProvider } {
  const loaded = new Module("", module) as Module & { _compile(code: string, filename: string): void };
  const resolve = Module.prototype.require;
  loaded.require = ((id: string) =>
    id === "pulumi-maskinporten/provider" ? providerEntryPoint : resolve.call(loaded, id)) as NodeJS.Require;
  loaded._compile(text, "");
  return loaded.exports as { handler: () => pulumi.dynamic.ResourceProvider };
}

it("names the type and the package's public entry point, nothing else: at most 110 bytes", () => {
  for (const type of RESOURCE_TYPES) {
    const text = forwarderText(type);
    expect(text).toBe(`exports.handler = () => require("pulumi-maskinporten/provider").dynamicProvider("${type}");\n`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(110);
  }
});

it("is the same text every time: a changed text rewrites every resource at the next up", () => {
  expect(forwarderText("Client")).toBe(forwarderText("Client"));
  expect(forwarderText("Client")).not.toBe(forwarderText("Scope"));
});

it("loaded as the host loads it, hands over this package's provider of the type, with every method the host calls", () => {
  for (const type of RESOURCE_TYPES) {
    const provider = load(forwarderText(type)).handler();
    expect(provider).toBe(providerEntryPoint.dynamicProvider(type));
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"] as const)
      expect(typeof provider[method]).toBe("function");
  }
});

it("an unknown type (state of a newer version) fails when called, saying to upgrade", () => {
  expect(() => load(forwarderText("Certificate" as ResourceType)).handler()).toThrow(/no resource type "Certificate".*upgrade it/);
});
