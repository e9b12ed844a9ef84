// The graph of each alert in a page: which expression to query (one graph per distinct rule expression, its
// series narrowed to the alerts' instances), the time range (the last `windowMinutes`, or since the alert
// started when that is earlier), the query to Prometheus and the PNG. Everything runs under one hard time
// budget per message: what is not rendered by then is left out (the page goes without it) and counted.
import type { Logger } from 'pino';
import type { Alert } from '../intake/webhook-payload.ts';
import { formatTime } from '../alert-view.ts';
import { exprFromGeneratorUrl, graphExpression, type GraphExpression } from './alert-expression.ts';
import { chartUnit } from './chart-units.ts';
import { PrometheusQueryError, queryRange, type RangeSeries } from './prometheus-range.ts';
import { renderChartPng, type ChartSeries } from './render-chart.ts';

export interface GraphsConfig {
  prometheusUrl: string;
  budgetSeconds: number;
  windowMinutes: number;
  maxPerMessage: number;
  width: number;
  height: number;
  /** Base URL under which Slack fetches the relay's images (`<base>/graphs/<token>.png`); unset: no Slack images. */
  publicBaseUrl: string | undefined;
}

export type GraphOutcome = 'rendered' | 'no_expression' | 'render_error' | 'skipped' | PrometheusQueryError['reason'];
export const graphOutcomes: GraphOutcome[] = ['rendered', 'no_expression', 'timeout', 'unreachable', 'http_error', 'query_error', 'bad_response', 'render_error', 'skipped'];

/**
 * A Prometheus that hangs would cost every page its whole budget; after this many timeouts in a row, graphs are
 * skipped (counted as `skipped`) for a while, then tried again.
 */
export const hangBreaker = { timeoutsInARow: 3, pauseMs: 60_000 } as const;

export interface GraphMetrics {
  outcome(outcome: GraphOutcome): void;
  renderSeconds(seconds: number): void;
}

export interface RenderedGraph {
  title: string;
  /** Says what the image shows, for alt text. */
  alt: string;
  png: Buffer;
}

export interface GraphPlan {
  expression: GraphExpression;
  alerts: Alert[];
  title: string;
  unit: ReturnType<typeof chartUnit>;
}

const maxSeries = 8;
const realTime = (value: string | undefined): number | undefined => {
  const t = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(t) && t > 0 ? t : undefined;
};

/** One graph per distinct expression, firing alerts' expressions first, at most `max`. */
export function planGraphs(alerts: readonly Alert[], max: number): GraphPlan[] {
  const byExpr = new Map<string, Alert[]>();
  const ordered = [...alerts].sort((a, b) => (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1));
  for (const alert of ordered) {
    const expr = exprFromGeneratorUrl(alert.generatorURL);
    if (!expr) continue;
    byExpr.set(expr, [...(byExpr.get(expr) ?? []), alert]);
  }
  return [...byExpr.entries()].slice(0, max).map(([expr, group]) => {
    const first = group[0]!;
    const expression = graphExpression(expr);
    const severity = first.labels.severity ? ` (${first.labels.severity})` : '';
    return { expression, alerts: group, title: `${first.labels.alertname ?? 'alert'}${severity}`, unit: chartUnit(expression.query, first.annotations.graph_unit) };
  });
}

/** Series whose labels all agree with one of the alerts' labels: the alerting instances, not the whole fleet. */
function seriesOfAlerts(series: RangeSeries[], alerts: readonly Alert[]): RangeSeries[] {
  const matching = series.filter((s) =>
    alerts.some((a) => Object.entries(s.labels).every(([k, v]) => k === '__name__' || a.labels[k] === undefined || a.labels[k] === v)),
  );
  return (matching.length > 0 ? matching : series).slice(0, maxSeries);
}

/** Legend names from the labels that tell the series apart (instance when they all differ in it). */
function legendNames(series: RangeSeries[]): string[] {
  const keys = [...new Set(series.flatMap((s) => Object.keys(s.labels)))].filter((k) => k !== '__name__');
  const varying = keys.filter((k) => new Set(series.map((s) => s.labels[k])).size > 1);
  const shown = varying.length > 0 ? varying : keys.includes('instance') ? ['instance'] : keys;
  return series.map((s) => {
    const name = shown.filter((k) => s.labels[k] !== undefined).map((k) => `${k}=${s.labels[k]}`).join(', ');
    return (name || s.labels.__name__ || 'value').slice(0, 80);
  });
}

export interface RenderOptions {
  max: number;
  width: number;
  height: number;
}

export class AlertGraphs {
  readonly #config: GraphsConfig;
  readonly #metrics: GraphMetrics;
  readonly #logger: Logger;
  #timeoutsInARow = 0;
  #pausedUntil = 0;

  constructor(config: GraphsConfig, metrics: GraphMetrics, logger: Logger) {
    this.#config = config;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  get config(): GraphsConfig {
    return this.#config;
  }

  /**
   * The graphs of these alerts, within the time budget (one deadline for all of them, queried in parallel).
   * Never throws and never takes longer than the budget: a graph that misses it is left out and counted.
   */
  async render(alerts: readonly Alert[], options: Partial<RenderOptions> = {}, now = Date.now()): Promise<RenderedGraph[]> {
    const { max = this.#config.maxPerMessage, width = this.#config.width, height = this.#config.height } = options;
    const plans = planGraphs(alerts, max);
    const withoutExpr = alerts.filter((a) => !exprFromGeneratorUrl(a.generatorURL)).length;
    if (withoutExpr > 0 && plans.length === 0) this.#metrics.outcome('no_expression');
    if (plans.length === 0) return [];
    if (Date.now() < this.#pausedUntil) {
      for (let i = 0; i < plans.length; i++) this.#metrics.outcome('skipped');
      return [];
    }
    const budgetMs = this.#config.budgetSeconds * 1000;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadlineAt = Date.now() + budgetMs;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve('timeout');
      }, budgetMs);
    });
    const settled: Array<RenderedGraph | undefined> = plans.map(() => undefined);
    const counted = new Set<number>();
    const work = plans.map(async (plan, i) => {
      try {
        const graph = await this.#one(plan, width, height, now, abort.signal, deadlineAt);
        if (abort.signal.aborted) return; // done too late: it is counted as a timeout below
        settled[i] = graph;
        counted.add(i);
        this.#metrics.outcome('rendered');
      } catch (error) {
        if (abort.signal.aborted) return;
        counted.add(i);
        const reason = error instanceof PrometheusQueryError ? error.reason : 'render_error';
        this.#metrics.outcome(reason);
        this.#logger.warn({ reason, detail: error instanceof Error ? error.message : String(error), alertname: plan.title }, 'graph left out of the page');
      }
    });
    const finished = await Promise.race([Promise.all(work).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (finished === 'timeout') {
      const late = plans.length - counted.size;
      for (let i = 0; i < late; i++) this.#metrics.outcome('timeout');
      this.#logger.warn({ late, budgetSeconds: this.#config.budgetSeconds }, 'graphs not ready within the time budget; page sent without them');
      this.#timeoutsInARow += 1;
      if (this.#timeoutsInARow >= hangBreaker.timeoutsInARow) {
        this.#pausedUntil = Date.now() + hangBreaker.pauseMs;
        this.#timeoutsInARow = 0;
        this.#logger.error({ pauseSeconds: hangBreaker.pauseMs / 1000 }, 'Prometheus keeps timing out; pages go without graphs for a while');
      }
    } else {
      this.#timeoutsInARow = 0;
    }
    return settled.filter((g): g is RenderedGraph => g !== undefined);
  }

  async #one(plan: GraphPlan, width: number, height: number, now: number, signal: AbortSignal, deadlineAt: number): Promise<RenderedGraph> {
    const starts = plan.alerts.map((a) => realTime(a.startsAt) ?? now);
    const firingFrom = Math.min(...starts);
    const resolvedAt = plan.alerts.every((a) => a.status === 'resolved') ? Math.max(...plan.alerts.map((a) => realTime(a.endsAt) ?? now)) : undefined;
    const firingTo = Math.min(resolvedAt ?? now, now);
    // The last window, or since it started (with a little before it) when that is longer; at most 6 hours.
    const windowMs = this.#config.windowMinutes * 60_000;
    const end = Math.min(now, (resolvedAt ?? now) + 5 * 60_000);
    const start = Math.max(end - 6 * 3_600_000, Math.min(end - windowMs, firingFrom - windowMs / 6));
    const series = seriesOfAlerts(await queryRange(this.#config.prometheusUrl, plan.expression.query, start, end, signal), plan.alerts);
    // The answer came, but the budget is spent (the timer has not run yet): drawing now would delay the page.
    if (Date.now() >= deadlineAt) throw new PrometheusQueryError('timeout', 'no time left in the budget to draw the graph');
    const names = legendNames(series);
    const chartSeries: ChartSeries[] = series.map((s, i) => ({ name: names[i]!, points: s.points }));
    const started = performance.now();
    const query = plan.expression.query.length > 110 ? `${plan.expression.query.slice(0, 107)}...` : plan.expression.query;
    const when = resolvedAt ? `fired ${formatTime(new Date(firingFrom))} to ${formatTime(new Date(resolvedAt)).slice(11)}` : `firing since ${formatTime(new Date(firingFrom))}`;
    const png = renderChartPng({
      title: plan.title,
      subtitle: `${query}  ·  ${when}`,
      series: chartSeries,
      unit: plan.unit,
      threshold: plan.expression.threshold?.value,
      firing: { from: firingFrom, to: firingTo },
      start,
      end,
      width,
      height,
    });
    this.#metrics.renderSeconds((performance.now() - started) / 1000);
    const threshold = plan.expression.threshold ? `, threshold ${plan.expression.threshold.op} ${plan.expression.threshold.value}` : '';
    return { title: plan.title, alt: `Graph of ${plan.expression.query} for ${chartSeries.length} series${threshold}, ${when}`.slice(0, 1000), png };
  }
}
