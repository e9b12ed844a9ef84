// The request-memory fault's size over time: what each order request holds while it waits.
import { describe, expect, it } from 'vitest';
import { FaultState } from './fault-state.ts';

describe('request memory', () => {
  it('is off by default and fixed without a doubling time', () => {
    const faults = new FaultState();
    expect(faults.requestMemoryKib(Date.now())).toBe(0);
    faults.requestMemory = { kilobytes: 256, since: 0, doublingSeconds: undefined, upToKilobytes: 256 };
    expect(faults.requestMemoryKib(3_600_000)).toBe(256);
  });

  it('doubles every doublingSeconds from its start, up to its cap', () => {
    const faults = new FaultState();
    faults.requestMemory = { kilobytes: 32, since: 1_000_000, doublingSeconds: 10, upToKilobytes: 2048 };
    expect(faults.requestMemoryKib(1_000_000)).toBe(32);
    expect(faults.requestMemoryKib(1_010_000)).toBe(64);
    expect(faults.requestMemoryKib(1_040_000)).toBe(512);
    expect(faults.requestMemoryKib(1_100_000)).toBe(2048);
  });
});
