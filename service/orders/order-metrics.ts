import { metrics, type Counter } from '@opentelemetry/api';
import type { OrderStatus } from './order-schema.ts';

export interface OrderSnapshot {
  byStatus: Record<OrderStatus, number>;
  oldestProcessingAgeSeconds: number;
}

/** Domain metrics of the order service (the orders_* families of the README catalogue). */
export interface OrderMetrics {
  created: Counter;
  failed: Counter<{ reason: string }>;
  idempotentReplays: Counter;
  reconciled: Counter<{ outcome: 'resumed' | 'failed' }>;
  /** The gauges read the latest snapshot; the sampler refreshes it, so a scrape never waits on the database. */
  setSnapshot(snapshot: OrderSnapshot): void;
}

export function createOrderMetrics(): OrderMetrics {
  const meter = metrics.getMeter('order-service');
  let snapshot: OrderSnapshot | undefined;
  meter
    .createObservableGauge('orders.count', { description: 'Orders stored, by lifecycle status.', unit: '{order}' })
    .addCallback((result) => {
      if (!snapshot) return;
      for (const [status, count] of Object.entries(snapshot.byStatus)) result.observe(count, { 'order.status': status });
    });
  meter
    .createObservableGauge('orders.processing.oldest_age', { description: 'Age of the oldest order in PROCESSING, 0 when none.', unit: 's' })
    .addCallback((result) => {
      if (snapshot) result.observe(snapshot.oldestProcessingAgeSeconds);
    });
  return {
    created: meter.createCounter('orders.created', { description: 'Orders accepted (answered 201).', unit: '{order}' }),
    failed: meter.createCounter('orders.failed', { description: 'Orders that ended FAILED, by reason.', unit: '{order}' }),
    idempotentReplays: meter.createCounter('orders.idempotent_replays', {
      description: 'Order requests answered from an earlier request with the same Idempotency-Key.',
      unit: '{request}',
    }),
    reconciled: meter.createCounter('orders.reconciled', { description: 'Stuck orders the reconciler resumed or failed.', unit: '{order}' }),
    setSnapshot: (next) => {
      snapshot = next;
    },
  };
}
