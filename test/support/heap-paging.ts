// The heap pages measured against processes that really die: `npm start`'s own stack (real Prometheus,
// Alertmanager, relay, Slack stand-in; shipped rules and intervals) with its replicas capped at
// --max-old-space-size=256. Replica 2 leaks through POST /admin/faults/heap (1 MiB a request, on a timer) under
// light order traffic until V8 kills it; meanwhile a third replica with a small old generation (its own live set
// fills about two thirds of it) serves the same traffic, healthy near its limit. Used by
// test/heap-leak-paging.test.ts (fast leak, short healthy run) and prometheus/heap-paging-proof.ts (slow leak,
// 10-minute healthy run).
import { freePort } from '../../common/free-port.ts';
import { startOrderService, type OrderServiceProcess } from '../../stack/order-service-process.ts';
import type { RunningStack } from '../../stack/stack.ts';
import { startOrderTraffic, type OrderTraffic } from './order-traffic.ts';
import { slackPages, type SlackPage } from './slack-pages.ts';
import { startTestStack } from './test-stack.ts';
import { waitFor } from '../../common/wait-for.ts';

/** Every alert about the heap (all of them are inhibited by a death, and keep firing after it). */
export const heapAlerts = ['NodeHeapNearLimit', 'NodeHeapExhaustionImminent', 'NodeHeapExhaustionPredicted', 'NodeHeapRetainedAfterGCHigh', 'NodeGCOverheadLimit'] as const;
/** What says a replica died. */
export const deathAlerts = ['InstanceDown', 'NodeProcessRestarted'] as const;

export interface HeapPagingOptions {
  /** Leak rate in MiB a second (1 MiB a request). */
  leakMiBPerSecond: number;
  /** --max-old-space-size of the healthy replica; its live set (about 24 MiB) should fill most of it. */
  healthyOldSpaceMiB: number;
  /** Keep watching the healthy replica at least this long (from its first scrape). */
  healthyMinSeconds: number;
  log?: (line: string) => void;
}

export interface HeapPagingResult {
  leakStartedAt: number;
  diedAt: number;
  /** How the leaking process ended (exit code or signal) and V8's fatal error line, if it wrote one. */
  exit: number | NodeJS.Signals;
  fatalError: string | undefined;
  firstHeapPage: SlackPage | undefined;
  /** First page saying the leaking replica died. */
  deathPage: SlackPage | undefined;
  /** RESOLVED heap notifications for the leaking replica that arrived before deathPage (must be none). */
  resolvedBeforeDeathPage: SlackPage[];
  /** Heap pages about the healthy replica (must be none). */
  healthyHeapPages: SlackPage[];
  /** Heap alerts of any severity that fired for the healthy replica in Prometheus (must be none). */
  healthyHeapAlerts: string[];
  /** Pages of any alert that do not name the leaking replica (false pages: must be none). */
  otherPages: string[];
  /** The healthy replica's old generation at its highest, used and retained after GC, as shares of its limit. */
  healthyPeak: { used: number; retained: number };
  healthySeconds: number;
}

async function query(stack: RunningStack, expr: string): Promise<number | undefined> {
  const response = await fetch(`${stack.prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

export async function runHeapPaging(options: HeapPagingOptions): Promise<HeapPagingResult> {
  const log = options.log ?? (() => {});
  // The launcher's own heap cap (and its default near-heap-limit snapshot and restart of a replica that died).
  const stack = await startTestStack({ replicas: 2, faultInjection: true, stackEnv: { ORDER_SERVICE_MAX_OLD_SPACE_MB: '256' } });
  const traffic: OrderTraffic[] = [];
  let healthy: OrderServiceProcess | undefined;
  let leakTimer: NodeJS.Timeout | undefined;
  try {
    const leaky = stack.orderServices[1]!;
    const leakyInstance = new URL(leaky.metricsUrl).host;
    // The healthy replica: its own database (the stack's is the first replica's), a small old generation.
    healthy = await startOrderService({
      name: 'healthy-near-limit',
      nodeArgs: [`--max-old-space-size=${options.healthyOldSpaceMiB}`],
      env: { EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    });
    const healthyInstance = new URL(healthy.metricsUrl).host;
    stack.prometheus.setTargets('order-service', [...stack.orderServices.map((s) => new URL(s.metricsUrl).host), healthyInstance]);
    traffic.push(...[...stack.orderServices, healthy].map((s) => startOrderTraffic(s.apiUrl, { perSecond: 2, maxInFlight: 10 })));

    const limitOf = (instance: string) => `max(v8js_memory_heap_old_generation_limit_bytes{instance="${instance}"})`;
    await waitFor(async () => (await query(stack, `max(v8js_memory_heap_old_generation_used_after_gc_bytes{instance="${leakyInstance}"})`)) !== undefined, {
      what: 'the leaking replica scraped, with its old generation after GC',
      timeoutMs: 120_000,
    });
    const leakyLimit = (await query(stack, limitOf(leakyInstance)))!;
    log(`leaking replica ${leakyInstance}: old-generation limit ${(leakyLimit / 2 ** 20).toFixed(0)} MiB`);
    let healthyFirstSeen: number | undefined;
    await waitFor(
      async () => {
        if ((await query(stack, limitOf(healthyInstance))) === undefined) return false;
        healthyFirstSeen ??= Date.now();
        return true;
      },
      { what: 'the healthy replica scraped', timeoutMs: 120_000 },
    );

    // The leak: 1 MiB a request, at most a few requests in flight (a dying process answers slowly).
    // The process that leaks (the launcher restarts the replica as a new one once it has died).
    const leakyProcess = leaky.process;
    const died = leakyProcess.exited.then((exit) => ({ exit, at: Date.now() }));
    let inFlight = 0;
    const leakStartedAt = Date.now();
    leakTimer = setInterval(() => {
      if (inFlight >= 4) return;
      inFlight++;
      void fetch(`${leaky.apiUrl}/admin/faults/heap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ megabytes: 1 }), signal: AbortSignal.timeout(10_000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined)
        .finally(() => inFlight--);
    }, 1000 / options.leakMiBPerSecond);
    log(`leaking ${options.leakMiBPerSecond} MiB/s into ${leakyInstance}`);

    // The healthy replica's peak, sampled while everything runs.
    const healthyPeak = { used: 0, retained: 0 };
    const sampleHealthy = async (): Promise<void> => {
      const used = await query(stack, `max(v8js_memory_heap_old_generation_used_bytes{instance="${healthyInstance}"}) / ${limitOf(healthyInstance)}`);
      const retained = await query(stack, `max(v8js_memory_heap_old_generation_used_after_gc_bytes{instance="${healthyInstance}"}) / ${limitOf(healthyInstance)}`);
      healthyPeak.used = Math.max(healthyPeak.used, used ?? 0);
      healthyPeak.retained = Math.max(healthyPeak.retained, retained ?? 0);
    };
    const sampler = setInterval(() => void sampleHealthy().catch(() => undefined), 5000);

    const death = await died;
    clearInterval(leakTimer);
    leakTimer = undefined;
    log(`leaking replica exited (${String(death.exit)}) ${((death.at - leakStartedAt) / 1000).toFixed(1)} s after the leak began`);
    const deathPage = await waitFor(() => slackPages(stack.slackStandIn!, { instance: leakyInstance, alertnames: deathAlerts, status: 'firing', after: death.at })[0], {
      what: 'a page saying the leaking replica died',
      timeoutMs: 180_000,
      intervalMs: 200,
    }).catch(() => undefined);
    const firstHeapPage = slackPages(stack.slackStandIn!, { instance: leakyInstance, alertnames: heapAlerts, status: 'firing' })[0];
    const resolvedBeforeDeathPage = slackPages(stack.slackStandIn!, { instance: leakyInstance, alertnames: heapAlerts, status: 'resolved' }).filter(
      (page) => deathPage === undefined || page.at < deathPage.at,
    );

    // Keep the healthy replica under watch for its minimum time, then a last evaluation's worth more.
    const healthyUntil = (healthyFirstSeen ?? Date.now()) + options.healthyMinSeconds * 1000;
    await waitFor(() => Date.now() >= healthyUntil, { what: 'the healthy run', timeoutMs: options.healthyMinSeconds * 1000 + 60_000, intervalMs: 1000 });
    clearInterval(sampler);
    await sampleHealthy().catch(() => undefined);
    const healthyHeapPages = slackPages(stack.slackStandIn!, { instance: healthyInstance, alertnames: heapAlerts });
    const window = `${Math.ceil((Date.now() - (healthyFirstSeen ?? Date.now())) / 1000) + 30}s`;
    const firing = await fetch(
      `${stack.prometheus.url}/api/v1/query?query=${encodeURIComponent(`max_over_time(ALERTS{instance="${healthyInstance}", alertstate="firing", alertname=~"${heapAlerts.join('|')}"}[${window}])`)}`,
    );
    const healthyHeapAlerts = ((await firing.json()) as { data: { result: Array<{ metric: Record<string, string> }> } }).data.result.map(
      (r) => `${r.metric.alertname}/${r.metric.severity}`,
    );
    const otherPages = stack.slackStandIn!.received
      .filter((request) => request.status === 200 && !request.raw.includes(leakyInstance))
      .map((request) => String((request.payload as { text?: unknown } | undefined)?.text));
    return {
      otherPages,
      leakStartedAt,
      diedAt: death.at,
      exit: death.exit,
      fatalError: leakyProcess.output().split('\n').find((line) => line.includes('FATAL ERROR')),
      firstHeapPage,
      deathPage,
      resolvedBeforeDeathPage,
      healthyHeapPages,
      healthyHeapAlerts,
      healthyPeak,
      healthySeconds: (Date.now() - (healthyFirstSeen ?? Date.now())) / 1000,
    };
  } finally {
    if (leakTimer !== undefined) clearInterval(leakTimer);
    await Promise.allSettled(traffic.map((t) => t.stop()));
    await Promise.allSettled([healthy?.stop(), stack.stop()]);
  }
}
