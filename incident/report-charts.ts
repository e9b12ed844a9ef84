// The report's charts: one per runtime signal the seed's story runs through (heap against its old-generation
// limit, GC, event loop, DB pool, worker threads, shedding, order answers and latency), each from Prometheus with
// the firing windows of the alerts about that signal shaded. Drawn by the relay's own chart code (ECharts SSR to
// SVG, resvg to PNG), so a report and a page show a signal the same way.
import { renderChartPng, type ChartSeries } from '../alertmanager/relay/graphs/render-chart.ts';
import type { ChartUnit } from '../alertmanager/relay/graphs/chart-units.ts';
import { rangeQuery, type AlertWindow } from './report-sources.ts';

export interface SignalChart {
  id: string;
  title: string;
  /** What the reader should look for, one sentence. */
  caption: string;
  unit: ChartUnit;
  queries: Array<{ query: string; name: (labels: Record<string, string>) => string }>;
  /** Alerts whose firing windows are shaded on this chart (names match from the start). */
  alerts: string[];
}

const job = (j: string): string => `job="${j}"`;
const inst = (l: Record<string, string>): string => l.instance ?? 'all';

export function signalCharts(serviceJob: string): SignalChart[] {
  const s = job(serviceJob);
  const orders = `${s}, http_request_method="POST", http_route="/orders"`;
  return [
    {
      id: 'heap',
      title: 'Heap: old generation used vs the limit it dies at',
      caption: 'Old-generation heap used per instance against its old-generation limit (--max-old-space-size): the process dies where the lines meet.',
      unit: 'bytes',
      queries: [
        { query: `sum by (instance) (v8js_memory_heap_old_generation_used_bytes{${s}})`, name: (l) => `used ${inst(l)}` },
        { query: `max by (instance) (v8js_memory_heap_old_generation_limit_bytes{${s}})`, name: (l) => `limit ${inst(l)}` },
      ],
      alerts: ['NodeHeap', 'NodeProcessRestarted'],
    },
    {
      id: 'gc',
      title: 'GC: share of time in pauses',
      caption: 'Seconds of GC pause per second (1-minute rate): the heavy-GC phase before a heap death.',
      unit: 'ratio',
      queries: [{ query: `sum by (instance) (rate(v8js_gc_duration_seconds_sum{${s}}[1m]))`, name: inst }],
      alerts: ['NodeGC'],
    },
    {
      id: 'event-loop',
      title: 'Event loop: delay p99 and max',
      caption: 'Event-loop delay: every request on the instance waits at least this long.',
      unit: 'seconds',
      queries: [
        { query: `max by (instance) (nodejs_eventloop_delay_p99_seconds{${s}})`, name: (l) => `p99 ${inst(l)}` },
        { query: `max by (instance) (nodejs_eventloop_delay_max_seconds{${s}})`, name: (l) => `max ${inst(l)}` },
      ],
      alerts: ['NodeEventLoop'],
    },
    {
      id: 'db-pool',
      title: 'DB pool: connections used vs its size',
      caption: 'Connections in use against the pool size: the pool filling.',
      unit: 'none',
      queries: [
        { query: `sum by (instance) (db_client_connection_count{${s}, db_client_connection_state="used"})`, name: (l) => `used ${inst(l)}` },
        { query: `max by (instance) (db_client_connection_max{${s}})`, name: (l) => `max ${inst(l)}` },
      ],
      alerts: ['NodeDBPool'],
    },
    {
      id: 'db-waiting',
      title: 'DB pool: callers waiting for a connection',
      caption: 'Requests waiting for a DB connection (on its own chart: thousands of them would flatten the pool size).',
      unit: 'none',
      queries: [{ query: `sum by (instance) (db_client_connection_pending_requests{${s}})`, name: (l) => `waiting ${inst(l)}` }],
      alerts: ['NodeDBPool'],
    },
    {
      id: 'workers',
      title: 'Worker threads: busy and queued tasks',
      caption: 'Busy worker threads and tasks queued for them (the request-thread pool of the seed).',
      unit: 'none',
      queries: [
        { query: `sum by (instance) (worker_pool_thread_count{${s}, worker_pool_thread_state="busy"})`, name: (l) => `busy ${inst(l)}` },
        { query: `sum by (instance) (worker_pool_queue_depth{${s}})`, name: (l) => `queued ${inst(l)}` },
      ],
      alerts: ['NodeWorkerPool'],
    },
    {
      id: 'shedding',
      title: 'Shedding: order requests refused by admission control',
      caption: 'Requests refused at once (503) by overload protection, per second; none when it is off.',
      unit: 'per_second',
      queries: [{ query: `sum by (instance) (rate(http_server_admission_shed_total{${s}}[1m]))`, name: inst }],
      alerts: ['OrderRequestsShed'],
    },
    {
      id: 'orders',
      title: 'Order requests by answer',
      caption: 'POST /orders per second by status code, as the service answered them (a dead process answers nothing).',
      unit: 'per_second',
      queries: [{ query: `sum by (http_response_status_code) (rate(http_server_request_duration_seconds_count{${orders}}[1m]))`, name: (l) => l.http_response_status_code ?? '?' }],
      alerts: ['HTTPServerErrorRatio', 'OrderRequestsShed', 'NodeProcessRestarted'],
    },
    {
      id: 'latency',
      title: 'Order latency p99',
      caption: 'p99 of POST /orders as the service measured it (1-minute window).',
      unit: 'seconds',
      queries: [{ query: `histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{${orders}}[1m])))`, name: () => 'p99' }],
      alerts: ['HTTPServerLatency', 'HTTPServerErrorRatio'],
    },
  ];
}

/** The union of the windows' time spans, as disjoint spans in time order. */
export function mergeWindows(windows: ReadonlyArray<{ from: number; to: number }>): Array<{ from: number; to: number }> {
  const merged: Array<{ from: number; to: number }> = [];
  for (const w of [...windows].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last && w.from <= last.to) last.to = Math.max(last.to, w.to);
    else merged.push({ from: w.from, to: w.to });
  }
  return merged;
}

export interface RenderedChart {
  chart: SignalChart;
  png: Buffer;
  /** Data points drawn (0: the chart only says there was no data). */
  points: number;
}

export async function renderSignalChart(chart: SignalChart, prometheusUrl: string, from: number, to: number, windows: AlertWindow[]): Promise<RenderedChart> {
  const series: ChartSeries[] = [];
  for (const q of chart.queries) {
    for (const r of await rangeQuery(prometheusUrl, q.query, from, to)) series.push({ name: q.name(r.labels), points: r.points });
  }
  const firing = windows.filter((w) => w.state === 'firing' && chart.alerts.some((a) => w.alertname.startsWith(a)));
  const png = renderChartPng({
    title: chart.title,
    subtitle: firing.length > 0 ? `shaded: ${[...new Set(firing.map((w) => w.alertname))].join(', ')} firing` : 'no alert about this signal fired',
    series,
    unit: chart.unit,
    // Overlapping windows drawn as one (their names are in the subtitle): stacked shades and labels would hide the data.
    firingWindows: mergeWindows(firing).map((w) => ({ ...w, name: 'firing' })),
    start: from,
    end: to,
    width: 900,
    height: 340,
  });
  return { chart, png, points: series.reduce((n, s) => n + s.points.length, 0) };
}
