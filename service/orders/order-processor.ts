import type { Logger } from '../logger.ts';
import { isQueueFull, type WorkerPool } from '../workers/order-worker-pool.ts';
import type { PricingResult } from '../workers/order-tasks.ts';
import type { OrderMetrics } from './order-metrics.ts';
import type { OrderRepository } from './order-repository.ts';

/** Orders scoring at or above this are refused as likely fraud. */
const fraudThreshold = 0.9;

/**
 * Advances orders PENDING -> PROCESSING -> COMPLETED | FAILED in the background. Every step is a guarded
 * update in the database, so a crash at any point leaves a state the reconciler can pick up again.
 */
export class OrderProcessor {
  readonly #repository: OrderRepository;
  readonly #workers: WorkerPool;
  readonly #metrics: OrderMetrics;
  readonly #logger: Logger;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;

  constructor(deps: { repository: OrderRepository; workers: WorkerPool; metrics: OrderMetrics; logger: Logger }) {
    this.#repository = deps.repository;
    this.#workers = deps.workers;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger;
  }

  /** Starts processing an order without waiting for it; failures stay in the database for the reconciler. */
  enqueue(orderId: string): void {
    if (this.#stopped) return; // left PENDING; the next process's reconciler takes it
    const work = this.#process(orderId).catch((error: unknown) => {
      this.#logger.warn({ orderId, err: error }, 'order processing interrupted; the reconciler will retry it');
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Takes no new orders and waits for those in flight (bounded by the caller's shutdown deadline). */
  async drain(): Promise<void> {
    this.#stopped = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #process(orderId: string): Promise<void> {
    const order = await this.#repository.claim(orderId);
    if (!order) return; // someone else has it, or it is already done
    let result: PricingResult;
    try {
      result = (await this.#workers.run({ kind: 'price-and-score', customer: order.customer, items: order.items })) as PricingResult;
    } catch (error) {
      if (isQueueFull(error)) {
        await this.#repository.release(orderId); // back to PENDING; the reconciler retries when there is room
        return;
      }
      if (await this.#repository.fail(orderId, 'processing_error')) this.#metrics.failed.add(1, { reason: 'processing_error' });
      throw error;
    }
    if (result.fraudScore >= fraudThreshold) {
      if (await this.#repository.fail(orderId, 'fraud_suspected', 'PROCESSING', result.fraudScore)) this.#metrics.failed.add(1, { reason: 'fraud_suspected' });
      return;
    }
    await this.#repository.complete(orderId, result.totalCents, result.fraudScore);
  }
}
