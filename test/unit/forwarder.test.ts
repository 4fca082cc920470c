/**
 * `dynamic.Resource` caches a provider's serialized text per provider object; serializing takes tens of
 * milliseconds, so the forwarder must be one object per type, or every resource pays it again.
 */
import * as pulumi from "@pulumi/pulumi";
import { forwarder } from "../../provider/forwarder";

it("is one object per resource type", () => {
  expect(forwarder("Client")).toBe(forwarder("Client"));
  expect(forwarder("ClientKey")).toBe(forwarder("ClientKey"));
  expect(forwarder("ClientKey")).not.toBe(forwarder("Client"));
});

it("serializes without the cache: the provider's text is what each resource's state holds", async () => {
  const provider = forwarder("Client");
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  expect(text).toContain('with({ type: "Client", this: undefined, arguments: undefined })');
  expect(text).not.toMatch(/forwarders|Map/);
});
