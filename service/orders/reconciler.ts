import type { Logger } from '../logger.ts';
import type { ServiceConfig } from '../config.ts';
import type { OrderMetrics } from './order-metrics.ts';
import type { OrderProcessor } from './order-processor.ts';
import type { OrderRepository } from './order-repository.ts';
import type { ProcessingBacklog } from './processing-backlog.ts';

/**
 * Finds orders stuck in PROCESSING past the threshold (their process died mid-way: the seed incident's stuck
 * orders) and resumes them, or fails them once they have used up their attempts; and re-submits PENDING orders
 * nobody picked up. Also refreshes the order gauges. One periodic loop, stopped at shutdown.
 */
export interface ReconcilerDeps {
  repository: OrderRepository;
  processor: OrderProcessor;
  metrics: OrderMetrics;
  logger: Logger;
  config: ServiceConfig['orders'];
  /** Told how many orders wait for processing at each count (admission control's backlog guard). */
  backlog?: ProcessingBacklog;
}

/** Orders one pass looks at, at most. */
const batchLimit = 500;

export class Reconciler {
  readonly #deps: ReconcilerDeps;
  #timer: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #sampling: Promise<void> | undefined;
  #stopping = false;
  #wakeOnStop: (() => void) | undefined;

  constructor(deps: ReconcilerDeps) {
    this.#deps = deps;
  }

  start(): void {
    const tick = (): void => {
      if (this.#running) return; // a pass still working through a backlog; never two at once
      this.#running = this.#drainBacklog()
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'reconcile pass failed'))
        .finally(() => (this.#running = undefined));
    };
    tick();
    this.#timer = setInterval(tick, this.#deps.config.reconcileIntervalMs);
    const sample = (): void => {
      // Never two samples at once: while the database stalls, each tick would add two more waiting queries.
      if (this.#sampling) return;
      this.#sampling = this.sampleStats()
        .catch(() => {}) // the DB may be down; the gauges keep the last values
        .finally(() => (this.#sampling = undefined));
    };
    sample();
    this.#statsTimer = setInterval(sample, this.#deps.config.statsIntervalMs);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeOnStop?.();
    clearInterval(this.#timer);
    clearInterval(this.#statsTimer);
    await this.#running;
    await this.#sampling;
  }

  /**
   * Passes back to back while each finds more orders than the processor had room for, waiting for room in
   * between: a backlog left by a surge is worked off at the pace of the workers, never pushed past their queue.
   */
  async #drainBacklog(): Promise<void> {
    for (;;) {
      const outcome = await this.reconcileOnce();
      if (!outcome.more || this.#stopping) return;
      // Stopping does not wait for room: the processor drains only after the reconciler has stopped.
      await Promise.race([this.#deps.processor.whenRoom(), new Promise<void>((resolve) => (this.#wakeOnStop = resolve))]);
      if (this.#stopping) return;
    }
  }

  /**
   * One pass, taking no more orders than the processor has room for; returns what it did (for tests and
   * logs) and whether more may be waiting.
   */
  async reconcileOnce(): Promise<{ resumed: number; failed: number; resubmitted: number; more: boolean }> {
    const { repository, processor, metrics, logger, config } = this.#deps;
    const outcome = { resumed: 0, failed: 0, resubmitted: 0, more: false };
    const room = Math.min(batchLimit, processor.room);
    if (room === 0) return { ...outcome, more: true };
    // PENDING orders younger than this are normally in the processor already.
    const pendingAfterMs = Math.max(config.reconcileIntervalMs, 1_000);
    const found = await repository.findStuck(config.stuckProcessingAfterMs, pendingAfterMs, room);
    outcome.more = found.length === room;
    for (const order of found) {
      if (order.status === 'PENDING') {
        if (!processor.enqueue(order.id)) {
          outcome.more = true;
          break;
        }
        outcome.resubmitted++;
      } else if (order.attempts >= config.maxAttempts) {
        if (await repository.fail(order.id, 'stuck_in_processing')) {
          metrics.failed.add(1, { reason: 'stuck_in_processing' });
          metrics.reconciled.add(1, { outcome: 'failed' });
          outcome.failed++;
        }
      } else if (await repository.requeueStuck(order.id, config.stuckProcessingAfterMs)) {
        metrics.reconciled.add(1, { outcome: 'resumed' });
        processor.enqueue(order.id); // without room it stays PENDING and the next pass takes it
        outcome.resumed++;
      }
    }
    if (outcome.resumed + outcome.failed > 0) logger.warn(outcome, 'reconciled orders stuck in PROCESSING');
    return outcome;
  }

  async sampleStats(): Promise<void> {
    const { repository, metrics } = this.#deps;
    const [byStatus, oldestProcessingAgeSeconds] = await Promise.all([repository.countByStatus(), repository.oldestProcessingAgeSeconds()]);
    metrics.setSnapshot({ byStatus, oldestProcessingAgeSeconds });
    this.#deps.backlog?.setWaiting(byStatus.PENDING + byStatus.PROCESSING);
  }
}
