// The report's figures from what the stack recorded: when the incident started, was detected (the first page the
// relay delivered) and recovered, and its impact on order requests, from Prometheus's own counters.
import type { AlertWindow, RelayNotification } from './report-sources.ts';
import { instantValue } from './report-sources.ts';

export interface IncidentFigures {
  from: number;
  to: number;
  /** Given (the replay's fault onset) or the first alert going pending. */
  startedAt: number | undefined;
  startSource: string;
  /** The first page delivered (Slack), from the relay's outbox; else the first critical alert firing. */
  detectedAt: number | undefined;
  detectSource: string;
  firstPage: string | undefined;
  /** The last alert (not the Watchdog) stopped firing; undefined while one still fires at the end. */
  recoveredAt: number | undefined;
  ordersTotal: number | undefined;
  ordersFailed: number | undefined;
  /** Answered 503 by admission control (a subset of the failed). */
  ordersShed: number | undefined;
  errorShare: number | undefined;
  latencyP99Seconds: number | undefined;
  processRestarts: number | undefined;
  notifications: { pages: number; emails: number; firing: number; resolved: number };
}

const incidentAlert = (w: AlertWindow): boolean => w.alertname !== 'Watchdog';

export async function analyse(options: {
  prometheusUrl: string;
  serviceJob: string;
  from: number;
  to: number;
  onsetAt: number | undefined;
  windows: AlertWindow[];
  notifications: RelayNotification[] | undefined;
}): Promise<IncidentFigures> {
  const { prometheusUrl, from, to, windows, notifications } = options;
  const alerts = windows.filter(incidentAlert);
  const startedAt = options.onsetAt ?? alerts[0]?.from;
  const startSource = options.onsetAt !== undefined ? 'the fault onset (given)' : 'the first alert going pending';

  let detectedAt: number | undefined;
  let detectSource = 'no page in the range';
  let firstPage: string | undefined;
  const pages = (notifications ?? []).filter((n) => n.status === 'firing' && !n.alertnames.includes('Watchdog'));
  const firstDelivered = pages
    .flatMap((n) => n.deliveries.filter((d) => d.channel === 'slack' && d.state === 'delivered' && d.finishedAt !== undefined).map((d) => ({ n, at: d.finishedAt! })))
    .sort((a, b) => a.at - b.at)[0];
  if (firstDelivered) {
    detectedAt = firstDelivered.at;
    detectSource = 'the first page the relay delivered to Slack (its outbox)';
    firstPage = `${firstDelivered.n.alertnames.join(', ')} (${firstDelivered.n.severities.join(', ')})`;
  } else if (notifications === undefined) {
    const critical = alerts.find((w) => w.state === 'firing' && w.severity === 'critical');
    if (critical) {
      detectedAt = critical.from;
      detectSource = 'the first critical alert firing in Prometheus (no relay outbox given)';
      firstPage = critical.alertname;
    }
  }
  const firing = alerts.filter((w) => w.state === 'firing');
  const recoveredAt = firing.length === 0 || firing.some((w) => w.open) ? undefined : Math.max(...firing.map((w) => w.to));

  // Impact over the incident: from its start (or the range's) to recovery (or the range's end).
  const impactFrom = startedAt ?? from;
  const impactTo = to;
  const range = `${Math.max(1, Math.round((impactTo - impactFrom) / 1000))}s`;
  const orders = `job="${options.serviceJob}", http_request_method="POST", http_route="/orders"`;
  const value = (q: string): Promise<number | undefined> => instantValue(prometheusUrl, q, impactTo).catch(() => undefined);
  const ordersTotal = await value(`sum(increase(http_server_request_duration_seconds_count{${orders}}[${range}]))`);
  const ordersFailed = await value(`sum(increase(http_server_request_duration_seconds_count{${orders}, http_response_status_code!~"2.."}[${range}]))`);
  const ordersShed = await value(`sum(increase(http_server_admission_shed_total{job="${options.serviceJob}"}[${range}]))`);
  const latency = await value(`max_over_time(histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{${orders}, http_response_status_code="201"}[1m])))[${range}:15s])`);
  const restarts = await value(`sum(changes(process_start_time_seconds{job="${options.serviceJob}"}[${range}]))`);
  return {
    from,
    to,
    startedAt,
    startSource,
    detectedAt,
    detectSource,
    firstPage,
    recoveredAt,
    ordersTotal,
    ordersFailed: ordersFailed ?? (ordersTotal !== undefined ? 0 : undefined),
    ordersShed,
    errorShare: ordersTotal ? (ordersFailed ?? 0) / ordersTotal : undefined,
    latencyP99Seconds: latency,
    processRestarts: restarts,
    notifications: {
      pages: (notifications ?? []).filter((n) => n.deliveries.some((d) => d.channel === 'slack')).length,
      emails: (notifications ?? []).filter((n) => n.deliveries.some((d) => d.channel === 'email')).length,
      firing: (notifications ?? []).filter((n) => n.status === 'firing').length,
      resolved: (notifications ?? []).filter((n) => n.status === 'resolved').length,
    },
  };
}
