// How long the launcher waits before restarting a replica that died: exponential backoff, as Docker's restart
// policies and Kubernetes' CrashLoopBackOff do, so a crash loop does not spin; a replica that had run long
// enough before dying starts the sequence over.

export interface RestartBackoff {
  /** Delay before the first restart after a death. */
  initialMs: number;
  /** Each consecutive failure multiplies the delay by this. */
  factor: number;
  maxMs: number;
  /** A replica that ran this long before it died counts as healthy: its death is a first failure again. */
  resetAfterMs: number;
}

export const defaultRestartBackoff: RestartBackoff = { initialMs: 1_000, factor: 2, maxMs: 60_000, resetAfterMs: 60_000 };

/** The delay before the restart that follows the `consecutiveFailures`-th failure in a row (1 for the first). */
export function restartDelayMs(consecutiveFailures: number, backoff: RestartBackoff = defaultRestartBackoff): number {
  if (!Number.isInteger(consecutiveFailures) || consecutiveFailures < 1) throw new RangeError(`consecutiveFailures must be a positive integer, got ${consecutiveFailures}`);
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (consecutiveFailures - 1));
}

/** Consecutive failures after a death: one more, or a fresh first one when the replica had run `resetAfterMs`. */
export function failuresAfterDeath(previousFailures: number, ranForMs: number, backoff: RestartBackoff = defaultRestartBackoff): number {
  return ranForMs >= backoff.resetAfterMs ? 1 : previousFailures + 1;
}
