// Token bucket per destination: `perSecond` sends a second on average, up to `burst` at once (Slack: one a second
// with short bursts). The worker asks before each send and waits when told to.
export class RateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, burst: number, now = Date.now()) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes a token and returns 0, or returns how many ms until one is free (taking nothing). */
  tryTake(now = Date.now()): number {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000);
  }

  /** After a 429 the destination's own budget is spent: start again from empty. */
  drain(now = Date.now()): void {
    this.#tokens = 0;
    this.#at = now;
  }
}
