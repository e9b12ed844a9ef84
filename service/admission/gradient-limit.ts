/**
 * An adaptive concurrency limit of the gradient family: Netflix concurrency-limits' Gradient2 (the algorithm
 * Envoy's adaptive concurrency filter also follows). The limit moves with the ratio of the no-load latency
 * baseline to the latency measured now: while requests take no longer than `tolerance` times the baseline the
 * limit grows by a small queue allowance; once they take longer it shrinks in proportion.
 *
 * Written here because no kept npm package implements it: npm has rate limiters (express-rate-limit,
 * rate-limiter-flexible), fixed-concurrency queues (p-limit, bottleneck) and threshold-based shedders
 * (toobusy-js, overload-protection, under-pressure for Fastify), none of which follows latency; the reference
 * implementations are Java (Netflix) and C++ (Envoy).
 */
export interface GradientLimitOptions {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** Latency may rise to this many times the baseline before the limit shrinks (Gradient2's rttTolerance). */
  tolerance: number;
  /** Weight of each new estimate against the current limit (0..1). */
  smoothing?: number;
  /** Windows the long-term (baseline) average spans. */
  baselineWindows?: number;
  /** A window closes after this long, with at least `minWindowSamples` samples. */
  windowMs?: number;
  minWindowSamples?: number;
}

export class GradientLimit {
  readonly #options: Required<GradientLimitOptions>;
  #limit: number;
  #baselineMs: number | undefined;
  #windowStart = 0;
  #windowSum = 0;
  #windowCount = 0;
  #windowMaxInFlight = 0;
  #recentMs: number | undefined;

  constructor(options: GradientLimitOptions) {
    this.#options = { smoothing: 0.2, baselineWindows: 600, windowMs: 100, minWindowSamples: 10, ...options };
    this.#limit = options.initialLimit;
  }

  /** The current limit on requests in flight (a whole number, within min and max). */
  get limit(): number {
    return Math.floor(this.#limit);
  }

  /** The no-load latency baseline (long-term average), undefined before the first window closed. */
  get baselineMs(): number | undefined {
    return this.#baselineMs;
  }

  /** Average latency of the last closed window (the short-term measure), undefined before the first. */
  get recentLatencyMs(): number | undefined {
    return this.#recentMs;
  }

  /** One finished request: its latency, and how many were in flight when it started. */
  addSample(latencyMs: number, inFlight: number, now = performance.now()): void {
    if (this.#windowCount === 0) this.#windowStart = now;
    this.#windowSum += latencyMs;
    this.#windowCount++;
    this.#windowMaxInFlight = Math.max(this.#windowMaxInFlight, inFlight);
    if (this.#windowCount >= this.#options.minWindowSamples && now - this.#windowStart >= this.#options.windowMs) {
      this.#update(this.#windowSum / this.#windowCount, this.#windowMaxInFlight);
      this.#windowSum = 0;
      this.#windowCount = 0;
      this.#windowMaxInFlight = 0;
    }
  }

  #update(shortMs: number, maxInFlight: number): void {
    const o = this.#options;
    const short = Math.max(shortMs, 0.001);
    this.#recentMs = short;
    // The baseline is a long average (over `baselineWindows`), as in Gradient2: a short burst of slow
    // requests barely moves it, so the limit shrinks while they last.
    const alpha = 2 / (o.baselineWindows + 1);
    this.#baselineMs = this.#baselineMs === undefined ? short : this.#baselineMs * (1 - alpha) + short * alpha;
    // After a long overload the baseline has crept up; once latency falls far below it, it follows faster.
    if (this.#baselineMs / short > 2) this.#baselineMs *= 0.95;
    // Not using the limit (app-limited): latency says nothing about it, so leave it as it is.
    if (maxInFlight < this.#limit / 2) return;
    const gradient = Math.max(0.5, Math.min(1, (o.tolerance * this.#baselineMs) / short));
    const queueAllowance = Math.max(1, Math.sqrt(this.#limit));
    const estimate = this.#limit * gradient + queueAllowance;
    const next = this.#limit * (1 - o.smoothing) + estimate * o.smoothing;
    this.#limit = Math.max(o.minLimit, Math.min(o.maxLimit, next));
  }
}
