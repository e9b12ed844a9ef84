import { describe, expect, it } from 'vitest';
import { exitReason } from './exit-reason.ts';

describe('exitReason', () => {
  it('says "heap limit" when V8 said so on stderr, with the signal it aborted with', () => {
    const stderr = '<--- Last few GCs --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
    expect(exitReason(null, 'SIGABRT', stderr)).toEqual({ exitCode: null, signal: 'SIGABRT', heapLimit: true, reason: 'heap limit (signal SIGABRT)' });
  });

  it('gives the exit code or the signal otherwise', () => {
    expect(exitReason(1, null, 'Error: boom')).toMatchObject({ heapLimit: false, reason: 'exit code 1' });
    expect(exitReason(null, 'SIGKILL', '')).toMatchObject({ heapLimit: false, reason: 'signal SIGKILL' });
  });
});
