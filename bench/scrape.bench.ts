// `npm run bench`: what a scrape of /metrics costs, as ratios against baselines measured in the same run
// (absolute figures drift on a shared machine).
//  1. In this process, rendering our runtime metrics (OpenTelemetry SDK, renamed for Prometheus) against
//     rendering prom-client's default metrics, the usual Node exporter: time and bytes allocated per scrape.
//  2. The real order service (embedded PostgreSQL, every family populated): series and bytes per scrape, and
//     the time and service CPU of a scrape against a request the same metrics server answers 404 (no collection).
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startOrderService } from '../stack/order-service-process.ts';
import { parsePrometheusText, sumOf } from '../test/support/prometheus-text.ts';
import { runtimeCollectors } from '../service/telemetry/runtime-collectors.ts';
import { createPrometheusEndpoint } from '../service/telemetry/prometheus-exporter.ts';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { runtimeNodeConfig, runtimeNodeViews } from '../service/telemetry/runtime-node.ts';

const iterations = Number(process.env.BENCH_SCRAPES ?? 300);

interface Cost {
  msPerOp: number;
  bytesPerOp: number;
}

/** Time and heap allocation per call; allocation = heap growth plus what the GCs in between reclaimed. */
async function cost(op: () => Promise<unknown>, n = iterations): Promise<Cost> {
  for (let i = 0; i < 20; i++) await op();
  (globalThis as { gc?: () => void }).gc?.();
  const profiler = new GCProfiler();
  profiler.start();
  const usedBefore = getHeapStatistics().used_heap_size;
  const started = performance.now();
  for (let i = 0; i < n; i++) await op();
  const elapsed = performance.now() - started;
  const usedAfter = getHeapStatistics().used_heap_size;
  const gcs = profiler.stop()?.statistics ?? [];
  const reclaimed = gcs.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
  return { msPerOp: elapsed / n, bytesPerOp: (usedAfter - usedBefore + reclaimed) / n };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const line = (title: string, c: Cost, extra = ''): void =>
  console.log(`${title.padEnd(44)} ${c.msPerOp.toFixed(3).padStart(8)} ms  ${kib(c.bytesPerOp).padStart(11)} allocated${extra}`);

// 1. In process: ours against prom-client's defaults.
{
  const promClient = new Registry();
  collectDefaultMetrics({ register: promClient });
  const endpoint = createPrometheusEndpoint({ host: '127.0.0.1', port: 0 });
  const provider = new MeterProvider({ readers: [endpoint.reader], views: runtimeNodeViews });
  const runtime = new RuntimeNodeInstrumentation(runtimeNodeConfig);
  runtime.setMeterProvider(provider);
  runtime.enable();
  const stops = runtimeCollectors.map((collect) => collect(provider.getMeter('telemetry.runtime')));

  const promText = await promClient.metrics();
  const ourText = await endpoint.render();
  const baseline = await cost(() => promClient.metrics());
  const ours = await cost(() => endpoint.render());
  console.log(`in-process render, ${iterations} scrapes each`);
  line('baseline: prom-client default metrics', baseline, `  ${parsePrometheusText(promText).length} series`);
  line('ours: runtime metrics via OpenTelemetry', ours, `  ${parsePrometheusText(ourText).length} series`);
  console.log(`time vs baseline: ${(ours.msPerOp / baseline.msPerOp).toFixed(2)}x  allocation vs baseline: ${(ours.bytesPerOp / baseline.bytesPerOp).toFixed(2)}x`);

  for (const stop of stops) stop();
  runtime.disable();
  await provider.shutdown();
}

// 2. The real service.
const service = await startOrderService({
  name: 'scrape-bench',
  env: { FAULT_INJECTION: 'true', LOG_LEVEL: 'error', DB_POOL_MAX: '4', DB_ACQUIRE_TIMEOUT_MS: '500', WORKER_QUEUE_MAX: '4' },
});
try {
  const post = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${service.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.arrayBuffer();
  };
  // Populate every family: orders, 404s, pool waits and timeouts, worker rejections, a major GC.
  for (let i = 0; i < 20; i++) await post('/orders', { customer: `bench-${i}`, items: [{ sku: 'A-1', quantity: 1 + i, price: 5 }] });
  await (await fetch(`${service.apiUrl}/orders/00000000-0000-4000-8000-000000000000`)).arrayBuffer();
  await post('/admin/faults/db-hold', { connections: 8, seconds: 1 });
  await post('/admin/faults/cpu', { tasks: 12, ms: 20 });
  await post('/admin/faults/gc', {});
  const emptyUrl = service.metricsUrl.replace(/\/metrics$/, '/not-metrics');
  const get = async (url: string): Promise<number> => (await (await fetch(url)).arrayBuffer()).byteLength;
  const cpuSeconds = async (): Promise<number> => sumOf(parsePrometheusText(await (await fetch(service.metricsUrl)).text()), 'process_cpu_time_seconds_total');
  const remote = async (url: string): Promise<{ ms: number; cpuMs: number }> => {
    for (let i = 0; i < 20; i++) await get(url);
    const cpuBefore = await cpuSeconds();
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await get(url);
    const ms = (performance.now() - started) / iterations;
    // Less the one scrape that reads the CPU counter itself, spread over the batch.
    const cpuMs = ((await cpuSeconds()) - cpuBefore) * 1000 / iterations;
    return { ms, cpuMs };
  };
  // Let the held connections come back and the waiting callers time out before measuring.
  for (let settled = false; !settled; ) {
    const samples = parsePrometheusText(await (await fetch(service.metricsUrl)).text());
    settled = sumOf(samples, 'db_client_connection_pending_requests') === 0 && sumOf(samples, 'db_client_connection_count', { db_client_connection_state: 'used' }) === 0;
  }
  const text = await (await fetch(service.metricsUrl)).text();
  const families = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
  const empty = await remote(emptyUrl);
  const scrape = await remote(service.metricsUrl);
  console.log(`\norder service /metrics: ${parsePrometheusText(text).length} series in ${families.size} families, ${kib(Buffer.byteLength(text))} per scrape`);
  console.log(`${'baseline: GET 404 on the metrics server'.padEnd(44)} ${empty.ms.toFixed(3).padStart(8)} ms  service CPU ${empty.cpuMs.toFixed(3)} ms`);
  console.log(`${'GET /metrics'.padEnd(44)} ${scrape.ms.toFixed(3).padStart(8)} ms  service CPU ${scrape.cpuMs.toFixed(3)} ms`);
  console.log(`scrape time vs baseline: ${(scrape.ms / empty.ms).toFixed(2)}x  service CPU vs baseline: ${(scrape.cpuMs / Math.max(empty.cpuMs, 1e-6)).toFixed(2)}x`);
} finally {
  await service.stop();
}
