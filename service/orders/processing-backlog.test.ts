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

  it('is 0 with nothing waiting or before processing was ever busy, and unbounded when busy processing finishes nothing', () => {
    const backlog = new ProcessingBacklog({ windowSeconds: 10, now: 0 });
    expect(backlog.seconds(100)).toBe(0);
    backlog.setWaiting(500);
    expect(backlog.seconds(200)).toBe(0);
    backlog.markBusy(1_000);
    expect(backlog.seconds(1_500)).toBe(Number.POSITIVE_INFINITY);
    backlog.setWaiting(0);
    expect(backlog.seconds(1_600)).toBe(0);
  });
});
