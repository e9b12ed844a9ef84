// One replay of the seed incident against `npm start`'s own stack on loopback (free ports, temp data dir), with
// overload protection off or on: steady orders all along; then, at the fault's onset, the database slows (every
// pool connection held: db-hold), memory climbs towards the 256 MiB heap limit (a 2 MiB/s leak, and every order
// request holding 64 KiB until it is answered, as the seed's backlog did), and a surge far above capacity
// arrives. Prints a timeline as it goes (onset, every page and email with its delay, deaths and restarts,
// recovery) and returns the figures the summary compares with the seed's.
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { freePort } from '../common/free-port.ts';
import { waitFor } from '../common/wait-for.ts';
import type { RunningStack } from '../stack/stack.ts';
import { runSurge, type SurgeResult } from '../test/support/surge-load.ts';
import { startTestStack } from '../test/support/test-stack.ts';
import { startSteadyOrders, type SteadyAnswer } from './steady-orders.ts';

export interface ReplayPlan {
  protection: boolean;
  /** Steady orders before the onset. */
  baselineSeconds: number;
  /** How long the surge and the leak last. */
  faultSeconds: number;
  /** The database slows at the onset: every pool connection held this long. */
  poolHoldSeconds: number;
  surgeRate: number;
  surgeConnections: number;
  leakMbPerSecond: number;
  /** The leak stops after this many MiB (the climb towards the limit; the backlog does the rest when unprotected). */
  leakMaxMb: number;
  /** What each order request holds until answered: KiB at the onset, doubling every doublingSeconds up to a cap. */
  requestMemory: { kilobytes: number; doublingSeconds: number; upToKilobytes: number };
  steadyPerSecond: number;
  /** After the fault: how long to wait for recovery (steady orders all 201 again) and the backlog to finish. */
  recoverySeconds: number;
  heapLimitMb: number;
  dbPoolMax: number;
}

export const fullPlan = (protection: boolean): ReplayPlan => ({
  protection,
  baselineSeconds: 20,
  faultSeconds: 70,
  poolHoldSeconds: 30,
  surgeRate: 600,
  surgeConnections: 1000,
  leakMbPerSecond: 2,
  leakMaxMb: 140,
  requestMemory: { kilobytes: 32, doublingSeconds: 10, upToKilobytes: 2048 },
  steadyPerSecond: 10,
  recoverySeconds: 90,
  heapLimitMb: 256,
  dbPoolMax: 10,
});

/** A shorter replay (the test's): the same faults, a 45-second surge, the pool held 30 s. */
export const shortPlan = (protection: boolean): ReplayPlan => ({ ...fullPlan(protection), baselineSeconds: 10, faultSeconds: 45, poolHoldSeconds: 30, leakMaxMb: 90, recoverySeconds: 60 });

export interface TimelineEvent {
  at: number;
  what: string;
  kind: 'onset' | 'page' | 'email' | 'death' | 'restart' | 'recovered' | 'end' | 'phase';
}

export interface ReplayFigures {
  protection: boolean;
  startedAt: number;
  onsetAt: number;
  faultEndAt: number;
  endedAt: number;
  firstPageAt: number | undefined;
  firstPageText: string | undefined;
  recoveredAt: number | undefined;
  deaths: Array<{ at: number; reason: string }>;
  timeline: TimelineEvent[];
  surge: SurgeResult | undefined;
  steady: { sent: number; created: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Order requests of both clients during the fault and after it, and those not answered 201. */
  ordersSent: number;
  ordersFailed: number;
  /** 201s the clients got vs rows stored for their customers. */
  acknowledged: number;
  stored: number;
  /** Answered 201 and not stored (steady orders exactly; surge: 201s beyond its rows). */
  lost: number;
  /** Steady orders stored twice: a first try stored although its client saw it fail, then the retry. */
  duplicated: number;
  /** Surge orders stored although their client saw no 201 (it gave up after 10 s, or was cut off at the end). */
  surgeStoredUnacknowledged: number;
  /** Orders the reconciler failed as stuck in PROCESSING. */
  stuckProcessing: number;
  /** Orders still PENDING/PROCESSING when the replay stopped waiting for the backlog (3 minutes). */
  stillOpen: number;
  heapPeakBytes: number | undefined;
  heapLimitBytes: number | undefined;
  prometheusUrl: string;
  alertmanagerUrl: string;
  relayOutbox: string;
}

export interface ReplayHooks {
  /** Each timeline event as it happens. */
  onEvent(event: TimelineEvent, figures: { onsetAt: number | undefined }): void;
  /** The progress line, about once a second. */
  onProgress(line: string): void;
  /** The stack is up (a Ctrl-C handler stops it). */
  onStackStarted?(stack: RunningStack): void;
  /** Called with the stack still up, before it stops (the report is written from it). */
  beforeStop?(figures: ReplayFigures, stack: RunningStack): Promise<void>;
}

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

function pageText(payload: unknown): string {
  const text = (payload as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').slice(0, 140) : '(no text)';
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
}

async function scrapeSum(metricsUrl: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })).text();
    let total: number | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  } catch {
    return undefined;
  }
}

export async function runReplay(plan: ReplayPlan, hooks: ReplayHooks): Promise<ReplayFigures> {
  const label = plan.protection ? 'on' : 'off';
  const timeline: TimelineEvent[] = [];
  let onsetAt: number | undefined;
  const event = (kind: TimelineEvent['kind'], what: string, at = Date.now()): void => {
    const e = { at, what, kind };
    timeline.push(e);
    hooks.onEvent(e, { onsetAt });
  };
  const deaths: ReplayFigures['deaths'] = [];
  // The supervisor's own log tells deaths and restarts (why it died: "heap limit" from V8's last words).
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; component?: string; reason?: string; time?: number };
          if (entry.component?.startsWith('order-service') && entry.msg?.includes(' died ')) {
            deaths.push({ at: entry.time ?? Date.now(), reason: entry.reason ?? 'unknown' });
            event('death', `${entry.component} died (${entry.reason ?? 'unknown'})`, entry.time ?? Date.now());
          } else if (entry.component?.startsWith('order-service') && entry.msg?.endsWith(' restarted')) {
            event('restart', `${entry.component} restarted by the supervisor`, entry.time ?? Date.now());
          }
        } catch {
          // not JSON: not the supervisor's
        }
      }
      done();
    },
  });
  const pgPort = await freePort();
  const stack = await startTestStack({
    replicas: 1,
    faultInjection: true,
    log: pino({ level: 'warn' }, logStream),
    stackEnv: { ORDER_SERVICE_MAX_OLD_SPACE_MB: String(plan.heapLimitMb), EMBEDDED_PG_PORT: String(pgPort), HEAP_SNAPSHOT_COUNT: '0' },
    serviceEnv: { OVERLOAD_PROTECTION: String(plan.protection), DB_POOL_MAX: String(plan.dbPoolMax), LOG_LEVEL: 'error' },
    relayEnv: { RELAY_DIGEST_SECONDS: '20', LOG_LEVEL: 'error' },
    restartBackoff: { initialMs: 1_000, factor: 2, maxMs: 10_000, resetAfterMs: 60_000 },
  });
  hooks.onStackStarted?.(stack);
  const db = new pg.Pool({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/orders`, max: 2, connectionTimeoutMillis: 3_000 });
  db.on('error', () => {}); // the database goes down with the replica that owns it; queries retry
  const service = stack.orderServices[0]!;
  const startedAt = Date.now();
  const runId = `replay-${label}-${startedAt}`;
  const steady = startSteadyOrders(service.apiUrl, `${runId}-steady`, plan.steadyPerSecond);
  const stopping = new AbortController();
  let heapPeak: number | undefined;
  let heapNow: number | undefined;
  let heapLimit: number | undefined;
  let phase = 'baseline';
  let surge: SurgeResult | undefined;
  let recoveredAt: number | undefined;
  const seenPages = { slack: 0, email: 0 };
  let firstPage: { at: number; text: string } | undefined;

  // Watchers: pages, emails, heap, and the progress line.
  const watcher = (async () => {
    while (!stopping.signal.aborted) {
      const slack = stack.slackStandIn?.received ?? [];
      for (; seenPages.slack < slack.length; seenPages.slack++) {
        const request = slack[seenPages.slack]!;
        if (request.status !== 200) continue;
        const text = pageText(request.payload);
        if (firstPage === undefined && !/Watchdog/i.test(text)) firstPage = { at: request.at, text };
        event('page', `Slack page: ${text}`, request.at);
      }
      const mails = stack.smtpSink?.received ?? [];
      for (; seenPages.email < mails.length; seenPages.email++) {
        const mail = mails[seenPages.email]!;
        event('email', `email: ${mail.parsed.subject ?? '(no subject)'}`, mail.at);
      }
      const heap = await scrapeSum(service.metricsUrl, 'v8js_memory_heap_old_generation_used_bytes');
      heapNow = heap;
      if (heap !== undefined) heapPeak = Math.max(heapPeak ?? 0, heap);
      heapLimit ??= await scrapeSum(service.metricsUrl, 'v8js_memory_heap_old_generation_limit_bytes');
      const a = steady.answers;
      const recent = a.filter((x) => x.at > Date.now() - 5_000);
      const ok = recent.filter((x) => x.status === 201).length;
      const since = onsetAt === undefined ? `t-${Math.round((startedAt + plan.baselineSeconds * 1000 - Date.now()) / 1000)}s` : `t+${Math.round((Date.now() - onsetAt) / 1000)}s`;
      hooks.onProgress(
        `[protection ${label}] ${since} ${phase}: steady orders ok ${ok}/${recent.length} (last 5 s), heap ${heap === undefined ? 'down' : `${Math.round(heap / 2 ** 20)} MiB`}` +
          `${heapLimit ? ` of ${Math.round(heapLimit / 2 ** 20)}` : ''}, pages ${seenPages.slack}, emails ${seenPages.email}, deaths ${deaths.length}`,
      );
      await delay(1_000, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  let figures: ReplayFigures | undefined;
  try {
    await delay(plan.baselineSeconds * 1000);
    // The onset: the database slows (every connection held), memory climbs, the surge arrives.
    onsetAt = Date.now();
    phase = 'fault';
    event('onset', `fault onset: DB pool held (${plan.dbPoolMax} connections, ${plan.poolHoldSeconds} s), heap leak ${plan.leakMbPerSecond} MiB/s up to ${plan.leakMaxMb} MiB, ${plan.requestMemory.kilobytes} KiB held per order request until answered, doubling every ${plan.requestMemory.doublingSeconds} s up to ${plan.requestMemory.upToKilobytes} KiB, surge ${plan.surgeRate}/s over ${plan.surgeConnections} connections`);
    const admin = service.apiUrl;
    await post(`${admin}/admin/faults/db-hold`, { connections: plan.dbPoolMax, seconds: plan.poolHoldSeconds });
    // Memory per waiting request climbs over the fault (run by the service: a loaded one answers admin calls late),
    // so the backlog's memory climbs over a minute, not at once.
    await post(`${admin}/admin/faults/request-memory`, plan.requestMemory);
    surge = await runSurge({
      apiUrl: service.apiUrl,
      customer: `${runId}-surge`,
      connections: plan.surgeConnections,
      rate: plan.surgeRate,
      amount: plan.surgeRate * plan.faultSeconds,
      durationSeconds: plan.faultSeconds,
      timeoutSeconds: 10,
    });
    const faultEndAt = Date.now();
    phase = 'recovery';
    event('phase', `surge over: ${surge.created} surge orders answered 201 (${JSON.stringify(surge.statuses)}, ${surge.unanswered} unanswered)`);

    // Recovered: steady orders all answered 201 for 10 s in a row (after the surge).
    const cleanFor = 10_000;
    await waitFor(
      () => {
        const tail = steady.answers.filter((a) => a.at >= faultEndAt);
        const lastBad = tail.findLast((a) => a.status !== 201);
        const firstGood = tail.find((a) => a.status === 201 && (lastBad === undefined || a.at > lastBad.at));
        if (firstGood && Date.now() - firstGood.at >= cleanFor && steady.answers.some((a) => a.at > Date.now() - 2_000 && a.status === 201)) {
          // When nothing failed after the surge, the service recovered when the first steady order after the onset's last failure succeeded.
          const failuresSinceOnset = steady.answers.filter((a) => a.at >= onsetAt! && a.status !== 201);
          const lastFailure = failuresSinceOnset.at(-1);
          const recovered = lastFailure === undefined ? onsetAt! : (steady.answers.find((a) => a.at > lastFailure.at && a.status === 201)?.at ?? firstGood.at);
          return recovered;
        }
        return undefined;
      },
      { what: 'steady orders to succeed again', timeoutMs: plan.recoverySeconds * 1000, intervalMs: 500 },
    ).then(
      (at) => {
        recoveredAt = at;
        event('recovered', 'recovered: steady orders answered 201 again', at);
      },
      () => event('phase', `not recovered within ${plan.recoverySeconds} s`),
    );
    await steady.stop();

    // The backlog: accepted orders leave PENDING/PROCESSING (the reconciler resumes what a dead process left).
    const steadyPrefix = `${runId}-steady-`;
    const surgeCustomer = `${runId}-surge`;
    const counts = async (): Promise<{ stored: number; open: number; surgeStored: number }> => {
      const { rows } = await db.query<{ stored: number; open: number; surge_stored: number }>(
        `SELECT count(*)::int AS stored, count(*) FILTER (WHERE status IN ('PENDING','PROCESSING'))::int AS open,
                count(*) FILTER (WHERE customer = $2)::int AS surge_stored
           FROM orders WHERE customer LIKE $1 || '%' OR customer = $2`,
        [steadyPrefix, surgeCustomer],
      );
      return { stored: rows[0]!.stored, open: rows[0]!.open, surgeStored: rows[0]!.surge_stored };
    };
    phase = 'backlog';
    const drained = await waitFor(async () => ((await counts()).open === 0 ? true : undefined), { what: 'the backlog', timeoutMs: 180_000, intervalMs: 1_000 }).catch(() => false);
    const { stored, open, surgeStored } = await waitFor(() => counts(), { what: 'the order counts', timeoutMs: 60_000, intervalMs: 1_000 });
    const perOrder = await db.query<{ customer: string; n: number }>(`SELECT customer, count(*)::int AS n FROM orders WHERE customer LIKE $1 || '%' GROUP BY customer`, [steadyPrefix]);
    const storedSteady = new Map(perOrder.rows.map((r) => [Number(r.customer.slice(steadyPrefix.length)), r.n]));
    const steadyLost = [...steady.acknowledged].filter((order) => !storedSteady.has(order)).length;
    const duplicated = [...storedSteady.values()].filter((n) => n > 1).length;
    const stuckRows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE (customer LIKE $1 || '%' OR customer = $2) AND failure_reason = 'stuck_in_processing'`, [steadyPrefix, surgeCustomer]);
    if (!drained) event('phase', `backlog not finished within 180 s: ${open} orders still PENDING/PROCESSING`);

    const during = steady.answers.filter((a) => a.at >= onsetAt!);
    const latencies = steady.answers.filter((a) => a.status === 201).map((a) => a.ms).sort((x, y) => x - y);
    const steadyCreated = steady.acknowledged.size;
    const surgeSent = surge ? Object.values(surge.statuses).reduce((n, c) => n + c, 0) + surge.unanswered : 0;
    const acknowledged = steadyCreated + (surge?.created ?? 0);
    const endedAt = Date.now();
    event('end', `replay over: ${acknowledged} orders acknowledged (201), ${stored} stored, ${open} still open`);
    figures = {
      protection: plan.protection,
      startedAt,
      onsetAt,
      faultEndAt,
      endedAt,
      firstPageAt: firstPage?.at,
      firstPageText: firstPage?.text,
      recoveredAt,
      deaths,
      timeline,
      surge,
      steady: {
        sent: steady.orders,
        created: steadyCreated,
        failed: steady.orders - steadyCreated,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1) ?? Number.NaN,
      },
      ordersSent: during.length + surgeSent,
      ordersFailed: during.filter((a: SteadyAnswer) => a.status !== 201).length + (surgeSent - (surge?.created ?? 0)),
      acknowledged,
      stored,
      lost: steadyLost + Math.max(0, (surge?.created ?? 0) - surgeStored),
      duplicated,
      surgeStoredUnacknowledged: Math.max(0, surgeStored - (surge?.created ?? 0)),
      stuckProcessing: stuckRows.rows[0]!.n,
      stillOpen: open,
      heapPeakBytes: heapPeak,
      heapLimitBytes: heapLimit,
      prometheusUrl: stack.prometheus.url,
      alertmanagerUrl: stack.alertmanager.url,
      relayOutbox: `${stack.relay.outboxDir}/outbox.sqlite`,
    };
    stopping.abort();
    await watcher;
    if (hooks.beforeStop) await hooks.beforeStop(figures, stack);
    return figures;
  } finally {
    stopping.abort();
    await steady.stop();
    await watcher;
    await db.end().catch(() => undefined);
    await stack.stop();
    void heapNow;
  }
}
