/**
 * The provider object the `__provider` text's `handler` returns (see `forwarder.ts`): one resource type's
 * implementation, plus the rewrite of state that an earlier version of the package wrote.
 *
 * State from an earlier version holds another `__provider` text (0.1.0's was a 2.4 kB serialized closure) and
 * possibly fields this version no longer stores. `diff` reports such a resource as changed even when nothing
 * the program manages differs, so the engine lets the provider write its state once; `update` then writes it
 * in this version's shape without a request to Maskinporten. Without this, the old text would stay in the
 * outputs until some other change (the engine keeps a resource's outputs when `diff` says nothing changed).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceImplementation } from "./resources/shared/types";
import { configure as configureRuntime } from "./runtime";

const PROVIDER_KEY = "__provider";

export function dynamicProviderOf(implementation: ResourceImplementation): pulumi.dynamic.ResourceProvider {
  return {
    configure: async (req) => configureRuntime(req.config),
    check: (olds, news) => implementation.check(olds, news),
    async diff(id, olds, news) {
      const result = await implementation.diff(id, olds, news);
      if (result.changes || !providerTextChanged(olds, news)) return result;
      return { changes: true, replaces: [], deleteBeforeReplace: false };
    },
    create: (inputs) => implementation.create(inputs),
    read: (id, props) => implementation.read(id, props),
    async update(id, olds, news) {
      if (providerTextChanged(olds, news) && !(await implementation.diff(id, olds, news)).changes) {
        return { outs: restated(implementation, withoutProviderText(olds)) };
      }
      const result = await implementation.update(id, olds, news);
      return { ...result, outs: restated(implementation, result.outs ?? {}) };
    },
    delete: (id, props) => implementation.delete(id, props),
  };
}

/** The state was written with another `__provider` text than the program's (an earlier version of the package). */
function providerTextChanged(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  return typeof news[PROVIDER_KEY] === "string" && olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
}

/** The dynamic host adds the new inputs' `__provider` to whatever `update` returns. */
function withoutProviderText(outputs: Record<string, unknown>): Record<string, unknown> {
  const { [PROVIDER_KEY]: _text, ...rest } = outputs;
  return rest;
}

function restated(implementation: ResourceImplementation, outputs: Record<string, unknown>): Record<string, unknown> {
  return implementation.restate ? implementation.restate(outputs) : outputs;
}
