import type { Logger } from '../logger.ts';
import { TaskRefusedError, type WorkerPool } from '../workers/order-worker-pool.ts';
import type { PricingResult } from '../workers/order-tasks.ts';
import type { OrderMetrics } from './order-metrics.ts';
import type { OrderRepository } from './order-repository.ts';
import type { Order } from './order-schema.ts';
import type { ProcessingBacklog } from './processing-backlog.ts';

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
  readonly #maxInFlight: number;
  readonly #backlog: ProcessingBacklog | undefined;
  #roomWaiters: Array<() => void> = [];
  #stopped = false;

  /**
   * `maxInFlight`: orders being claimed, priced or finished at once. With the worker pool's threads plus its
   * queue here, the pool's queue never overflows: an order beyond it is not started (it stays PENDING and the
   * reconciler takes it when there is room) instead of being claimed, rejected by the pool and put back.
   */
  constructor(deps: { repository: OrderRepository; workers: WorkerPool; metrics: OrderMetrics; logger: Logger; maxInFlight?: number; backlog?: ProcessingBacklog }) {
    this.#repository = deps.repository;
    this.#workers = deps.workers;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger;
    this.#maxInFlight = deps.maxInFlight ?? Number.POSITIVE_INFINITY;
    this.#backlog = deps.backlog;
  }

  /** Orders that can be started now without overflowing the worker queue. */
  get room(): number {
    return this.#stopped ? 0 : Math.max(0, this.#maxInFlight - this.#inFlight.size);
  }

  /** Resolves once half the processor's capacity is free (or it stops): room for a worthwhile batch. */
  async whenRoom(): Promise<void> {
    const wanted = Math.min(Math.ceil(this.#maxInFlight / 2), 500);
    while (!this.#stopped && this.room < wanted) await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
  }

  /**
   * Starts processing an order without waiting for it; failures stay in the database for the reconciler.
   * False when there is no room (or the processor is stopping): the order stays PENDING for the reconciler.
   */
  enqueue(orderId: string): boolean {
    if (this.#stopped || this.room === 0) return false; // left PENDING; the reconciler (or the next process's) takes it
    const work = this.#process(orderId).catch((error: unknown) => {
      this.#logger.warn({ orderId, err: error }, 'order processing interrupted; the reconciler will retry it');
    });
    this.#inFlight.add(work);
    void work.finally(() => {
      this.#inFlight.delete(work);
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    });
    return true;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Takes no new orders and waits for those in flight (bounded by the caller's shutdown deadline). */
  async drain(): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#roomWaiters.splice(0)) wake();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #process(orderId: string): Promise<void> {
    this.#backlog?.markBusy();
    const order = await this.#repository.claim(orderId);
    if (!order) return; // someone else has it, or it is already done
    try {
      await this.#priceAndFinish(orderId, order);
    } finally {
      this.#backlog?.recordFinished();
    }
  }

  async #priceAndFinish(orderId: string, order: Order): Promise<void> {
    let result: PricingResult;
    try {
      result = (await this.#workers.run({ kind: 'price-and-score', customer: order.customer, items: order.items })) as PricingResult;
    } catch (error) {
      if (error instanceof TaskRefusedError) {
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
