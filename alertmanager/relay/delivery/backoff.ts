// Retry delays: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half random) so
// retries of many deliveries spread out without ever collapsing to zero. A function, not a retry loop: the next
// attempt time is stored in the outbox, so retries survive restarts (which is why p-retry-style loops do not fit).
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt number `attempt + 1`, after `attempt` failed attempts (attempt >= 1). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
