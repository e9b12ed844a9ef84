import { describe, expect, it } from 'vitest';
import { GradientLimit } from './gradient-limit.ts';

/**
 * Feeds `windows` windows of 10 samples of `latencyMs`, each window 100 ms after the last; in flight is the
 * whole limit (a saturated service) unless `inFlight` is given.
 */
function feed(limit: GradientLimit, latencyMs: number, windows: number, clock: { now: number }, inFlight?: number): void {
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < 10; i++) limit.addSample(latencyMs, inFlight ?? limit.limit, clock.now + i * 10);
    clock.now += 100;
  }
}

describe('GradientLimit', () => {
  const options = { initialLimit: 20, minLimit: 5, maxLimit: 100, tolerance: 2 };

  it('grows while latency stays at its baseline, up to the max', () => {
    const limit = new GradientLimit(options);
    const clock = { now: 0 };
    feed(limit, 10, 300, clock);
    expect(limit.limit).toBe(100);
    expect(limit.baselineMs).toBeCloseTo(10, 5);
  });

  it('shrinks to the min once latency is far above tolerance times the baseline, and recovers when it falls', () => {
    const limit = new GradientLimit(options);
    const clock = { now: 0 };
    feed(limit, 10, 50, clock);
    const before = limit.limit;
    feed(limit, 200, 60, clock); // 20 times the baseline: the gradient is at its floor (0.5)
    expect(limit.limit).toBeLessThan(before);
    expect(limit.limit).toBe(5);
    feed(limit, 10, 200, clock);
    expect(limit.limit).toBeGreaterThan(50);
  });

  it('keeps the limit while latency is within the tolerance', () => {
    const limit = new GradientLimit({ ...options, maxLimit: 20 });
    const clock = { now: 0 };
    feed(limit, 10, 50, clock);
    feed(limit, 19, 100, clock); // below 2x the baseline
    expect(limit.limit).toBe(20);
  });

  it('does not move when the limit is not used (fewer than half of it in flight)', () => {
    const limit = new GradientLimit(options);
    const clock = { now: 0 };
    feed(limit, 10, 20, clock, 2);
    feed(limit, 500, 50, clock, 2);
    expect(limit.limit).toBe(20);
  });
});
