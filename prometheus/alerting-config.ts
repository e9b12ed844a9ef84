// The one config of the alerting rules, as the monitoring mixins keep it: job selectors, every alert's
// thresholds and `for` durations, and where its links point. The rule generators (prometheus/rules/*.ts) and the
// Grafana dashboards (threshold lines, runbook links) both read it; change a number here, run `npm run rules`.

/** Prometheus duration, as written in rule files. */
export type Duration = `${number}${'s' | 'm' | 'h'}`;

export function durationSeconds(duration: Duration): number {
  const value = Number.parseFloat(duration);
  return duration.endsWith('h') ? value * 3600 : duration.endsWith('m') ? value * 60 : value;
}
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
  /** Keep firing this long after the condition ends (Prometheus `keep_firing_for`). */
  keepFiringFor?: Duration;
}

/**
 * Heap alerts keep firing this long after their condition ends: when the process dies of its heap, its series
 * vanish and the condition with them, and on-call must hear that it died (InstanceDown, NodeProcessRestarted,
 * which also inhibit these in Alertmanager) before any RESOLVED. Covers the launcher's restart with backoff.
 */
const heapKeepFiringFor: Duration = '3m';

/** Every alert and its levels. The expressions live in prometheus/rules/; the numbers live only here. */
export const alerts = {
  NodeHeapNearLimit: {
    dashboard: 'runtime',
    panel: 11,
    unit: 'percentunit',
    measures: 'old-generation heap used / old-generation limit (the limit the process dies at, the -Xmx analog)',
    // A healthy heap's major GC starts at most halfway between its live set and the limit, so a sawtooth peaking
    // near 85% has a live set near 70%: these stay quiet on it.
    levels: { warning: { threshold: 0.9, for: '1m' }, critical: { threshold: 0.95, for: '15s' } },
    keepFiringFor: heapKeepFiringFor,
  },
  NodeHeapExhaustionImminent: {
    dashboard: 'runtime',
    panel: 12,
    unit: 'percentunit',
    measures: 'old generation retained after major GC, predicted 5 minutes ahead from its last minute / old-generation limit',
    levels: { critical: { threshold: 1, for: '5s' } },
    keepFiringFor: heapKeepFiringFor,
  },
  NodeHeapExhaustionPredicted: {
    dashboard: 'runtime',
    panel: 12,
    unit: 'percentunit',
    measures: 'old generation retained after major GC, predicted 30 minutes ahead from its last 10 minutes / old-generation limit',
    levels: { critical: { threshold: 1, for: '30s' } },
    keepFiringFor: heapKeepFiringFor,
  },
  NodeHeapRetainedAfterGCHigh: {
    dashboard: 'runtime',
    panel: 12,
    unit: 'percentunit',
    measures: 'old generation used right after the last major GC / old-generation limit',
    levels: { warning: { threshold: 0.8, for: '2m' }, critical: { threshold: 0.85, for: '15s' } },
    keepFiringFor: heapKeepFiringFor,
  },
  NodeGCOverheadLimit: {
    dashboard: 'runtime',
    panel: 22,
    unit: 'percentunit',
    measures: 'share of wall time in GC pauses (1-minute rate), while the old generation retained after GC is near its limit',
    levels: { critical: { threshold: 0.5, for: '15s' } },
    keepFiringFor: heapKeepFiringFor,
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
    measures: 'event-loop delay p99 (since the previous scrape)',
    // Three evaluations in a row: one slow scrape (a single long pause) does not page.
    levels: { warning: { threshold: 0.1, for: '1m' }, critical: { threshold: 0.5, for: '10s' } },
  },
  NodeDBPoolExhausted: {
    dashboard: 'runtime',
    panel: 40,
    unit: 'percentunit',
    measures: 'DB pool connections used / max, while requests wait',
    levels: { critical: { threshold: 1, for: '10s' } },
  },
  NodeDBPoolAcquireTimeouts: {
    dashboard: 'runtime',
    panel: 42,
    unit: 'ops',
    measures: 'DB pool acquire timeouts per second (1-minute rate)',
    // The 1-minute rate already needs several timeouts to cross 0.05/s (one alone stays below it).
    levels: { critical: { threshold: 0.05, for: '5s' } },
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
    // As for acquire timeouts: a single rejection stays below the threshold.
    levels: { critical: { threshold: 0.05, for: '5s' } },
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
    // Pages: a crash loop or an out-of-memory death is what on-call must hear about, even once the process is back.
    levels: { critical: { threshold: 1, for: '0s' } },
  },
  InstanceDown: {
    dashboard: 'runtime',
    unit: 'short',
    measures: 'up == 0',
    // Three failed scrapes in a row: a deploy restart (down for one or two scrapes) stays quiet.
    levels: { critical: { threshold: 0, for: '10s' } },
  },
  HTTPServerErrorRatioHigh: {
    dashboard: 'orderService',
    panel: 2,
    unit: 'percentunit',
    measures: 'HTTP 5xx responses / all responses (1-minute rate)',
    // The 1-minute rate smooths a burst already (it stays in the window for a minute; the threshold judges it).
    levels: { warning: { threshold: 0.01, for: '2m' }, critical: { threshold: 0.05, for: '5s' } },
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
  /**
   * Leak predictions, fitted on the old generation retained after major GCs (a healthy sawtooth leaves it flat):
   * fit over `window`, predict `horizonSeconds` ahead, only once retained old generation is above
   * `minRetainedRatio` of its limit (a process warming up grows too, from little), over a window holding at
   * least `minHistoryRatio` of its samples, growing by at least `minGrowthBytesPerSecond`.
   */
  heapPrediction: {
    /** NodeHeapExhaustionImminent: a fast leak (2 MB/s kills a 256 MiB old generation in about 90 s). */
    imminent: { window: '1m', horizonSeconds: 300, minRetainedRatio: 0.25, minHistoryRatio: 0, minGrowthBytesPerSecond: 200_000 },
    /** NodeHeapExhaustionPredicted: a slow leak (0.25 MB/s takes about 15 minutes). */
    predicted: { window: '10m', horizonSeconds: 1800, minRetainedRatio: 0.4, minHistoryRatio: 0.8, minGrowthBytesPerSecond: 0 },
  },
  /** NodeGCOverheadLimit: the old generation retained after GC is at least this share of its limit. */
  gcOverheadMinRetainedRatio: 0.7,
  /** NodeProcessRestarted: a restart after the old generation retained after GC ran above this share is an OOM death. */
  oomRetainedRatio: 0.75,
  /** NodeProcessRestarted: look back this far for restarts and for memory near its limit before one. */
  restartWindow: '15m',
  /**
   * OrderTrafficSurge: baseline window, ending this long before now (so the surge is not its own baseline); the
   * request rate now must be above `minRequestRate`, the baseline above `minBaselineRate` (an idle baseline makes
   * any traffic an infinite surge), and the baseline must cover at least `minHistoryRatio` of its window (a
   * process started minutes ago has no baseline yet).
   */
  trafficBaseline: { window: '30m', offset: '5m', minRequestRate: 1, minBaselineRate: 0.2, minHistoryRatio: 0.8 },
} as const;
