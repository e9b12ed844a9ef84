import { describe, expect, it } from 'vitest';
import { ProcessingBacklog } from './processing-backlog.ts';

describe('processing backlog', () => {
  it('is the waiting orders over the pace of the busy seconds, idle seconds left out', () => {
    const backlog = new ProcessingBacklog({ windowSeconds: 10, now: 0 });
    // Idle for 5 s, then 2 busy seconds finishing 100 orders each.
    for (let i = 0; i < 100; i++) backlog.recordFinished(5_000 + i);
    for (let i = 0; i < 100; i++) backlog.recordFinished(6_000 + i);
    backlog.setWaiting(3_000);
    expect(backlog.perSecond(6_500)).toBe(100);
    expect(backlog.seconds(6_500)).toBe(30);
  });

  it('forgets seconds that left the window', () => {
    const backlog = new ProcessingBacklog({ windowSeconds: 10, now: 0 });
    for (let i = 0; i < 50; i++) backlog.recordFinished(1_000 + i);
    backlog.recordFinished(20_000);
    expect(backlog.perSecond(20_500)).toBe(1);
    expect(backlog.perSecond(40_000)).toBeUndefined();
  });

  it('is 0 with nothing waiting or before processing was ever busy, and unbounded once busy processing finished nothing for the stall time', () => {
    const backlog = new ProcessingBacklog({ windowSeconds: 10, stallSeconds: 3, now: 0 });
    expect(backlog.seconds(100)).toBe(0);
    backlog.setWaiting(500);
    expect(backlog.seconds(200)).toBe(0);
    backlog.markBusy(1_000);
    backlog.markBusy(2_500);
    expect(backlog.seconds(3_900), 'a first order slower than a second is not a stall').toBe(0);
    expect(backlog.seconds(4_000)).toBe(Number.POSITIVE_INFINITY);
    backlog.setWaiting(0);
    expect(backlog.seconds(4_100)).toBe(0);
  });

  it('starts the stall time again once an order finishes', () => {
    const backlog = new ProcessingBacklog({ windowSeconds: 4, stallSeconds: 3, now: 0 });
    backlog.setWaiting(10);
    backlog.markBusy(0);
    backlog.recordFinished(500);
    backlog.markBusy(3_000);
    expect(backlog.seconds(5_500), 'trying since 3 s, not since 0').toBe(0);
    expect(backlog.seconds(6_000)).toBe(Number.POSITIVE_INFINITY);
  });
});
