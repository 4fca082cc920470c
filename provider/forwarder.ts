/**
 * The provider object that `dynamic.Resource` serializes into each resource's state (`__provider`).
 *
 * It holds nothing but the resource type: each method loads the implementation from the installed package
 * by its public name when it runs, so the state never contains implementation code, credentials or clients,
 * and upgrading the package changes what runs for resources already in state. Keep this text stable: a
 * changed `__provider` is shown by `pulumi preview --diff` on resources that change for other reasons.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * One object per type: `dynamic.Resource` caches the serialized text per provider object, and serializing
 * a closure takes ~25 ms, so a new object per resource cost seconds per `up` and `preview` of a few hundred.
 */
const forwarders = new Map<string, pulumi.dynamic.ResourceProvider>();

export function forwarder(type: string): pulumi.dynamic.ResourceProvider {
  let found = forwarders.get(type);
  if (!found) {
    found = forwarderOf(type);
    forwarders.set(type, found);
  }
  return found;
}

function forwarderOf(type: string): pulumi.dynamic.ResourceProvider {
  return {
    configure: async (req) => require("pulumi-maskinporten/provider").configure(req.config),
    check: (olds, news) => require("pulumi-maskinporten/provider").implementation(type).check(olds, news),
    diff: (id, olds, news) => require("pulumi-maskinporten/provider").implementation(type).diff(id, olds, news),
    create: (inputs) => require("pulumi-maskinporten/provider").implementation(type).create(inputs),
    read: (id, props) => require("pulumi-maskinporten/provider").implementation(type).read(id, props),
    update: (id, olds, news) => require("pulumi-maskinporten/provider").implementation(type).update(id, olds, news),
    delete: (id, props) => require("pulumi-maskinporten/provider").implementation(type).delete(id, props),
  };
}
