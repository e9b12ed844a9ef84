// The alert relay: webhooks in, Slack and email out, with its durable outbox in between.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { jobs } from '../alert-rules-config.ts';
import { zeroUntilFirst } from '../building-blocks/prometheus-queries.ts';
import { pipelineSelector } from './pipeline-instances-selector.ts';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';

const relay = pipelineSelector(jobs.relay);
const delivered = `sum by (channel) (rate(alert_relay_notifications_delivered_total{${relay}}[$__rate_interval]))`;

export function relayPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 20,
      title: 'Relay intake: webhooks by outcome',
      description: 'Webhook requests per second by what the relay answered: accepted (stored), duplicate, unauthorized, invalid, too_large, overloaded (503).',
      unit: 'reqps',
      width: 8,
      min: 0,
      queries: [{ expr: `sum by (outcome) (rate(alert_relay_webhooks_received_total{${relay}}[$__rate_interval]))`, legend: '{{outcome}}' }],
    }),
    timeseriesPanel({
      id: 21,
      title: 'Relay deliveries by channel',
      description: 'Notifications delivered per second to Slack (pages) and email (digests).',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [{ expr: delivered, legend: 'delivered {{channel}}' }],
    }),
    timeseriesPanel({
      id: 22,
      title: 'Relay delivery failures by channel and reason',
      description: 'Delivery attempts that failed (retried ones included) and dead letters (given up for good), by channel and reason; 0 until the first.',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        {
          expr: zeroUntilFirst(`sum by (channel, reason) (rate(alert_relay_notifications_failed_total{${relay}}[$__rate_interval]))`, delivered),
          legend: 'failed {{channel}} {{reason}}',
        },
        {
          expr: zeroUntilFirst(`sum by (channel, reason) (rate(alert_relay_dead_letters_total{${relay}}[$__rate_interval]))`, delivered),
          legend: 'dead letter {{channel}} {{reason}}',
        },
      ],
      runbookAlerts: ['AlertRelayDeliveryFailing'],
    }),
    timeseriesPanel({
      id: 23,
      title: 'Relay outbox depth',
      description: 'Notifications stored and not yet delivered, by channel: a growing outbox is a channel that is down or rate limited.',
      unit: 'short',
      width: 8,
      min: 0,
      queries: [{ expr: `sum by (channel) (alert_relay_outbox_depth{${relay}})`, legend: '{{channel}}' }],
      runbookAlerts: ['AlertRelayOutboxBacklog'],
    }),
    timeseriesPanel({
      id: 24,
      title: 'Relay oldest undelivered notification',
      description: 'Age of the oldest notification still in the outbox, by channel (0 when empty).',
      unit: 's',
      width: 8,
      min: 0,
      queries: [{ expr: `max by (channel) (alert_relay_outbox_oldest_age_seconds{${relay}})`, legend: '{{channel}}' }],
      thresholdsOf: ['AlertRelayOutboxBacklog'],
      runbookAlerts: ['AlertRelayOutboxBacklog'],
    }),
    timeseriesPanel({
      id: 25,
      title: 'Relay delivery latency p50 and p99',
      description: 'Time from intake (stored) to delivered, by channel. Email in digest mode waits for its digest interval by design.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, channel) (rate(alert_relay_delivery_latency_seconds_bucket{${relay}}[$__rate_interval])))`,
          legend: 'p99 {{channel}}',
        },
        {
          expr: `histogram_quantile(0.5, sum by (le, channel) (rate(alert_relay_delivery_latency_seconds_bucket{${relay}}[$__rate_interval])))`,
          legend: 'p50 {{channel}}',
        },
      ],
    }),
    timeseriesPanel({
      id: 26,
      title: 'Relay deduplicated notifications and rate-limit waits',
      description: 'Notifications dropped as already seen (Alertmanager retries, HA peers), and sends held back by a rate limit or Retry-After.',
      unit: 'ops',
      min: 0,
      queries: [
        {
          // All receivers together: the family has a series per receiver only once one has seen a duplicate.
          expr: zeroUntilFirst(
            `sum(rate(alert_relay_notifications_deduplicated_total{${relay}}[$__rate_interval]))`,
            `sum(rate(alert_relay_webhooks_received_total{${relay}}[$__rate_interval]))`,
          ),
          legend: 'deduplicated',
        },
        { expr: `sum by (channel) (rate(alert_relay_rate_limit_waits_total{${relay}}[$__rate_interval]))`, legend: 'rate-limit waits {{channel}}' },
      ],
    }),
  ];
}
