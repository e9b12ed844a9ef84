// The one config of the alerting rules, as the monitoring mixins keep it: job selectors, every alert's
// thresholds and `for` durations, and where its links point. The rule generators (prometheus/rules/*.ts) and the
// Grafana dashboards (threshold lines, runbook links) both read it; change a number here, run `npm run rules`.

/** Prometheus duration, as written in rule files. */
export type Duration = `${number}${'s' | 'm' | 'h'}`;
export type Severity = 'critical' | 'warning' | 'info';
export type PagingSeverity = Exclude<Severity, 'info'>;

/** The scrape jobs of prometheus.yml; every series carries one as `job`. */
export const jobs = {
  orderService: 'order-service',
  relay: 'alert-relay',
  alertmanager: 'alertmanager',
  prometheus: 'prometheus',
} as const;

/** The jobs of Node services on the telemetry module (service/telemetry/): the runtime alerts and dashboard cover each. */
export const runtimeJobs = [jobs.orderService, jobs.relay] as const;

export const selectors = {
  orderService: `job="${jobs.orderService}"`,
  /** Runtime metrics (heap, GC, event loop, process) of every Node service: the same names and thresholds fit each. */
  runtime: `job=~"${runtimeJobs.join('|')}"`,
  relay: `job="${jobs.relay}"`,
  alertmanager: `job="${jobs.alertmanager}"`,
  prometheus: `job="${jobs.prometheus}"`,
} as const;

/** The shipped scrape and evaluation intervals: with the `for` durations and Alertmanager's group_wait they bound time to page. */
export const intervals = {
  scrape: '5s',
  evaluation: '5s',
} as const satisfies Record<string, Duration>;

/** Grafana dashboards (uids fixed by grafana/, so links from alerts keep working). */
export const grafana = {
  /** Where users open Grafana (docker-compose publishes it on 3000). */
  baseUrl: 'http://127.0.0.1:3000',
  dashboards: {
    runtime: 'node-runtime',
    orderService: 'order-service',
    alertingPipeline: 'alerting-pipeline',
  },
} as const;
export type DashboardKey = keyof typeof grafana.dashboards;

/**
 * Where the runbook is read: the repository's prometheus/runbook.md, one `## AlertName` section per alert
 * (GitHub anchors are the lower-cased heading). Set `repositoryUrl` to where the repository is hosted.
 */
export const runbook = {
  repositoryUrl: 'https://github.com/example-org/node-runtime-observability',
  path: 'prometheus/runbook.md',
} as const;

export function runbookUrl(alert: string): string {
  return `${runbook.repositoryUrl}/blob/main/${runbook.path}#${alert.toLowerCase()}`;
}

/** The dashboard link of an alert, with the alert's instance as the dashboard's instance variable. */
export function dashboardUrl(dashboard: DashboardKey, options: { panelId?: number; perInstance?: boolean } = {}): string {
  const params: string[] = [];
  if (options.perInstance !== false) params.push('var-instance={{ $labels.instance }}');
  if (options.panelId !== undefined) params.push(`viewPanel=${options.panelId}`);
  const query = params.length > 0 ? `?${params.join('&')}` : '';
  return `${grafana.baseUrl}/d/${grafana.dashboards[dashboard]}${query}`;
}

/** One severity level of an alert: fires when the expression's value is beyond `threshold` for `for`. */
export interface Level {
  threshold: number;
  for: Duration;
}

/**
 * Unit of an alert's threshold, in Grafana's unit ids, so a dashboard draws it on a panel of the same unit:
 * percentunit = ratio 0..1, s = seconds, ops = events per second, reqps = requests per second, short = a count.
 */
export type ThresholdUnit = 'percentunit' | 's' | 'ops' | 'reqps' | 'short';

export interface AlertConfig {
  dashboard: DashboardKey;
  /** The panel of that dashboard the alert opens (`viewPanel`), one that draws what the alert measures. */
  panel?: number;
  unit: ThresholdUnit;
  /** What the threshold is a value of, for dashboards and the alert catalogue (docs/alerts.md). */
  measures: string;
  levels: Partial<Record<Severity, Level>>;
}

/** Every alert and its levels. The expressions live in prometheus/rules/; the numbers live only here. */
export const alerts = {
  NodeHeapNearLimit: {
    dashboard: 'runtime',
    panel: 11,
    unit: 'percentunit',
    measures: 'heap used / V8 heap_size_limit',
    levels: { warning: { threshold: 0.8, for: '1m' }, critical: { threshold: 0.9, for: '15s' } },
  },
  NodeHeapExhaustionPredicted: {
    dashboard: 'runtime',
    panel: 12,
    unit: 'percentunit',
    measures: 'heap retained after GC, predicted 10 minutes ahead (linear over 5 minutes) / heap_size_limit',
    levels: { critical: { threshold: 1, for: '30s' } },
  },
  NodeHeapRetainedAfterGCHigh: {
    dashboard: 'runtime',
    panel: 12,
    unit: 'percentunit',
    measures: 'heap used right after the last major GC / heap_size_limit',
    levels: { warning: { threshold: 0.7, for: '2m' }, critical: { threshold: 0.85, for: '30s' } },
  },
  NodeGCTimeHigh: {
    dashboard: 'runtime',
    panel: 22,
    unit: 'percentunit',
    measures: 'share of wall time spent in GC pauses (1-minute rate)',
    levels: { warning: { threshold: 0.1, for: '2m' }, critical: { threshold: 0.3, for: '30s' } },
  },
  NodeEventLoopDelayHigh: {
    dashboard: 'runtime',
    panel: 30,
    unit: 's',
    measures: 'event-loop delay p99',
    levels: { warning: { threshold: 0.1, for: '1m' }, critical: { threshold: 0.5, for: '30s' } },
  },
  NodeDBPoolExhausted: {
    dashboard: 'runtime',
    panel: 40,
    unit: 'percentunit',
    measures: 'DB pool connections used / max, while requests wait',
    levels: { critical: { threshold: 1, for: '15s' } },
  },
  NodeDBPoolAcquireTimeouts: {
    dashboard: 'runtime',
    panel: 42,
    unit: 'ops',
    measures: 'DB pool acquire timeouts per second (1-minute rate)',
    levels: { critical: { threshold: 0.05, for: '15s' } },
  },
  NodeDBPoolWaitSlow: {
    dashboard: 'runtime',
    panel: 41,
    unit: 's',
    measures: 'DB pool acquire wait p99 (1-minute rate)',
    levels: { warning: { threshold: 0.5, for: '1m' } },
  },
  NodeWorkerPoolSaturated: {
    dashboard: 'runtime',
    panel: 50,
    unit: 'percentunit',
    measures: 'worker threads busy / max, while tasks queue',
    levels: { warning: { threshold: 1, for: '1m' } },
  },
  NodeWorkerPoolTasksRejected: {
    dashboard: 'runtime',
    panel: 52,
    unit: 'ops',
    measures: 'worker pool tasks rejected per second (1-minute rate)',
    levels: { critical: { threshold: 0.05, for: '15s' } },
  },
  NodeRSSNearMemoryLimit: {
    dashboard: 'runtime',
    panel: 13,
    unit: 'percentunit',
    measures: 'resident set size / container memory limit',
    levels: { warning: { threshold: 0.8, for: '1m' }, critical: { threshold: 0.9, for: '15s' } },
  },
  NodeProcessRestarted: {
    dashboard: 'runtime',
    panel: 2,
    unit: 'short',
    measures: 'process restarts in 15 minutes (more than one, or one after memory ran near a limit)',
    levels: { warning: { threshold: 1, for: '0s' } },
  },
  InstanceDown: {
    dashboard: 'runtime',
    unit: 'short',
    measures: 'up == 0',
    levels: { critical: { threshold: 0, for: '30s' } },
  },
  HTTPServerErrorRatioHigh: {
    dashboard: 'orderService',
    panel: 2,
    unit: 'percentunit',
    measures: 'HTTP 5xx responses / all responses (1-minute rate)',
    levels: { warning: { threshold: 0.01, for: '2m' }, critical: { threshold: 0.05, for: '15s' } },
  },
  HTTPServerLatencyHigh: {
    dashboard: 'orderService',
    panel: 3,
    unit: 's',
    measures: 'HTTP request duration p99 (1-minute rate)',
    levels: { warning: { threshold: 0.5, for: '2m' }, critical: { threshold: 1.5, for: '30s' } },
  },
  OrderRequestsShed: {
    dashboard: 'orderService',
    panel: 21,
    unit: 'percentunit',
    measures: 'order requests refused by admission control / order requests reaching it (1-minute rate)',
    // Warning: shedding sustained for minutes means capacity is short, not a burst. Critical: most traffic refused
    // for half a minute (users see it; HTTPServerErrorRatioHigh pages on the same 503s after 15 s anyway).
    levels: { warning: { threshold: 0.05, for: '5m' }, critical: { threshold: 0.5, for: '30s' } },
  },
  OrdersStuckProcessing: {
    dashboard: 'orderService',
    panel: 12,
    unit: 's',
    measures: 'age of the oldest order in PROCESSING',
    levels: { warning: { threshold: 120, for: '1m' }, critical: { threshold: 300, for: '30s' } },
  },
  OrderFailureRatioHigh: {
    dashboard: 'orderService',
    panel: 10,
    unit: 'percentunit',
    measures: 'orders failed / orders created (2-minute rate)',
    levels: { warning: { threshold: 0.05, for: '2m' }, critical: { threshold: 0.2, for: '30s' } },
  },
  OrderTrafficSurge: {
    dashboard: 'orderService',
    panel: 1,
    unit: 'percentunit',
    measures: 'request rate / its average over the 30 minutes before (ratio, 3 = 300%)',
    levels: { warning: { threshold: 3, for: '1m' } },
  },
  PrometheusRuleEvaluationFailures: {
    dashboard: 'alertingPipeline',
    panel: 10,
    unit: 'short',
    measures: 'rule evaluation failures in 5 minutes',
    levels: { critical: { threshold: 0, for: '15s' } },
  },
  AlertmanagerNotificationsFailing: {
    dashboard: 'alertingPipeline',
    panel: 12,
    unit: 'ops',
    measures: 'failed notifications per second, per integration (5-minute rate)',
    levels: { critical: { threshold: 0, for: '30s' } },
  },
  AlertRelayDeliveryFailing: {
    dashboard: 'alertingPipeline',
    panel: 22,
    unit: 'short',
    measures: 'warning: failed delivery attempts in 5 minutes (retried); critical: dead letters in 5 minutes (lost)',
    levels: { warning: { threshold: 3, for: '1m' }, critical: { threshold: 0, for: '0s' } },
  },
  AlertRelayOutboxBacklog: {
    dashboard: 'alertingPipeline',
    panel: 24,
    unit: 's',
    measures: 'age of the oldest undelivered notification in the relay outbox',
    levels: { warning: { threshold: 300, for: '1m' } },
  },
  Watchdog: {
    dashboard: 'alertingPipeline',
    panel: 2,
    unit: 'short',
    measures: 'always 1 (a dead man’s switch: its absence means the pipeline is broken)',
    levels: { info: { threshold: 0, for: '0s' } },
  },
} as const satisfies Record<string, AlertConfig>;

export type AlertName = keyof typeof alerts;

/** Further numbers the expressions need besides the thresholds. */
export const settings = {
  /** Below this request rate (req/s) an error ratio or p99 says little: one request in ten is not a page. */
  minRequestRate: 0.1,
  /** NodeHeapExhaustionPredicted: fit over this window, predict this far ahead, only once retained heap is above this share. */
  heapPrediction: { window: '5m', horizonSeconds: 600, minRetainedRatio: 0.5 },
  /** NodeProcessRestarted: look back this far for restarts and for memory near its limit before one. */
  restartWindow: '15m',
  /** OrderTrafficSurge: baseline window, ending this long before now (so the surge is not its own baseline), and minimum rate. */
  trafficBaseline: { window: '30m', offset: '5m', minRequestRate: 1 },
} as const;
