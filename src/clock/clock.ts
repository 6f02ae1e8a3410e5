/**
 * The service's only source of "now": transaction time (`recordedAt`) and the defaults of `asOf`
 * and `knownAt` come from here, so tests can fix or step time.
 */
export interface Clock {
  now(): Date;
}

/** Injection token of the {@link Clock}. */
export const CLOCK = Symbol('CLOCK');

/** The wall clock. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that stands still until told to move; each `now()` optionally advances it by `stepMs`. */
export class FixedClock implements Clock {
  private current: number;
  constructor(
    start: Date | string,
    private readonly stepMs = 0,
  ) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    const value = new Date(this.current);
    this.current += this.stepMs;
    return value;
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
