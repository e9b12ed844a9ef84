import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the error message when the deadline passes. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/** Thrown by a probe to stop waiting at once (the awaited thing can no longer happen, e.g. its process exited). */
export class StopWaiting extends Error {
  override name = 'StopWaiting';
}

/**
 * The one poll-until-ready loop (service, relay, launcher, tests, benches): polls `probe` until it returns a value
 * other than undefined/false/null, or throws when the deadline passes. Conditions with deadlines, never fixed
 * sleeps; the last probe error is kept for the message, and a StopWaiting from the probe ends the wait at once.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  { what, timeoutMs = 30_000, intervalMs = 100 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await delay(intervalMs);
  }
}
