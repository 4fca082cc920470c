/**
 * Third-party modules loaded on first use. Every Pulumi program that imports the SDK loads this package, and most
 * never sign a JWT, send a request or parse with zod in the program's own process: loading undici (~100-150 ms),
 * zod (~60-90 ms) and jose (~35 ms) up front was paid by every `up` and `preview`. Node caches modules, so each
 * call after the first is a lookup.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the point of this module */

export function zod(): typeof import("zod") {
  return require("zod") as typeof import("zod");
}

export function jose(): typeof import("jose") {
  return require("jose") as typeof import("jose");
}

export function undici(): typeof import("undici") {
  return require("undici") as typeof import("undici");
}
