// Admission control (issue 9): the order service protecting itself. The limit against requests in flight and
// queued, admitted and shed requests by reason, the share shed (with the OrderRequestsShed lines), the admission
// queue wait, and order requests dropped before commit.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { servicesSelector as sel } from './replicas-selector.ts';

export function admissionPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 20,
      title: 'Concurrency limit, in flight and queued',
      description:
        'The adaptive concurrency limit of the order routes (it follows request latency against its no-load baseline), the requests admitted and not yet answered, and those waiting in the short admission queue, per replica.',
      unit: 'short',
      width: 8,
      min: 0,
      queries: [
        { expr: `max by (instance) (http_server_admission_limit{${sel}})`, legend: 'limit {{instance}}' },
        { expr: `sum by (instance) (http_server_admission_in_flight{${sel}})`, legend: 'in flight {{instance}}' },
        { expr: `sum by (instance) (http_server_admission_queued{${sel}})`, legend: 'queued {{instance}}' },
      ],
    }),
    timeseriesPanel({
      id: 21,
      title: 'Share of order requests shed',
      description: 'Order requests refused at once with 503 by admission control, as a share of all that reached it (1-minute rate), with the OrderRequestsShed levels.',
      unit: 'percentunit',
      width: 8,
      min: 0,
      max: 1,
      queries: [{ expr: `max by (instance) (instance:http_server_admission_shed:ratio_rate1m{${sel}})`, legend: 'shed {{instance}}' }],
      thresholdsOf: ['OrderRequestsShed'],
      runbookAlerts: ['OrderRequestsShed'],
    }),
    timeseriesPanel({
      id: 22,
      title: 'Admitted, shed and rate-limited per second',
      description:
        'Requests admitted, and refused (503) by reason: concurrency_limit (over the limit, queue full), queue_timeout, event_loop_delay, heap (old generation near its limit), db_pool_waiting, db_pool_queue_full, deadline (not stored in time), processing_backlog (accepted orders would take too long to process). Rate-limited: 429s to clients over their own rate (ADMISSION_CLIENT_MAX_REQUESTS), which is not overload.',
      unit: 'reqps',
      width: 8,
      min: 0,
      queries: [
        { expr: `sum by (priority) (rate(http_server_admission_admitted_total{${sel}}[$__rate_interval]))`, legend: 'admitted {{priority}}' },
        { expr: `sum by (reason) (rate(http_server_admission_shed_total{${sel}}[$__rate_interval]))`, legend: 'shed {{reason}}' },
        { expr: `sum by (priority) (rate(http_server_admission_rate_limited_total{${sel}}[$__rate_interval]))`, legend: 'rate-limited {{priority}}' },
      ],
    }),
    timeseriesPanel({
      id: 23,
      title: 'Admission queue wait p99 and latency baseline',
      description:
        'How long admitted requests waited in the admission queue (p99; 0 for those admitted at once), and the no-load latency baseline the limit compares latency with.',
      unit: 's',
      width: 12,
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(http_server_admission_queue_wait_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'queue wait p99',
        },
        { expr: `max by (instance) (http_server_admission_latency_baseline_seconds{${sel}})`, legend: 'baseline {{instance}}' },
      ],
    }),
    timeseriesPanel({
      id: 24,
      title: 'Order requests dropped before commit',
      description: 'Admitted order requests not stored because their client went away or their deadline passed first (the client got 503 or nothing).',
      unit: 'reqps',
      width: 12,
      min: 0,
      queries: [{ expr: `sum by (reason) (rate(orders_abandoned_total{${sel}}[$__rate_interval]))`, legend: '{{reason}}' }],
    }),
  ];
}
