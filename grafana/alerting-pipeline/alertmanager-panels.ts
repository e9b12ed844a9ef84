// Prometheus to Alertmanager to its receivers: rule evaluation, alerts sent, notifications and their failures.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { jobs } from '../alert-rules-config.ts';
import { pipelineSelector } from './pipeline-instances-selector.ts';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';

const am = pipelineSelector(jobs.alertmanager);
const prom = pipelineSelector(jobs.prometheus);

export function alertmanagerPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 10,
      title: 'Rule evaluation failures per second',
      description: 'Rule evaluations that failed, by rule group. A failing rule never fires, silently.',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [{ expr: `sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total{${prom}}[$__rate_interval]))`, legend: '{{rule_group}}' }],
      runbookAlerts: ['PrometheusRuleEvaluationFailures'],
    }),
    timeseriesPanel({
      id: 11,
      title: 'Alerts sent by Prometheus to Alertmanager',
      description: 'Alerts Prometheus sent per second, and those it failed to send or dropped (queue full, Alertmanager unreachable).',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        { expr: `sum(rate(prometheus_notifications_sent_total{${prom}}[$__rate_interval]))`, legend: 'sent' },
        { expr: `sum(rate(prometheus_notifications_errors_total{${prom}}[$__rate_interval]))`, legend: 'errors' },
        { expr: `sum(rate(prometheus_notifications_dropped_total{${prom}}[$__rate_interval]))`, legend: 'dropped' },
      ],
    }),
    timeseriesPanel({
      id: 12,
      title: 'Alertmanager notifications and failures by integration',
      description: 'Notifications Alertmanager attempted per second, by integration (the relay is a webhook), and those that failed.',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        { expr: `sum by (integration) (rate(alertmanager_notifications_total{${am}}[$__rate_interval]))`, legend: 'sent {{integration}}' },
        { expr: `sum by (integration) (rate(alertmanager_notifications_failed_total{${am}}[$__rate_interval]))`, legend: 'failed {{integration}}' },
      ],
      thresholdsOf: ['AlertmanagerNotificationsFailing'],
      runbookAlerts: ['AlertmanagerNotificationsFailing'],
    }),
    timeseriesPanel({
      id: 13,
      title: 'Alertmanager notification latency p99',
      description: 'p99 of how long a notification took to be accepted by its receiver, by integration (the relay answers after storing).',
      unit: 's',
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, integration) (rate(alertmanager_notification_latency_seconds_bucket{${am}}[$__rate_interval])))`,
          legend: 'p99 {{integration}}',
        },
      ],
    }),
    timeseriesPanel({
      id: 14,
      title: 'Alerts in Alertmanager by state',
      description: 'Alerts Alertmanager holds, active or suppressed (silenced or inhibited).',
      unit: 'short',
      min: 0,
      queries: [{ expr: `sum by (state) (alertmanager_alerts{${am}})`, legend: '{{state}}' }],
    }),
  ];
}
