import { metrics, type Counter } from '@opentelemetry/api';
import type { OrderStatus } from './order-schema.ts';

export interface OrderSnapshot {
  byStatus: Record<OrderStatus, number>;
  oldestProcessingAgeSeconds: number;
}

/** Why an order ended FAILED (the `reason` label of orders_failed_total). */
export const orderFailureReasons = ['fraud_suspected', 'processing_error', 'stuck_in_processing'] as const;

/** Domain metrics of the order service (the orders_* families of service/telemetry/metric-catalogue.ts). */
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
  const created = meter.createCounter('orders.created', { description: 'Orders accepted (answered 201).', unit: '{order}' });
  const failed = meter.createCounter<{ reason: string }>('orders.failed', { description: 'Orders that ended FAILED, by reason.', unit: '{order}' });
  const idempotentReplays = meter.createCounter('orders.idempotent_replays', {
    description: 'Order requests answered from an earlier request with the same Idempotency-Key.',
    unit: '{request}',
  });
  const reconciled = meter.createCounter<{ outcome: 'resumed' | 'failed' }>('orders.reconciled', {
    description: 'Stuck orders the reconciler resumed or failed.',
    unit: '{order}',
  });
  // Every known series exported at 0 from the start: increase() then sees the first event (a counter that
  // appears at 1 shows no increase), and rules and panels on them are never empty.
  created.add(0);
  idempotentReplays.add(0);
  for (const reason of orderFailureReasons) failed.add(0, { reason });
  for (const outcome of ['resumed', 'failed'] as const) reconciled.add(0, { outcome });
  return {
    created,
    failed,
    idempotentReplays,
    reconciled,
    setSnapshot: (next) => {
      snapshot = next;
    },
  };
}
