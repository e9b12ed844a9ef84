// Alerts on the alerting pipeline itself: rules that fail to evaluate, Alertmanager failing to notify, the relay
// failing to deliver, and the always-firing Watchdog whose silence means the pipeline is broken.
import { selectors } from '../alerting-config.ts';
import { rulesPerLevel, seconds } from './rules-per-level.ts';
import type { AlertingRule, RuleGroup } from './rule-types.ts';

export const pipelineAlerts: RuleGroup<AlertingRule> = {
  name: 'alerting-pipeline.alerts',
  rules: [
    ...rulesPerLevel('PrometheusRuleEvaluationFailures', {
      expr: (t) =>
        `sum by (job, instance, rule_group) (increase(prometheus_rule_evaluation_failures_total{${selectors.prometheus}}[5m])) > ${t}`,
      summary: 'Prometheus fails to evaluate rules: alerts may silently not fire.',
      description: () =>
        'Prometheus {{ $labels.instance }} failed {{ $value | printf "%.0f" }} rule evaluations of group {{ $labels.rule_group }} in the last 5 minutes.',
    }),
    ...rulesPerLevel('AlertmanagerNotificationsFailing', {
      expr: (t) =>
        `sum by (job, instance, integration) (rate(alertmanager_notifications_failed_total{${selectors.alertmanager}}[5m])) > ${t}`,
      summary: 'Alertmanager fails to send notifications.',
      description: () =>
        'Alertmanager {{ $labels.instance }} fails {{ $value | printf "%.3f" }} {{ $labels.integration }} notifications a second: pages are not reaching the relay.',
    }),
    ...rulesPerLevel('AlertRelayDeliveryFailing', {
      // Warning: deliveries fail and are retried. Critical: a notification was given up for good (a dead letter).
      expr: (t, severity) =>
        severity === 'critical'
          ? `sum by (job, instance, channel) (increase(alert_relay_dead_letters_total{${selectors.relay}}[5m])) > ${t}`
          : `sum by (job, instance, channel) (increase(alert_relay_notifications_failed_total{${selectors.relay}}[5m])) > ${t}`,
      summary: 'The alert relay fails to deliver notifications.',
      description: (t, severity) =>
        severity === 'critical'
          ? 'The relay {{ $labels.instance }} gave up {{ $value | printf "%.0f" }} {{ $labels.channel }} notifications as dead letters in the last 5 minutes: they were never delivered.'
          : 'The relay {{ $labels.instance }} had {{ $value | printf "%.0f" }} failed {{ $labels.channel }} delivery attempts in the last 5 minutes ' +
            `(threshold ${t}); they are being retried.`,
    }),
    ...rulesPerLevel('AlertRelayOutboxBacklog', {
      expr: (t) => `max by (job, instance, channel) (alert_relay_outbox_oldest_age_seconds{${selectors.relay}}) > ${t}`,
      summary: 'Notifications wait in the relay outbox.',
      description: (t) =>
        'The oldest undelivered {{ $labels.channel }} notification on relay {{ $labels.instance }} has waited {{ $value | humanizeDuration }} ' + `(threshold ${t}).`,
      formatThreshold: seconds,
    }),
    ...rulesPerLevel('Watchdog', {
      expr: () => 'vector(1)',
      summary: 'The alerting pipeline is alive (this alert always fires).',
      description: () =>
        'Always firing, so that its absence at the receiver means Prometheus, Alertmanager or the relay has stopped delivering.',
      service: 'alerting-pipeline',
      perInstance: false,
    }),
  ],
};
