// promtool cases for the alerting pipeline's own health: rule failures, Alertmanager failing to notify, the relay
// failing to deliver (retried vs. lost), its backlog, and the Watchdog that must always fire.
import { at, counter, firing, hold, quiet, ramp, series, testCase, type PromtoolTestCase } from './promtool-test.ts';

const prometheus = { job: 'prometheus', instance: '127.0.0.1:9090' };
const alertmanager = { job: 'alertmanager', instance: '127.0.0.1:9093' };
const relay = { job: 'alert-relay', instance: '127.0.0.1:9095' };
const ruleGroup = { ...prometheus, rule_group: '/etc/prometheus/rules/runtime-alerts.yml;node-runtime.alerts' };

export const pipelineCases: PromtoolTestCase[] = [
  testCase('a rule evaluation fails once', [series('prometheus_rule_evaluation_failures_total', ruleGroup, counter([[0, 12], [1, 1], [0, 30]]))], [
    { eval_time: at(75), alertname: 'PrometheusRuleEvaluationFailures', exp_alerts: [] },
    {
      eval_time: at(85),
      alertname: 'PrometheusRuleEvaluationFailures',
      exp_alerts: [
        firing(
          'PrometheusRuleEvaluationFailures',
          'critical',
          ruleGroup,
          'Prometheus 127.0.0.1:9090 failed 1 rule evaluations of group /etc/prometheus/rules/runtime-alerts.yml;node-runtime.alerts in the last 5 minutes.',
        ),
      ],
    },
  ]),
  testCase('rules evaluate cleanly: no alert', [series('prometheus_rule_evaluation_failures_total', ruleGroup, hold(0, 60))], quiet(['PrometheusRuleEvaluationFailures'], [60, 120, 240])),
  testCase('Alertmanager fails a webhook notification every 5s', [series('alertmanager_notifications_failed_total', { ...alertmanager, integration: 'webhook' }, counter([[0, 12], [1, 40]]))], [
    { eval_time: at(90), alertname: 'AlertmanagerNotificationsFailing', exp_alerts: [] },
    {
      eval_time: at(100),
      alertname: 'AlertmanagerNotificationsFailing',
      exp_alerts: [
        firing(
          'AlertmanagerNotificationsFailing',
          'critical',
          { ...alertmanager, integration: 'webhook' },
          'Alertmanager 127.0.0.1:9093 fails 0.027 webhook notifications a second: pages are not reaching the relay.',
        ),
      ],
    },
  ]),
  testCase(
    'Alertmanager notifies without failures: no alert',
    [series('alertmanager_notifications_failed_total', { ...alertmanager, integration: 'webhook' }, hold(0, 60))],
    quiet(['AlertmanagerNotificationsFailing'], [60, 120, 240]),
  ),
  testCase(
    'relay: Slack deliveries keep failing (warning), then one is given up as a dead letter (critical)',
    [
      series('alert_relay_notifications_failed_total', { ...relay, channel: 'slack', reason: 'http_503' }, counter([[0, 12], [1, 40]])),
      series('alert_relay_dead_letters_total', { ...relay, channel: 'slack', reason: 'invalid_payload' }, counter([[0, 24], [1, 1], [0, 27]])),
    ],
    [
      { eval_time: at(120), alertname: 'AlertRelayDeliveryFailing', exp_alerts: [] },
      {
        eval_time: at(130),
        alertname: 'AlertRelayDeliveryFailing',
        exp_alerts: [
          firing(
            'AlertRelayDeliveryFailing',
            'critical',
            { ...relay, channel: 'slack' },
            'The relay 127.0.0.1:9095 gave up 1 slack notifications as dead letters in the last 5 minutes: they were never delivered.',
          ),
        ],
      },
      {
        eval_time: at(145),
        alertname: 'AlertRelayDeliveryFailing',
        exp_alerts: [
          firing(
            'AlertRelayDeliveryFailing',
            'critical',
            { ...relay, channel: 'slack' },
            'The relay 127.0.0.1:9095 gave up 1 slack notifications as dead letters in the last 5 minutes: they were never delivered.',
          ),
          firing(
            'AlertRelayDeliveryFailing',
            'warning',
            { ...relay, channel: 'slack' },
            'The relay 127.0.0.1:9095 had 17 failed slack delivery attempts in the last 5 minutes (threshold 3); they are being retried.',
          ),
        ],
      },
    ],
  ),
  testCase(
    'relay: one transient Slack failure, retried and delivered: no alert',
    [series('alert_relay_notifications_failed_total', { ...relay, channel: 'slack', reason: 'http_503' }, counter([[0, 12], [1, 1], [0, 50]]))],
    quiet(['AlertRelayDeliveryFailing'], [70, 130, 200, 300]),
  ),
  testCase('relay outbox: the oldest email waits longer and longer', [series('alert_relay_outbox_oldest_age_seconds', { ...relay, channel: 'email' }, hold(0, 12), ramp(0, 5, 90))], [
    { eval_time: at(420), alertname: 'AlertRelayOutboxBacklog', exp_alerts: [] },
    {
      eval_time: at(430),
      alertname: 'AlertRelayOutboxBacklog',
      exp_alerts: [
        firing('AlertRelayOutboxBacklog', 'warning', { ...relay, channel: 'email' }, 'The oldest undelivered email notification on relay 127.0.0.1:9095 has waited 6m 10s (threshold 300s).'),
      ],
    },
  ]),
  testCase(
    'relay outbox drains within a minute (rate-limit waits): no alert',
    [series('alert_relay_outbox_oldest_age_seconds', { ...relay, channel: 'slack' }, ...Array.from({ length: 8 }, () => ramp(0, 5, 13)))],
    quiet(['AlertRelayOutboxBacklog'], [120, 240, 360, 500]),
  ),
  testCase('Watchdog always fires', [series('up', prometheus, hold(1, 5))], [
    {
      eval_time: at(5),
      alertname: 'Watchdog',
      exp_alerts: [
        firing('Watchdog', 'info', {}, 'Always firing, so that its absence at the receiver means Prometheus, Alertmanager or the relay has stopped delivering.'),
      ],
    },
  ]),
];
