import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

/** Why a request was refused (the `reason` label of http_server_admission_shed_total). */
export const shedReasons = ['concurrency_limit', 'queue_timeout', 'event_loop_delay', 'heap', 'db_pool_waiting', 'db_pool_queue_full', 'deadline', 'processing_backlog'] as const;
export type ShedReason = (typeof shedReasons)[number];
/** Reads are served from a reserve writes cannot take (the `priority` label). */
export const priorities = ['read', 'write'] as const;
export type Priority = (typeof priorities)[number];
/** Reads (GET, HEAD) and writes (everything else). */
export function priorityOf(method: string): Priority {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
/** Why an admitted order request was not committed (orders_abandoned_total). */
export const abandonReasons = ['client_gone', 'deadline'] as const;
export type AbandonReason = (typeof abandonReasons)[number];

export interface AdmissionState {
  limit(): number;
  inFlight(): number;
  queued(): number;
  baselineSeconds(): number | undefined;
}

export interface AdmissionMetrics {
  admitted: Counter<{ priority: Priority }>;
  shed: Counter<{ reason: ShedReason; priority: Priority }>;
  queueWait: Histogram<{ priority: Priority }>;
  abandoned: Counter<{ reason: AbandonReason }>;
  rateLimited: Counter<{ priority: Priority }>;
}

const waitBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Envoy's adaptive-concurrency stats and Netflix concurrency-limits' metrics, as OpenTelemetry instruments:
 * the limit, requests in flight and queued, the latency baseline, admitted and shed requests, the admission
 * queue wait, and order requests dropped before commit.
 */
export function createAdmissionMetrics(state: AdmissionState): AdmissionMetrics {
  const meter = metrics.getMeter('order-service.admission');
  const limit = meter.createObservableGauge('http.server.admission.limit', {
    description: 'The adaptive concurrency limit: requests to the order routes allowed in flight at once.',
    unit: '{request}',
  });
  const inFlight = meter.createObservableUpDownCounter('http.server.admission.in_flight', {
    description: 'Requests to the order routes admitted and not yet answered.',
    unit: '{request}',
  });
  const queued = meter.createObservableUpDownCounter('http.server.admission.queued', {
    description: 'Requests to the order routes waiting in the admission queue for a slot under the limit.',
    unit: '{request}',
  });
  const baseline = meter.createObservableGauge('http.server.admission.latency_baseline', {
    description: 'The no-load latency baseline the adaptive limit compares request latency with.',
    unit: 's',
  });
  meter.addBatchObservableCallback(
    (result) => {
      result.observe(limit, state.limit());
      result.observe(inFlight, state.inFlight());
      result.observe(queued, state.queued());
      const seconds = state.baselineSeconds();
      if (seconds !== undefined) result.observe(baseline, seconds);
    },
    [limit, inFlight, queued, baseline],
  );
  const admitted = meter.createCounter<{ priority: Priority }>('http.server.admission.admitted', {
    description: 'Requests to the order routes admitted, by priority.',
    unit: '{request}',
  });
  const shed = meter.createCounter<{ reason: ShedReason; priority: Priority }>('http.server.admission.shed', {
    description: 'Requests to the order routes refused at once (503), by reason and priority.',
    unit: '{request}',
  });
  const queueWait = meter.createHistogram<{ priority: Priority }>('http.server.admission.queue_wait', {
    description: 'Time an admitted request waited in the admission queue for a slot under the limit (0 when it got one at once).',
    unit: 's',
    advice: { explicitBucketBoundaries: waitBuckets },
  });
  const abandoned = meter.createCounter<{ reason: AbandonReason }>('orders.abandoned', {
    description: 'Admitted order requests not committed because the client went away or the deadline passed first.',
    unit: '{request}',
  });
  const rateLimited = meter.createCounter<{ priority: Priority }>('http.server.admission.rate_limited', {
    description: 'Requests to the order routes refused (429) because their client was over its own rate (ADMISSION_CLIENT_MAX_REQUESTS).',
    unit: '{request}',
  });
  // Every series exported at 0 from the start, so increase() sees the first event and rules are never empty.
  for (const priority of priorities) {
    admitted.add(0, { priority });
    rateLimited.add(0, { priority });
    for (const reason of shedReasons) shed.add(0, { reason, priority });
  }
  for (const reason of abandonReasons) abandoned.add(0, { reason });
  return { admitted, shed, queueWait, abandoned, rateLimited };
}
