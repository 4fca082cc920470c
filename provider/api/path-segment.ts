/**
 * Ids that travel as one segment of a URL path (`/clients/{client_id}`). Encoding alone is not enough: "." and
 * ".." stay as they are under encodeURIComponent and are resolved by URL parsers and proxies, so
 * `/clients/..` addresses `/`, another resource of the API.
 */
import { MaskinportenError } from "./errors";

/** Why `value` cannot be a path segment, or undefined when it can. */
export function pathSegmentProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  if (value === "." || value === "..") return `is "${value}", which a URL path resolves to another path`;
  // eslint-disable-next-line no-control-regex
  const bad = /[/\\?#%\s\u0000-\u001f\u007f]/.exec(value)?.[0];
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}, which does not belong in an id and would change the URL it is sent to`;
  return undefined;
}

/** `value` encoded as one path segment; an id that would address another path is refused before any request. */
export function pathSegment(value: string): string {
  if (value === "." || value === ".." || value === "") {
    throw new MaskinportenError(
      "INVALID_PATH_SEGMENT",
      `an id ${pathSegmentProblem(value)}; refusing to send a request to another path of the API`,
    );
  }
  return encodeURIComponent(value);
}
