// Alerts on what the order service's users see: 5xx ratio, latency, orders stuck or failing, and a surge of
// traffic far above the recent baseline (how the seed incident began).
import { selectors, settings } from '../alerting-config.ts';
import { rulesPerLevel, percent, seconds } from './rules-per-level.ts';
import type { AlertingRule, RuleGroup } from './rule-types.ts';

const sel = selectors.orderService;
const instance = 'job, instance';
const enoughTraffic = `and on (${instance}) instance:http_server_requests:rate1m > ${settings.minRequestRate}`;
const baseline = settings.trafficBaseline;

export const orderServiceAlerts: RuleGroup<AlertingRule> = {
  name: 'order-service.alerts',
  rules: [
    ...rulesPerLevel('HTTPServerErrorRatioHigh', {
      expr: (t) => `instance:http_server_request_errors:ratio_rate1m > ${t} ${enoughTraffic}`,
      summary: 'Many HTTP requests fail with a server error (5xx).',
      description: (t) =>
        '{{ $value | humanizePercentage }} of HTTP requests to {{ $labels.instance }} answered 5xx over the last minute ' + `(threshold ${t}).`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('HTTPServerLatencyHigh', {
      expr: (t) => `instance:http_server_request_duration_seconds:p99_rate1m > ${t} ${enoughTraffic}`,
      summary: 'HTTP requests are slow.',
      description: (t) =>
        'p99 HTTP request duration on {{ $labels.instance }} is {{ $value | humanizeDuration }} over the last minute ' + `(threshold ${t}).`,
      formatThreshold: seconds,
    }),
    ...rulesPerLevel('OrderRequestsShed', {
      expr: (t) =>
        `instance:http_server_admission_shed:ratio_rate1m > ${t} and on (${instance}) instance:http_server_admission_shed:rate1m > ${settings.minRequestRate}`,
      summary: 'The order service refuses requests to protect itself (admission control).',
      description: (t) =>
        '{{ $labels.instance }} refused {{ $value | humanizePercentage }} of order requests with 503 over the last minute ' +
        `(threshold ${t}): it is past its capacity; see the shed reasons on the dashboard.`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('OrdersStuckProcessing', {
      expr: (t) => `max by (${instance}) (orders_processing_oldest_age_seconds{${sel}}) > ${t}`,
      summary: 'Orders are stuck in PROCESSING: the reconciler is not finishing them.',
      description: (t) =>
        'The oldest order in PROCESSING seen by {{ $labels.instance }} has been there for {{ $value | humanizeDuration }} ' + `(threshold ${t}).`,
      formatThreshold: seconds,
    }),
    ...rulesPerLevel('OrderFailureRatioHigh', {
      expr: (t) => `instance:orders_failed:ratio_rate2m > ${t}`,
      summary: 'Many orders fail.',
      description: (t) =>
        'Orders failed on {{ $labels.instance }} over the last 2 minutes are {{ $value | humanizePercentage }} of the orders created ' + `(threshold ${t}).`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('OrderTrafficSurge', {
      expr: (t) =>
        `instance:http_server_requests:rate1m / on (${instance}) avg_over_time(instance:http_server_requests:rate1m[${baseline.window}] offset ${baseline.offset}) > ${t}` +
        ` and on (${instance}) instance:http_server_requests:rate1m > ${baseline.minRequestRate}`,
      summary: 'Traffic is far above its recent baseline.',
      description: (t) =>
        '{{ $labels.instance }} serves {{ $value | printf "%.1f" }} times its average request rate of the ' +
        `${baseline.window} before (threshold ${t} times): check that capacity keeps up.`,
    }),
  ],
};
