/** Formatting for people: decoded JWTs, times relative to now, tables. */

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Header and claims of a compact JWS, without verifying it; undefined for an opaque token. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const json = (segment: string): Record<string, unknown> | undefined => {
    try {
      const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
      return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const header = json(parts[0]!);
  const claims = json(parts[1]!);
  return header && claims ? { header, claims } : undefined;
}

const TIME_CLAIMS = ["iat", "nbf", "exp"] as const;

/** `exp  2025-01-01T12:00:00Z (in 2 min)` for each time claim present. */
export function timeClaimLines(claims: Record<string, unknown>, now: Date): string[] {
  return TIME_CLAIMS.filter((name) => typeof claims[name] === "number").map((name) => {
    const at = new Date((claims[name] as number) * 1000);
    return `${name.padEnd(4)} ${isoSeconds(at)} (${relative(at, now)})`;
  });
}

/** ISO 8601 without milliseconds. */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `in 2 min`, `5 s ago`, `in 3 days`. */
export function relative(at: Date, now: Date): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs <= 1) return "now";
  const amount =
    abs < 120
      ? `${abs} s`
      : abs < 7200
        ? `${Math.round(abs / 60)} min`
        : abs < 2 * 86400
          ? `${Math.round(abs / 3600)} h`
          : `${Math.floor(abs / 86400)} days`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** A left-aligned text table; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
