// `npm run bench` (or `node bench/chart.bench.ts`): what graphs cost a page.
//  1. Drawing: p50/p99 of one 720x300 PNG (ECharts SSR to SVG, resvg to PNG) with two 240-point series, a
//     threshold and a firing window. The bar: p99 under 300 ms.
//  2. Page latency with graphs / without, same run: two relay processes on one Slack stand-in and a real
//     Prometheus (scraping itself), one with graphs on; pages posted alternately, one at a time, timed from the
//     webhook to the stand-in having the page (for the graph relay, after the stand-in fetched the image, as Slack
//     does before it shows the message).
// Absolute figures drift on a shared machine; the ratio is what to watch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../common/free-port.ts';
import { startPrometheus } from '../stack/prometheus-process.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { startSlackStandIn } from '../test/support/stand-ins/slack-stand-in.ts';
import { renderChartPng } from '../alertmanager/relay/graphs/render-chart.ts';
import { writeTestRelayConfig } from '../test/support/relay/relay-config-file.ts';
import { webhookPayload } from '../test/support/relay/webhook-fixtures.ts';

const renders = Number(process.env.BENCH_RENDERS ?? 200);
const pages = Number(process.env.BENCH_PAGES ?? 40);

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

// 1. Drawing alone.
const end = Date.now();
const start = end - 30 * 60_000;
const series = (base: number, phase: number) => Array.from({ length: 240 }, (_, i) => [start + i * 7_500, base + 0.3 * (i / 240) + 0.03 * Math.sin(i / 9 + phase)] as [number, number]);
const spec = {
  title: 'HeapNearLimit (critical)',
  subtitle: 'nodejs_heap_size_used_bytes / nodejs_heap_size_total_bytes  ·  firing since 2026-01-01 12:00:00 UTC',
  series: [
    { name: 'instance=127.0.0.1:9464', points: series(0.6, 0) },
    { name: 'instance=127.0.0.1:9465', points: series(0.5, 2) },
  ],
  unit: 'ratio' as const,
  threshold: 0.9,
  firing: { from: end - 8 * 60_000, to: end },
  start,
  end,
  width: 720,
  height: 300,
};
for (let i = 0; i < 5; i++) renderChartPng(spec); // warm-up (JIT, font file)
const drawn: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < renders; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  renderChartPng(spec);
  drawn.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
console.log(`graph PNG render (720x300, 2 x 240 points)  n=${renders}  p50 ${percentile(drawn, 50).toFixed(1)} ms  p99 ${percentile(drawn, 99).toFixed(1)} ms  max ${Math.max(...drawn).toFixed(1)} ms  (bar: p99 < 300 ms)`);
// Wall time includes waiting for a core on a loaded machine; the CPU time is what a render itself costs.
console.log(`  CPU time per render (this process, all threads)  p50 ${percentile(cpu, 50).toFixed(1)} ms  p99 ${percentile(cpu, 99).toFixed(1)} ms  (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores)`);

// 2. Page latency with and without graphs.
const dir = mkdtempSync(join(tmpdir(), 'chart-bench-'));
const promConfig = join(dir, 'prometheus.yml');
writeFileSync(promConfig, JSON.stringify({ global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: ['127.0.0.1:9090'] }] }] }));
const prometheus = await startPrometheus({ configFile: promConfig });
let arrived: ((payload: unknown) => void) | undefined;
const slack = await startSlackStandIn({ fetchImages: true, onRequest: (r) => r.status === 200 && arrived?.(r.payload) });
const token = 'chart-bench-token-0123456789';
const relays: RelayProcess[] = [];
try {
  const startOne = async (name: string, graphs: boolean): Promise<RelayProcess> => {
    const sub = join(dir, name);
    const port = await freePort();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    const configFile = writeTestRelayConfig({
      dir: sub,
      tokens: [token],
      slackUrl: slack.url,
      slackRatePerSecond: 1000,
      slackBurst: 1000,
      overrides: graphs ? { graphs: { prometheusUrl: prometheus.url, publicBaseUrl: `http://127.0.0.1:${port}` }, logLevel: 'error' } : { logLevel: 'error' },
    });
    const relay = await startRelay({ configFile, port, outboxDir: sub, bearerToken: token, env: { LOG_LEVEL: 'error' } });
    relays.push(relay);
    return relay;
  };
  const plain = await startOne('plain', false);
  const graphed = await startOne('graphed', true);
  // Let Prometheus collect a few samples.
  for (let i = 0; i < 100; i++) {
    const body = new URLSearchParams({ query: 'process_resident_memory_bytes', start: String(Date.now() / 1000 - 60), end: String(Date.now() / 1000), step: '1' });
    const answer = (await (await fetch(`${prometheus.url}/api/v1/query_range`, { method: 'POST', body })).json()) as { data: { result: Array<{ values: unknown[] }> } };
    if ((answer.data.result[0]?.values.length ?? 0) >= 5) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  let sequence = 0;
  const timePage = async (relay: RelayProcess): Promise<number> => {
    const payload = webhookPayload({ alertname: 'BenchGraph', sequence: sequence++, labels: { instance: `127.0.0.1:${prometheus.port}`, job: 'prometheus' } });
    for (const alert of payload.alerts) alert.generatorURL = `${prometheus.url}/graph?g0.expr=${encodeURIComponent('process_resident_memory_bytes > 5e7')}`;
    const page = new Promise<unknown>((resolve) => (arrived = resolve));
    const t0 = performance.now();
    const response = await fetch(relay.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(payload) });
    await response.text();
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    await page;
    return performance.now() - t0;
  };
  await timePage(plain);
  await timePage(graphed);
  const without: number[] = [];
  const withGraphs: number[] = [];
  for (let i = 0; i < pages; i++) {
    without.push(await timePage(plain));
    withGraphs.push(await timePage(graphed));
  }
  const images = slack.images.filter((i) => i.status === 200 && i.contentType === 'image/png').length;
  console.log(`page latency without graphs   n=${pages}  p50 ${percentile(without, 50).toFixed(1)} ms  p99 ${percentile(without, 99).toFixed(1)} ms`);
  console.log(`page latency with graphs      n=${pages}  p50 ${percentile(withGraphs, 50).toFixed(1)} ms  p99 ${percentile(withGraphs, 99).toFixed(1)} ms  (images fetched by the stand-in: ${images})`);
  console.log(`with / without graphs: p50 ${(percentile(withGraphs, 50) / percentile(without, 50)).toFixed(2)}x  p99 ${(percentile(withGraphs, 99) / percentile(without, 99)).toFixed(2)}x`);
} finally {
  for (const relay of relays) await relay.stop();
  await slack.close();
  await prometheus.stop();
  rmSync(dir, { recursive: true, force: true });
}
