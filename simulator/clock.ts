/** The simulator's notion of now: the wall clock plus an offset tests can move. */
export class Clock {
  private offsetMs: number;

  constructor(offsetSeconds = 0) {
    this.offsetMs = offsetSeconds * 1000;
  }

  /** Milliseconds since the epoch. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds since the epoch. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  date(): Date {
    return new Date(this.nowMs());
  }

  /** ISO 8601 without milliseconds, as the API writes `created`/`last_updated`. */
  timestamp(): string {
    return isoSeconds(this.nowMs());
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  setOffset(seconds: number): void {
    this.offsetMs = seconds * 1000;
  }
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
