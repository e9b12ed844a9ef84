// `npm run bench`: what telemetry costs the order service at saturation, side by side in one run against the same
// service with telemetry off (OTEL_SDK_DISABLED=true): metrics only (the default), and metrics plus traces
// sampled at 10% and 100% exported over OTLP/HTTP to a receiver that decodes every export. For each: throughput
// and p50/p99 latency as ratios to off, service CPU per request, heap used and RSS after the load; and the cost
// of one scrape of /metrics. Modes run interleaved in short slices, BENCH_ROUNDS times (default 6), and every ratio
// is taken against the off run of the same round, so the drift of a shared machine hits all modes alike; the
// table shows the median and the range over rounds. Main-thread CPU per order is also measured at a fixed 200
// orders/s: CPU time moves far less with a noisy neighbour than throughput does. Every slice starts with every
// service idle (the orders of the last slice processed).
// Then the same number of rounds side by side: every mode loaded at once (8 connections each), so the host's
// noise hits all alike; and side by side at a fixed 100 orders/s each, where each mode's CPU per order is read over
// the same seconds. A second service with telemetry off runs as a control: its ratios to the first are the noise
// floor of every ratio in the run. BENCH_TELEMETRY_ATTRIBUTION=1 adds metrics-only runs with one instrumentation switched off at a time, to see
// what costs most.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../common/wait-for.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';
import { processCpuMs } from './support/cpu-time.ts';
import { loadOrders } from './support/order-load.ts';
import { telemetryModes, type TelemetryMode } from './support/telemetry-modes.ts';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const connections = 16;
const receiver = await startOtlpReceiver({ keep: false });
const scratch = mkdtempSync(join(tmpdir(), 'telemetry-cost-'));

const modes: Array<Omit<TelemetryMode, 'key'>> = [
  ...telemetryModes(receiver.url),
  // A second service with telemetry off: its ratio to the first is what this host's noise alone makes of a ratio.
  { title: 'off again (control)', env: { OTEL_SDK_DISABLED: 'true' } },
  ...(process.env.BENCH_TELEMETRY_ATTRIBUTION === '1'
    ? ['http', 'express', 'pg', 'runtime-node'].map((name) => ({ title: `metrics, ${name} off`, env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: name } }))
    : []),
];
type Mode = (typeof modes)[number];

interface Run {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  /** Main-thread CPU per order at a fixed 200 orders/s, each order's processing included. */
  cpuMsAtFixedRate: number;
}
const runs = new Map<string, Run[]>(modes.map((m) => [m.title, []]));
const memory = new Map<string, { heapUsed: number; rss: number }>();

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

const load = (service: OrderServiceProcess, duration: number, extra: Record<string, unknown> = {}) => loadOrders(service.apiUrl, duration, { connections, ...extra });

/**
 * Waits until none of the services uses more than 2% of a core: orders accepted at saturation are processed in
 * the background for seconds after the load stops, and that work must not fall into the next mode's slice
 * (it did: the mode run after a busy one lost up to half its throughput).
 */
async function untilIdle(pids: number[]): Promise<void> {
  const windowMs = 500;
  await waitFor(
    async () => {
      const before = pids.map((pid) => processCpuMs(pid));
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      return pids.every((pid, i) => processCpuMs(pid) - before[i]! <= 0.02 * windowMs);
    },
    { what: 'every service idle (its backlog of orders processed)', timeoutMs: 180_000, intervalMs: 0 },
  );
}

const services: Array<{ mode: Mode; service: OrderServiceProcess; memoryFile: string }> = [];
try {
  for (const [i, mode] of modes.entries()) {
    const memoryFile = join(scratch, `memory-${i}.json`);
    const service = await startOrderService({
      name: `telemetry-cost-${i}`,
      nodeArgs: ['--import', './bench/support/memory-report.ts'],
      env: { DB_POOL_MAX: '10', WORKER_QUEUE_MAX: '10000', LOG_LEVEL: 'error', BENCH_MEMORY_FILE: memoryFile, ...mode.env },
    });
    services.push({ mode, service, memoryFile });
    await load(service, 2); // warm-up: JIT, pool connections, worker threads
  }
  const pids = services.map((s) => s.service.process.child.pid!);
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round, so no mode always runs right after the same neighbour.
    const order = round % 2 === 0 ? services : [...services].reverse();
    for (const { mode, service } of order) {
      await untilIdle(pids);
      const pid = service.process.child.pid!;
      const cpuBefore = processCpuMs(pid);
      const result = await load(service, durationSeconds);
      // CPU per order counts each order's whole life: its request, and its processing after the load stopped.
      await untilIdle([pid]);
      const cpu = processCpuMs(pid) - cpuBefore;
      if (result['2xx'] === 0) throw new Error(`${mode.title}: no order succeeded`);
      // The main thread (its id is the process id) is what saturates first: telemetry's cost there is what
      // throughput loses, and CPU time, unlike throughput, barely moves with a noisy neighbour.
      await untilIdle(pids);
      const fixedBefore = processCpuMs(pid, pid);
      const fixed = await load(service, 4, { connections: 8, overallRate: 200 });
      await untilIdle([pid]);
      const cpuMsAtFixedRate = (processCpuMs(pid, pid) - fixedBefore) / Math.max(fixed['2xx'], 1);
      runs.get(mode.title)!.push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMsPerRequest: cpu / result['2xx'], cpuMsAtFixedRate });
      console.log(
        `round ${round + 1} ${mode.title.padEnd(26)} ${result.requests.average.toFixed(0).padStart(6)} orders/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ${(cpu / result['2xx']).toFixed(2)} ms CPU/order (main thread ${cpuMsAtFixedRate.toFixed(2)} ms at 200/s)  non-2xx ${result.non2xx}`,
      );
    }
  }
  // Side by side: every mode loaded at once, so the host's noise (which moves a slice's throughput by 20-40% here)
  // hits them alike; with the cores shared, each mode's throughput follows its CPU cost per order.
  const sideBySide = new Map<string, number[]>(modes.map((m) => [m.title, []]));
  for (let round = 0; round < rounds; round++) {
    await untilIdle(pids);
    const results = await Promise.all(services.map(({ service }) => load(service, durationSeconds, { connections: 8 })));
    results.forEach((result, i) => sideBySide.get(services[i]!.mode.title)!.push(result.requests.average));
    console.log(`side by side, round ${round + 1}: ${results.map((r, i) => `${services[i]!.mode.title} ${r.requests.average.toFixed(0)}`).join(', ')}`);
  }
  // Side by side at a fixed rate: every mode at 100 orders/s at once, below saturation, each service's CPU per
  // order read over the same seconds. The vCPUs' speed here moves several-fold from one minute to the next, and
  // that hits every mode at once; CPU per order is what throughput at saturation follows.
  const fixedSideBySide = new Map<string, Array<{ main: number; process: number }>>(modes.map((m) => [m.title, []]));
  for (let round = 0; round < rounds; round++) {
    await untilIdle(pids);
    const before = services.map(({ service }) => ({ main: processCpuMs(service.process.child.pid!, service.process.child.pid!), process: processCpuMs(service.process.child.pid!) }));
    const results = await Promise.all(services.map(({ service }) => load(service, 6, { connections: 4, overallRate: 100 })));
    await untilIdle(pids);
    services.forEach(({ mode, service }, i) => {
      const pid = service.process.child.pid!;
      const orders = Math.max(results[i]!['2xx'], 1);
      fixedSideBySide.get(mode.title)!.push({ main: (processCpuMs(pid, pid) - before[i]!.main) / orders, process: (processCpuMs(pid) - before[i]!.process) / orders });
    });
    console.log(`side by side at 100/s each, round ${round + 1}: ${services.map(({ mode }) => `${mode.title} ${fixedSideBySide.get(mode.title)!.at(-1)!.main.toFixed(2)} ms main-thread CPU/order`).join(', ')}`);
  }
  for (const { mode, service, memoryFile } of services) memory.set(mode.title, await memoryOf(service, memoryFile));

  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const off = runs.get(modes[0]!.title)!;
  /** Per round, the mode's figure over the off run of the same round: median [min-max]. */
  const ratio = (title: string, pick: (r: Run) => number): { median: number; min: number; max: number } => {
    const ratios = runs.get(title)!.map((r, i) => pick(r) / Math.max(pick(off[i]!), 1e-9));
    return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  };
  const show = (r: { median: number; min: number; max: number }, digits = 2): string => `${r.median.toFixed(digits)} [${r.min.toFixed(digits)}-${r.max.toFixed(digits)}]`;
  const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;
  console.log(`\nmedian [range] over ${rounds} rounds, ratios against telemetry off in the same round`);
  console.log(`${'mode'.padEnd(26)} ${'orders/s'.padStart(8)}  ${'throughput vs off'.padEnd(20)} ${'p50 vs off'.padEnd(18)} ${'p99 vs off'.padEnd(18)} ${'CPU/order'.padEnd(10)} ${'main 200/s'.padEnd(10)} ${'heap'.padStart(8)} ${'RSS'.padStart(8)}`);
  for (const mode of modes) {
    const r = runs.get(mode.title)!;
    const m = memory.get(mode.title)!;
    console.log(
      `${mode.title.padEnd(26)} ${median(r.map((x) => x.rps)).toFixed(0).padStart(8)}  ${show(ratio(mode.title, (x) => x.rps), 3).padEnd(20)} ${show(ratio(mode.title, (x) => x.p50)).padEnd(18)} ${show(ratio(mode.title, (x) => x.p99)).padEnd(18)} ${`${median(r.map((x) => x.cpuMsPerRequest)).toFixed(2)} ms`.padEnd(10)} ${`${median(r.map((x) => x.cpuMsAtFixedRate)).toFixed(2)} ms`.padEnd(10)} ${mib(m.heapUsed).padStart(8)} ${mib(m.rss).padStart(8)}`,
    );
  }
  // Main-thread CPU per order against off, per round: off / mode is the throughput it implies.
  const mainThread = (title: string) => ratio(title, (x) => x.cpuMsAtFixedRate);
  for (const mode of modes.slice(1)) {
    const r = mainThread(mode.title);
    console.log(`${mode.title.padEnd(26)} main-thread CPU per order vs off ${show(r)}: implied throughput vs off ${(1 / r.median).toFixed(3)}`);
  }
  const offSideBySide = sideBySide.get(modes[0]!.title)!;
  const sideRatio = (title: string) => {
    const ratios = sideBySide.get(title)!.map((v, i) => v / Math.max(offSideBySide[i]!, 1e-9));
    return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  };
  for (const mode of modes.slice(1)) console.log(`${mode.title.padEnd(26)} side by side, throughput vs off ${show(sideRatio(mode.title), 3)}`);
  const offFixed = fixedSideBySide.get(modes[0]!.title)!;
  const fixedRatio = (title: string, pick: (x: { main: number; process: number }) => number) => {
    const ratios = fixedSideBySide.get(title)!.map((x, i) => pick(offFixed[i]!) / Math.max(pick(x), 1e-9));
    return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  };
  for (const mode of modes.slice(1)) {
    console.log(
      `${mode.title.padEnd(26)} side by side at 100/s, CPU per order off / mode: main thread ${show(fixedRatio(mode.title, (x) => x.main), 3)}, whole process ${show(fixedRatio(mode.title, (x) => x.process), 3)}`,
    );
  }
  const bar = (title: string): string =>
    `${ratio(title, (x) => x.rps).median.toFixed(3)} in turn, ${sideRatio(title).median.toFixed(3)} side by side, ${fixedRatio(title, (x) => x.main).median.toFixed(3)} by main-thread CPU side by side`;
  console.log(`bar: metrics on/off ${bar('metrics only')} (>= 0.95)  traces 10%/off ${bar('metrics + traces 10%')} (>= 0.85)  noise floor, off again/off ${bar('off again (control)')}`);

  // One scrape: time and service CPU per GET /metrics of the metrics-only service, idle.
  const metricsService = services.find((s) => s.mode.title === 'metrics only')!.service;
  const scrapes = 100;
  const pid = metricsService.process.child.pid!;
  const before = processCpuMs(pid);
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) bytes = (await (await fetch(metricsService.metricsUrl)).text()).length;
  console.log(`one scrape of /metrics: ${((performance.now() - started) / scrapes).toFixed(2)} ms, ${((processCpuMs(pid) - before) / scrapes).toFixed(2)} ms service CPU, ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(`OTLP receiver: ${receiver.requests.get('/v1/traces') ?? 0} trace exports received`);
} finally {
  await Promise.allSettled(services.map((s) => s.service.stop()));
  await receiver.close();
  rmSync(scratch, { recursive: true, force: true });
}
