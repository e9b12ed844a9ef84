import { describe, expect, it } from 'vitest';
import { failuresAfterDeath, restartDelayMs, type RestartBackoff } from './restart-backoff.ts';

const backoff: RestartBackoff = { initialMs: 500, factor: 2, maxMs: 10_000, resetAfterMs: 30_000 };

describe('restartDelayMs', () => {
  it('doubles from the initial delay and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => restartDelayMs(n, backoff))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it('rejects a failure count that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => restartDelayMs(bad, backoff)).toThrow(RangeError);
  });
});

describe('failuresAfterDeath', () => {
  it('counts deaths in a row, and starts over after a replica ran long enough', () => {
    expect(failuresAfterDeath(0, 1_000, backoff)).toBe(1);
    expect(failuresAfterDeath(3, 29_999, backoff)).toBe(4);
    expect(failuresAfterDeath(3, 30_000, backoff)).toBe(1);
  });
});
