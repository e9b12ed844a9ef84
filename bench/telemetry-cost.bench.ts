// `npm run bench`: what telemetry costs the order service at saturation, side by side in one run against the same
// service with telemetry off (OTEL_SDK_DISABLED=true): metrics only (the default), and metrics plus traces
// sampled at 10% and 100% exported over OTLP/HTTP to a receiver that decodes every export. For each: throughput
// and p50/p99 latency as ratios to off, service CPU per request, heap used and RSS after the load; and the cost
// of one scrape of /metrics. Modes run interleaved, BENCH_ROUNDS times (default 2), so machine drift hits all alike.
// BENCH_TELEMETRY_ATTRIBUTION=1 adds metrics-only runs with one instrumentation switched off at a time, to see
// what costs most.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { waitFor } from '../common/wait-for.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const connections = 16;
const receiver = await startOtlpReceiver({ keep: false });
const scratch = mkdtempSync(join(tmpdir(), 'telemetry-cost-'));

interface Mode {
  title: string;
  env: Record<string, string>;
}
const traces = (ratio: string): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: ratio,
});
const modes: Mode[] = [
  { title: 'off (OTEL_SDK_DISABLED)', env: { OTEL_SDK_DISABLED: 'true' } },
  { title: 'metrics only', env: {} },
  { title: 'metrics + traces 10%', env: traces('0.1') },
  { title: 'metrics + traces 100%', env: traces('1') },
  ...(process.env.BENCH_TELEMETRY_ATTRIBUTION === '1'
    ? ['http', 'express', 'pg', 'runtime-node'].map((name) => ({ title: `metrics, ${name} off`, env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: name } }))
    : []),
];

interface Run {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
}
const runs = new Map<string, Run[]>(modes.map((m) => [m.title, []]));
const memory = new Map<string, { heapUsed: number; rss: number }>();

/** utime + stime of a process, in ms (Linux /proc, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function memoryOf(service: OrderServiceProcess, file: string): Promise<{ heapUsed: number; rss: number }> {
  rmSync(file, { force: true });
  service.process.child.kill('SIGUSR2');
  return waitFor(
    () => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number; rss: number };
      } catch {
        return undefined;
      }
    },
    { what: 'memory report', timeoutMs: 10_000 },
  );
}

const orderBody = JSON.stringify({ customer: 'bench', items: [{ sku: 'A-1', quantity: 2, price: 9.99 }, { sku: 'B-2', quantity: 1, price: 120 }] });
const load = (service: OrderServiceProcess, duration: number) =>
  autocannon({ url: `${service.apiUrl}/orders`, connections, duration, method: 'POST', headers: { 'content-type': 'application/json' }, body: orderBody });

const services: Array<{ mode: Mode; service: OrderServiceProcess; memoryFile: string }> = [];
try {
  for (const [i, mode] of modes.entries()) {
    const memoryFile = join(scratch, `memory-${i}.json`);
    const service = await startOrderService({
      name: `telemetry-cost-${i}`,
      nodeArgs: ['--import', './bench/support/memory-report.ts'],
      env: { DB_POOL_MAX: '10', WORKER_QUEUE_MAX: '10000', LOG_LEVEL: 'error', BENCH_MEMORY_FILE: memoryFile, OTEL_BSP_MAX_QUEUE_SIZE: '8192', ...mode.env },
    });
    services.push({ mode, service, memoryFile });
    await load(service, 2); // warm-up: JIT, pool connections, worker threads
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round, so no mode always runs right after the same neighbour.
    const order = round % 2 === 0 ? services : [...services].reverse();
    for (const { mode, service } of order) {
      const pid = service.process.child.pid!;
      const cpuBefore = cpuMs(pid);
      const result = await load(service, durationSeconds);
      const cpu = cpuMs(pid) - cpuBefore;
      if (result['2xx'] === 0) throw new Error(`${mode.title}: no order succeeded`);
      runs.get(mode.title)!.push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMsPerRequest: cpu / result['2xx'] });
      console.log(`round ${round + 1} ${mode.title.padEnd(26)} ${result.requests.average.toFixed(0).padStart(6)} orders/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ${(cpu / result['2xx']).toFixed(2)} ms CPU/order  non-2xx ${result.non2xx}`);
    }
  }
  for (const { mode, service, memoryFile } of services) memory.set(mode.title, await memoryOf(service, memoryFile));

  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const off = runs.get(modes[0]!.title)!;
  const base = { rps: mean(off.map((r) => r.rps)), p50: mean(off.map((r) => r.p50)), p99: mean(off.map((r) => r.p99)), cpu: mean(off.map((r) => r.cpuMsPerRequest)) };
  const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;
  console.log(`\n${'mode'.padEnd(26)} ${'orders/s'.padStart(9)} ${'vs off'.padStart(7)} ${'p50 vs off'.padStart(11)} ${'p99 vs off'.padStart(11)} ${'CPU/order'.padStart(10)} ${'heap'.padStart(8)} ${'RSS'.padStart(8)}`);
  for (const mode of modes) {
    const r = runs.get(mode.title)!;
    const rps = mean(r.map((x) => x.rps));
    const m = memory.get(mode.title)!;
    console.log(
      `${mode.title.padEnd(26)} ${rps.toFixed(0).padStart(9)} ${(rps / base.rps).toFixed(3).padStart(7)} ${(mean(r.map((x) => x.p50)) / Math.max(base.p50, 1)).toFixed(2).padStart(11)} ${(mean(r.map((x) => x.p99)) / Math.max(base.p99, 1)).toFixed(2).padStart(11)} ${`${mean(r.map((x) => x.cpuMsPerRequest)).toFixed(2)} ms`.padStart(10)} ${mib(m.heapUsed).padStart(8)} ${mib(m.rss).padStart(8)}`,
    );
  }
  const ratio = (title: string): number => mean(runs.get(title)!.map((x) => x.rps)) / base.rps;
  console.log(`bar: metrics on/off ${ratio('metrics only').toFixed(3)} (>= 0.95)  traces 10%/off ${ratio('metrics + traces 10%').toFixed(3)} (>= 0.85)`);

  // One scrape: time and service CPU per GET /metrics of the metrics-only service, idle.
  const metricsService = services.find((s) => s.mode.title === 'metrics only')!.service;
  const scrapes = 100;
  const pid = metricsService.process.child.pid!;
  const before = cpuMs(pid);
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) bytes = (await (await fetch(metricsService.metricsUrl)).text()).length;
  console.log(`one scrape of /metrics: ${((performance.now() - started) / scrapes).toFixed(2)} ms, ${((cpuMs(pid) - before) / scrapes).toFixed(2)} ms service CPU, ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(`OTLP receiver: ${receiver.requests.get('/v1/traces') ?? 0} trace exports, decode errors ${receiver.errors.length}`);
} finally {
  await Promise.allSettled(services.map((s) => s.service.stop()));
  await receiver.close();
  rmSync(scratch, { recursive: true, force: true });
}
