// Orders: the business view of the incident (orders created and failed, stuck in PROCESSING, idempotent replays).
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { servicesSelector as sel } from './replicas-selector.ts';

const created = `sum(rate(orders_created_total{${sel}}[$__rate_interval]))`;

export function orderPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 10,
      title: 'Orders created and failed per second',
      description: 'Orders accepted (answered 201) and orders that ended FAILED, by reason (every known reason is exported from 0).',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        { expr: created, legend: 'created' },
        { expr: `sum by (reason) (rate(orders_failed_total{${sel}}[$__rate_interval]))`, legend: 'failed {{reason}}' },
      ],
      runbookAlerts: ['OrderFailureRatioHigh'],
    }),
    timeseriesPanel({
      id: 11,
      title: 'Orders by status',
      description: 'Orders stored, by lifecycle status (as counted by the sampling instance).',
      unit: 'short',
      width: 8,
      min: 0,
      queries: [{ expr: `max by (order_status) (orders_count{${sel}})`, legend: '{{order_status}}' }],
    }),
    timeseriesPanel({
      id: 12,
      title: 'Age of the oldest PROCESSING order',
      description: 'How long the oldest order has been in PROCESSING (0 when none): a stuck lifecycle shows as a rising line.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [{ expr: `max(orders_processing_oldest_age_seconds{${sel}})`, legend: 'oldest PROCESSING order' }],
      thresholdsOf: ['OrdersStuckProcessing'],
      runbookAlerts: ['OrdersStuckProcessing'],
    }),
    timeseriesPanel({
      id: 13,
      title: 'Idempotent replays per second',
      description: 'Order requests answered from an earlier request with the same Idempotency-Key (client retries).',
      unit: 'reqps',
      min: 0,
      queries: [{ expr: `sum(rate(orders_idempotent_replays_total{${sel}}[$__rate_interval]))`, legend: 'replays' }],
    }),
  ];
}
