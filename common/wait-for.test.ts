import { describe, expect, it } from 'vitest';
import { StopWaiting, waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('returns the first value the probe yields, after probes that yielded nothing or threw', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls >= 3 ? { calls } : false;
      },
      { what: 'the third call', intervalMs: 1 },
    );
    expect(value).toEqual({ calls: 3 });
  });

  it('fails at the deadline naming what it waited for and the last probe error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the server', timeoutMs: 50, intervalMs: 5 },
      ),
    ).rejects.toThrow(/timed out after 50 ms waiting for the server: last error: connection refused/);
  });

  it('stops at once when the probe throws StopWaiting', async () => {
    let calls = 0;
    const waiting = waitFor(
      () => {
        calls++;
        throw new StopWaiting('the process exited');
      },
      { what: 'the process', timeoutMs: 60_000, intervalMs: 1 },
    );
    await expect(waiting).rejects.toThrow(StopWaiting);
    expect(calls).toBe(1);
  });
});
