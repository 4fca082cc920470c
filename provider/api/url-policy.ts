/**
 * Which URLs the package may send credentials to: `https:` anywhere, plain `http:` only to this machine
 * (the local simulator). Config validation and the HTTP transport both apply it.
 */
import { isIPv4 } from "node:net";
import { ConfigError } from "./errors";

/** True for `localhost`, `127.0.0.0/8`, `::1` and its IPv4-mapped form. `hostname` as `URL` gives it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost") return true;
  if (isIPv4(host)) return host.startsWith("127.");
  if (host === "::1") return true;
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1 (and 127.x.y.z as ::ffff:7fxx:yyzz).
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(host);
}

/** The URL as safe to print: without user info (which may hold a password). */
export function describeUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

/**
 * Parses `url` and checks that it is safe to send a token to, or throws a `ConfigError` naming `field` and
 * the fix. Returns the parsed URL.
 */
export function assertSecureUrl(url: string | URL, field: string): URL {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : new URL(url.href);
  } catch {
    throw new ConfigError(field, "is not a valid absolute URL; give one like https://api.samarbeid.digdir.no/api/v1", "INVALID_URL");
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError(
      field,
      `${describeUrl(parsed)} must not contain a user name or password; remove the user info from the URL`,
      "INVALID_URL",
    );
  }
  if (parsed.protocol === "https:") return parsed;
  if (parsed.protocol === "http:") {
    if (isLoopbackHost(parsed.hostname)) return parsed;
    throw new ConfigError(
      field,
      `${parsed.href} uses plain http, which would send tokens unencrypted; use https://, ` +
        "or http:// only for a local simulator on localhost, 127.0.0.1 or [::1]",
      "INSECURE_URL",
    );
  }
  throw new ConfigError(
    field,
    `${parsed.href} has the unsupported scheme "${parsed.protocol.replace(/:$/, "")}"; use https://`,
    "INVALID_URL",
  );
}
