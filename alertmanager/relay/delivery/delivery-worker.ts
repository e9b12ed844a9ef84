// One worker per destination: takes that destination's deliveries from the outbox strictly in intake order (the
// head waits out its retries before anything behind it goes, so a group's notifications never overtake each
// other), paces them with the rate limiter, sends, and records the classified outcome in the outbox.
import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics.ts';
import type { OutboxStore, PendingDelivery } from '../outbox/outbox-store.ts';
import { backoffDelayMs, type BackoffPolicy } from './backoff.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { DestinationSender, SendOutcome } from './send-outcome.ts';

export interface DeliveryWorkerOptions {
  store: OutboxStore;
  sender: DestinationSender;
  limiter: RateLimiter;
  backoff: BackoffPolicy;
  metrics: RelayMetrics;
  logger: Logger;
  /** Digest mode: wait until the oldest pending delivery is this old, then send everything pending as one message. */
  digest?: { intervalMs: number; maxPerMessage: number };
  /** Removes secret values from text before it is logged or stored. */
  scrub: (text: string) => string;
}

export class DeliveryWorker {
  readonly #o: DeliveryWorkerOptions;
  #wakeUp: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  #drainUntil: number | undefined;

  constructor(options: DeliveryWorkerOptions) {
    this.#o = options;
  }

  get destination(): string {
    return this.#o.sender.destination;
  }

  start(): void {
    this.#running ??= this.#loop().catch((error: unknown) => this.#o.logger.fatal({ err: error }, 'delivery worker stopped unexpectedly'));
  }

  /** New work was stored (or the config changed): look at the outbox again now. */
  wake(): void {
    this.#wakeUp?.();
  }

  /**
   * Delivers what is due for up to `graceMs`, then stops after the send in flight. Whatever is left stays in the
   * outbox for the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.#drainUntil = Date.now() + graceMs;
    this.wake();
    const hardStop = setTimeout(() => {
      this.#stopping = true;
      this.wake();
    }, graceMs);
    try {
      await this.#running;
    } finally {
      clearTimeout(hardStop);
    }
    await this.#o.sender.close();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(this.#timer);
        this.#wakeUp = undefined;
        resolve();
      };
      this.#wakeUp = done;
      if (Number.isFinite(ms)) this.#timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    });
  }

  async #loop(): Promise<void> {
    const { store, sender, limiter, metrics } = this.#o;
    while (!this.#stopping) {
      const draining = this.#drainUntil !== undefined;
      if (draining && Date.now() >= this.#drainUntil!) return;
      let head: PendingDelivery | undefined;
      try {
        head = store.nextPending(sender.channel, sender.destination);
      } catch (error) {
        this.#o.logger.error({ err: error, destination: sender.destination }, 'cannot read the outbox; retrying');
        await this.#sleep(1_000);
        continue;
      }
      if (!head) {
        if (draining) return;
        await this.#sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      const now = Date.now();
      let dueAt = head.nextAttemptAt;
      // Digests hold what they collect until the interval is over; at shutdown they stay held (they are durable).
      if (this.#o.digest && head.attempts === 0) dueAt = Math.max(dueAt, head.createdAt + this.#o.digest.intervalMs);
      if (dueAt > now) {
        if (draining) return;
        await this.#sleep(dueAt - now);
        continue;
      }
      const wait = limiter.tryTake(now);
      if (wait > 0) {
        metrics.rateLimitWaits.inc({ channel: sender.channel });
        await this.#sleep(wait);
        continue;
      }
      const batch = this.#o.digest
        ? store.pendingBatch(sender.channel, sender.destination, this.#o.digest.maxPerMessage).filter((d) => d.nextAttemptAt <= now)
        : [head];
      let outcome: SendOutcome;
      try {
        outcome = await sender.send(batch);
      } catch (error) {
        // A fault in our own rendering or client: retried with backoff, and loud in the logs.
        this.#o.logger.error({ err: error, destination: sender.destination }, 'sender threw; will retry');
        outcome = { kind: 'retry', reason: 'internal_error', detail: this.#o.scrub(error instanceof Error ? error.message : String(error)) };
      }
      this.#record(batch, outcome);
    }
  }

  #record(batch: readonly PendingDelivery[], outcome: SendOutcome): void {
    const { store, sender, metrics, logger } = this.#o;
    const ids = batch.map((d) => d.id);
    const channel = sender.channel;
    const now = Date.now();
    const log = { channel, destination: sender.destination, deliveryIds: ids, attempts: (batch[0]?.attempts ?? 0) + 1 };
    try {
      if (outcome.kind === 'delivered') {
        store.markDelivered(ids, now);
        metrics.delivered.inc({ channel }, batch.length);
        for (const d of batch) metrics.deliveryLatency.observe({ channel }, (now - d.receivedAt) / 1000);
        logger.info(log, 'delivered');
        return;
      }
      const detail = this.#o.scrub(outcome.detail);
      metrics.failed.inc({ channel, reason: outcome.reason }, batch.length);
      if (outcome.kind === 'final') {
        store.markDead(ids, `${outcome.reason}: ${detail}`, now);
        metrics.deadLetters.inc({ channel, reason: outcome.reason }, batch.length);
        logger.error({ ...log, reason: outcome.reason, detail }, 'delivery failed for good; kept as a dead letter');
        return;
      }
      const attempt = (batch[0]?.attempts ?? 0) + 1;
      let delay = backoffDelayMs(this.#o.backoff, attempt);
      if (outcome.retryAfterMs !== undefined) {
        delay = outcome.retryAfterMs;
        this.#o.limiter.drain(now);
        metrics.rateLimitWaits.inc({ channel });
      }
      store.scheduleRetry(ids, now + delay, `${outcome.reason}: ${detail}`);
      logger.warn({ ...log, reason: outcome.reason, detail, retryInMs: delay }, 'delivery failed; will retry');
    } catch (error) {
      // The outcome could not be stored: the delivery stays pending and is sent again (at least once).
      logger.error({ err: error, ...log }, 'cannot record the delivery outcome in the outbox');
    }
  }
}
