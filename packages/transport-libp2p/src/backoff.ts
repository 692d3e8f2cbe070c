/**
 * Reconnect delays: capped exponential backoff with jitter ("equal jitter": half fixed, half
 * random), so that peers that lost each other at the same moment do not redial in lockstep, and
 * a dead peer costs one dial per `maxMs` at most.
 */
export interface BackoffOptions {
  /** The first delay, ms. */
  initialMs: number;
  /** The cap, ms. */
  maxMs: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions) {
    this.random = opts.random ?? Math.random;
  }

  /** The delay before the next attempt; each call doubles the base up to the cap. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return base / 2 + (base / 2) * this.random();
  }

  /** Back to the first delay (after a link proved healthy). */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
