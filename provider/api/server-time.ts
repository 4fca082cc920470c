/**
 * What time it is at Maskinporten, learnt from the `Date` header of its responses.
 *
 * Maskinporten judges a JWT grant's `iat` (±10 s) and a key's `exp` by its own clock, so the decisions that
 * depend on time (the grant's `iat`, when a key is due for rotation, which keys have expired) are taken on
 * that clock: a machine whose clock is wrong then neither fails its grants nor rotates keys early or late,
 * and tests can move the simulator's clock. Until a server has answered, the local clock stands in.
 *
 * The header has one-second resolution and is stamped before the response travels, so an estimate runs
 * up to a second plus the response's latency behind; nothing here needs better.
 */
import { metadataUrl } from "./environments";
import type { HttpTransport } from "./http";

interface Observation {
  /** Server time minus local time, ms. */
  offsetMs: number;
  /** Local time of the observation, ms. */
  atMs: number;
}

export class ServerClock {
  private readonly observations = new Map<string, Observation>();

  constructor(private readonly localNow: () => number = Date.now) {}

  /**
   * Records the `Date` header of a response from `origin`. A response with an `Age` header came from a cache
   * and says when the cache got it, not what time it is: it is ignored, as is a header that does not parse.
   */
  observe(origin: string, headers: Readonly<Record<string, string>>): void {
    const date = headers["date"];
    if (date === undefined || headers["age"] !== undefined) return;
    const serverMs = Date.parse(date);
    if (Number.isNaN(serverMs)) return;
    const atMs = this.localNow();
    this.observations.set(origin, { offsetMs: serverMs - atMs, atMs });
  }

  /** Milliseconds since the epoch at `origin`: the local clock corrected by its last `Date`, else the local clock. */
  now(origin?: string): number {
    const seen = origin === undefined ? undefined : this.observations.get(origin);
    return this.localNow() + (seen?.offsetMs ?? 0);
  }

  /** How long ago (ms) `origin` last told its time; undefined when it never did. */
  ageOf(origin: string): number | undefined {
    const seen = this.observations.get(origin);
    return seen === undefined ? undefined : this.localNow() - seen.atMs;
  }
}

/** `https://host:port` of a URL, the key under which its server's time is kept. */
export function originOf(url: string | URL): string {
  return new URL(url).origin;
}

/** How old the last `Date` of Maskinporten may be before a decision that depends on the time asks again. */
export const SERVER_TIME_MAX_AGE_MS = 60_000;

/**
 * Maskinporten's time now (ms): from its last `Date` when that is recent, else after one cheap public request
 * (the issuer's metadata). When Maskinporten cannot be reached, the local clock stands in: a preview then
 * still works, and `up` cannot act without Maskinporten anyway.
 */
export async function maskinportenTime(transport: HttpTransport, issuer: string, maxAgeMs = SERVER_TIME_MAX_AGE_MS): Promise<number> {
  const age = transport.serverClock.ageOf(originOf(issuer));
  if (age === undefined || age > maxAgeMs) {
    await transport
      .request({ method: "GET", url: metadataUrl(issuer), retry: "idempotent", operation: "read Maskinporten's clock" })
      .catch(() => undefined);
  }
  return transport.serverTime(issuer);
}
