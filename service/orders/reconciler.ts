import type { Logger } from '../logger.ts';
import type { ServiceConfig } from '../config.ts';
import type { OrderMetrics } from './order-metrics.ts';
import type { OrderProcessor } from './order-processor.ts';
import type { OrderRepository } from './order-repository.ts';

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
}

export class Reconciler {
  readonly #deps: ReconcilerDeps;
  #timer: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: ReconcilerDeps) {
    this.#deps = deps;
  }

  start(): void {
    const tick = (): void => {
      this.#running = this.reconcileOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'reconcile pass failed'));
    };
    tick();
    this.#timer = setInterval(tick, this.#deps.config.reconcileIntervalMs);
    const sample = (): void => void this.sampleStats().catch(() => {}); // the DB may be down; the gauges keep the last values
    sample();
    this.#statsTimer = setInterval(sample, this.#deps.config.statsIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#statsTimer);
    await this.#running;
  }

  /** One pass; returns what it did, for tests and logs. */
  async reconcileOnce(): Promise<{ resumed: number; failed: number; resubmitted: number }> {
    const { repository, processor, metrics, logger, config } = this.#deps;
    const outcome = { resumed: 0, failed: 0, resubmitted: 0 };
    // PENDING orders younger than this are normally in the processor already.
    const pendingAfterMs = Math.max(config.reconcileIntervalMs, 1_000);
    for (const order of await repository.findStuck(config.stuckProcessingAfterMs, pendingAfterMs, 500)) {
      if (order.status === 'PENDING') {
        processor.enqueue(order.id);
        outcome.resubmitted++;
      } else if (order.attempts >= config.maxAttempts) {
        if (await repository.fail(order.id, 'stuck_in_processing')) {
          metrics.failed.add(1, { reason: 'stuck_in_processing' });
          metrics.reconciled.add(1, { outcome: 'failed' });
          outcome.failed++;
        }
      } else if (await repository.requeueStuck(order.id, config.stuckProcessingAfterMs)) {
        metrics.reconciled.add(1, { outcome: 'resumed' });
        processor.enqueue(order.id);
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
  }
}
