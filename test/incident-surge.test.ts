// The seed incident's surge, replayed against the real service with the incident's heap cap: far more order
// requests than a small DB pool can serve. The JVM died of OutOfMemoryError, lost and duplicated orders and left
// them hanging in Processing. Here the service must stay up, answer every request with 201 or a fast 503, store
// exactly the orders it answered 201 for, and finish every one of them afterwards.
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService, type OrderServiceOptions, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { runSurge } from './support/surge-load.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { startTestPostgres, type TestPostgres } from './support/test-postgres.ts';
import { waitFor } from '../common/wait-for.ts';

let db: TestPostgres;
let service: OrderServiceProcess;

beforeAll(async () => {
  db = await startTestPostgres();
  service = await startOrderService({
    nodeArgs: ['--max-old-space-size=256'],
    env: {
      DATABASE_URL: db.url,
      DB_POOL_MAX: '4',
      DB_ACQUIRE_TIMEOUT_MS: '300',
      WORKER_POOL_SIZE: '1',
      WORKER_QUEUE_MAX: '20',
      RECONCILE_INTERVAL_MS: '200',
      STUCK_PROCESSING_AFTER_MS: '2000',
      MAX_PROCESSING_ATTEMPTS: '10',
      FAULT_INJECTION: 'true',
    },
  });
});

afterAll(async () => {
  await service?.stop();
  await db?.destroy();
});

describe('a surge far beyond capacity', () => {
  it('keeps the service up, answers 201 or a fast 503, stores exactly what got 201, and finishes every order', async () => {
    // As in the incident, the database slows down as the surge starts: every connection is held for a while.
    const hold = await fetch(`${service.apiUrl}/admin/faults/db-hold`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: 4, seconds: 3 }),
    });
    expect(hold.status).toBe(202);
    // Surge rounds until both answers were seen: with admission control a round can be refused whole, in
    // milliseconds, while the database is still held; the rounds after it find the pool free again.
    const statuses: Record<string, number> = {};
    let errors = 0;
    let timeouts = 0;
    await waitFor(
      async () => {
        const round = await autocannon({
          url: `${service.apiUrl}/orders`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customer: 'surge', items: [{ sku: 'S-1', quantity: 1, price: 5 }] }),
          connections: 64,
          // A fixed number of requests, not a duration: autocannon then waits for every answer, so the 201s it
          // counts are all the 201s the service sent.
          amount: 2000,
          timeout: 30,
        });
        for (const [code, { count }] of Object.entries(round.statusCodeStats)) statuses[code] = (statuses[code] ?? 0) + count;
        errors += round.errors;
        timeouts += round.timeouts;
        return (statuses['201'] ?? 0) > 0 && (statuses['503'] ?? 0) > 0;
      },
      { what: 'a surge answered with both 201 and 503', timeoutMs: 90_000, intervalMs: 0 },
    ).catch(() => undefined);

    expect(Object.keys(statuses).filter((code) => code !== '201' && code !== '503'), JSON.stringify(statuses)).toEqual([]);
    expect(statuses['201'] ?? 0).toBeGreaterThan(0);
    expect(statuses['503'] ?? 0, 'the pool was saturated: some requests must have been refused').toBeGreaterThan(0);
    expect(errors, 'requests left without an answer').toBe(0);
    expect(timeouts).toBe(0);

    // Still alive and ready: no crash, no restart.
    expect(service.process.child.exitCode).toBeNull();
    await waitFor(async () => (await fetch(`${service.apiUrl}/readyz`)).ok, { what: 'readiness after the surge', timeoutMs: 60_000 });

    // Exactly the accepted orders are stored: none lost, none twice.
    const stored = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer = 'surge'`);
    expect(stored.rows[0]!.n).toBe(statuses['201']);

    // None left hanging in PENDING or PROCESSING once the backlog is worked off.
    await waitFor(
      async () => {
        const open = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer = 'surge' AND status IN ('PENDING', 'PROCESSING')`);
        return open.rows[0]!.n === 0;
      },
      { what: 'every accepted order to reach COMPLETED or FAILED', timeoutMs: 180_000, intervalMs: 500 },
    );
    const stuck = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer = 'surge' AND failure_reason = 'stuck_in_processing'`);
    expect(stuck.rows[0]!.n).toBe(0);
  });
});

/** An order service of one describe block, on the shared database: started before its tests, stopped after. */
function orderServiceFor(options: () => OrderServiceOptions): { readonly current: OrderServiceProcess } {
  const holder = {} as { current: OrderServiceProcess };
  beforeAll(async () => {
    holder.current = await startOrderService(options());
  });
  afterAll(async () => {
    await holder.current?.stop();
  });
  return holder;
}

const postOrder = (apiUrl: string, customer: string, signal?: AbortSignal): Promise<Response> =>
  fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ sku: 'S-1', quantity: 1, price: 1 }] }),
    ...(signal ? { signal } : {}),
  });

async function orderCounts(pool: TestPostgres['pool'], customer: string): Promise<{ stored: number; open: number }> {
  const { rows } = await pool.query<{ stored: number; open: number }>(
    `SELECT count(*)::int AS stored, count(*) FILTER (WHERE status IN ('PENDING', 'PROCESSING'))::int AS open FROM orders WHERE customer = $1`,
    [customer],
  );
  return rows[0]!;
}

describe('admission control under the seed surge (1000 connections at once, 256 MiB heap cap, protection on by default)', () => {
  const surgeService = orderServiceFor(() => ({
      nodeArgs: ['--max-old-space-size=256'],
      // The shipped defaults (OVERLOAD_PROTECTION on), except a small worker queue so the backlog is real.
      env: { DATABASE_URL: db.url, WORKER_QUEUE_MAX: '20', RECONCILE_INTERVAL_MS: '1000', DB_ACQUIRE_TIMEOUT_MS: '5000' },
    }));

  it('refuses at once what it cannot serve, stores exactly the 201s, finishes the backlog within a minute, never overfills its worker queue, and counts it all', async () => {
    const customer = 'admission-surge';
    // 1000 connections opened at once, 1500 requests a second for 3 s: several times what this machine serves.
    // The clients' own timeout is generous: on a loaded machine the load generator itself is late; what counts is
    // that every request gets an answer and that refusals do not wait for the database.
    const surge = await runSurge({ apiUrl: surgeService.current.apiUrl, metricsUrl: surgeService.current.metricsUrl, customer, connections: 1000, rate: 1500, amount: 4500, timeoutSeconds: 30 });

    expect(surgeService.current.process.child.exitCode, 'the service crashed').toBeNull();
    expect(Object.keys(surge.statuses).filter((code) => code !== '201' && code !== '503'), JSON.stringify(surge.statuses)).toEqual([]);
    expect(surge.unanswered, 'requests left without an answer').toBe(0);
    expect(surge.created).toBeGreaterThan(0);
    expect(surge.statuses['503'] ?? 0, 'the surge must have been shed').toBeGreaterThan(0);
    // The incident's refusals came after the pool's acquire timeout (here 5 s): here no caller waited it out.
    expect(sumOf((await scrape(surgeService.current.metricsUrl)).samples, 'db_client_connection_timeouts_total'), 'refusals must not wait for the DB pool').toBe(0);

    // Exactly the accepted orders are stored: no refused or abandoned request left an order behind.
    expect((await orderCounts(db.pool, customer)).stored).toBe(surge.created);

    // The backlog of accepted orders is worked off within a minute.
    await waitFor(async () => (await orderCounts(db.pool, customer)).open === 0, { what: 'the backlog to finish', timeoutMs: 60_000, intervalMs: 250 });

    const { samples } = await scrape(surgeService.current.metricsUrl);
    expect(sumOf(samples, 'http_server_admission_shed_total'), 'shed requests counted').toBeGreaterThan(0);
    expect(sumOf(samples, 'http_server_admission_admitted_total', { priority: 'write' })).toBeGreaterThanOrEqual(surge.created);
    expect(sumOf(samples, 'http_server_admission_limit')).toBeGreaterThan(0);
    // Recovery stays within the worker queue: nothing the processor or the reconciler submitted was rejected.
    expect(sumOf(samples, 'worker_pool_tasks_rejected_total'), 'worker pool rejections (pages NodeWorkerPoolTasksRejected)').toBe(0);

    // Reads are not starved after (or during) a write surge, and the service takes orders again.
    const after = await postOrder(surgeService.current.apiUrl, 'after-surge');
    expect(after.status).toBe(201);
    const { id } = (await after.json()) as { id: string };
    expect((await fetch(`${surgeService.current.apiUrl}/orders/${id}`)).status).toBe(200);
  });
});

describe('work for clients that are gone is not done', () => {
  const slowService = orderServiceFor(() => ({
      env: {
        DATABASE_URL: db.url,
        FAULT_INJECTION: 'true',
        DB_POOL_MAX: '2',
        DB_ACQUIRE_TIMEOUT_MS: '10000',
        DB_POOL_QUEUE_MAX: '3',
        ORDER_DEADLINE_MS: '1000',
        // A limit above the pool and its queue, so that the pool's own bound is what refuses the fourth caller.
        ADMISSION_MIN_LIMIT: '10',
        // No reconciler ticks during the hold: the queue must hold only the test's callers. (The reconciler's
        // queries once took a slot here, on the request pool, and a CI run failed so; they run on the background
        // pool now, which test/reconciler-stall.test.ts proves. Ticking every 100 ms here instead failed a CI run
        // too, most likely counting this file's thousands of orders that often: the hold was over before the callers
        // queued.)
        ORDER_STATS_INTERVAL_MS: '600000',
        RECONCILE_INTERVAL_MS: '600000',
      },
    }));

  const post = (customer: string, signal?: AbortSignal): Promise<Response> => postOrder(slowService.current.apiUrl, customer, signal);

  it('stores no order for a client that left or a deadline that passed, and refuses a full DB queue at once', async () => {
    // Every DB connection held for 3 s, as when the database stalls.
    const hold = await fetch(`${slowService.current.apiUrl}/admin/faults/db-hold`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: 2, seconds: 3 }),
    });
    expect(hold.status).toBe(202);
    await waitFor(async () => sumOf((await scrape(slowService.current.metricsUrl)).samples, 'db_client_connection_count', { db_client_connection_pool_name: 'orders', db_client_connection_state: 'used' }) === 2, {
      what: 'both request connections held',
    });

    // Two clients that give up after 300 ms, then one that waits: all three wait for a connection.
    const gone = [post('gone-1', AbortSignal.timeout(300)), post('gone-2', AbortSignal.timeout(300))].map((p) => p.then(() => 'answered', () => 'aborted'));
    await waitFor(async () => sumOf((await scrape(slowService.current.metricsUrl)).samples, 'db_client_connection_pending_requests', { db_client_connection_pool_name: 'orders' }) >= 2, {
      what: 'two callers waiting for a connection',
    });
    const late = post('late');
    await waitFor(async () => sumOf((await scrape(slowService.current.metricsUrl)).samples, 'db_client_connection_pending_requests', { db_client_connection_pool_name: 'orders' }) >= 3, {
      what: 'three callers waiting for a connection',
    });
    // The pool's queue is full: the next caller is refused at once, not queued.
    const overflow = await post('overflow');
    expect(overflow.status).toBe(503);
    expect(overflow.headers.get('retry-after')).toBe('1');
    expect(await overflow.json()).toMatchObject({ error: 'overloaded', reason: 'db_pool_queue_full' });

    expect(await Promise.all(gone)).toEqual(['aborted', 'aborted']);
    const lateAnswer = await late;
    // Answered by its deadline (1 s), not by the end of the DB hold (3 s) or the acquire timeout (10 s).
    expect(lateAnswer.status).toBe(503);
    expect(await lateAnswer.json()).toMatchObject({ error: 'overloaded', reason: 'deadline' });

    // Once the database is back, the waiting callers get their connections, and commit nothing.
    await waitFor(
      async () => {
        const { samples } = await scrape(slowService.current.metricsUrl);
        return sumOf(samples, 'orders_abandoned_total', { reason: 'client_gone' }) >= 2 && sumOf(samples, 'orders_abandoned_total', { reason: 'deadline' }) >= 1;
      },
      { what: 'the three waiting requests to be dropped before commit', timeoutMs: 20_000 },
    );
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE customer IN ('gone-1', 'gone-2', 'late', 'overflow')`);
    expect(rows[0]!.n, 'orders stored for requests that were refused or whose client left').toBe(0);
    expect((await post('back')).status).toBe(201);
  });
});

describe('accepted orders the workers cannot finish soon', () => {
  const backlogService = orderServiceFor(() => ({
      env: {
        DATABASE_URL: db.url,
        // One worker thread and a short bound: creating orders outpaces processing them within a second.
        WORKER_POOL_SIZE: '1',
        WORKER_QUEUE_MAX: '10',
        ADMISSION_BACKLOG_MAX_SECONDS: '1',
        ORDER_STATS_INTERVAL_MS: '100',
        RECONCILE_INTERVAL_MS: '500',
      },
    }));

  it('refuses new orders (processing_backlog) once the accepted ones would take longer than the bound, and finishes those', async () => {
    const customer = 'backlog-surge';
    const statuses: Record<string, number> = {};
    await waitFor(
      async () => {
        const round = await autocannon({
          url: `${backlogService.current.apiUrl}/orders`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customer, items: [{ sku: 'B-1', quantity: 1, price: 2 }] }),
          connections: 32,
          amount: 1500,
          timeout: 30,
        });
        for (const [code, { count }] of Object.entries(round.statusCodeStats)) statuses[code] = (statuses[code] ?? 0) + count;
        return sumOf((await scrape(backlogService.current.metricsUrl)).samples, 'http_server_admission_shed_total', { reason: 'processing_backlog' }) > 0;
      },
      { what: 'a refusal for the processing backlog', timeoutMs: 90_000, intervalMs: 0 },
    );
    expect(Object.keys(statuses).filter((code) => code !== '201' && code !== '503'), JSON.stringify(statuses)).toEqual([]);
    expect((await orderCounts(db.pool, customer)).stored).toBe(statuses['201']);
    await waitFor(async () => (await orderCounts(db.pool, customer)).open === 0, { what: 'the backlog to finish', timeoutMs: 60_000, intervalMs: 250 });
    // Nothing waits any more: orders are taken again.
    await waitFor(
      async () => {
        return (await postOrder(backlogService.current.apiUrl, 'after-backlog')).status === 201;
      },
      { what: 'an order accepted after the backlog', timeoutMs: 10_000 },
    );
  });
});

describe('an old generation near the limit the process dies at', () => {
  // The backlog guard out of the way: as the heap fills, GC slows this process's processing, and the database
  // this file shares holds other tests' orders, so it could refuse first (CI: 'processing_backlog').
  const leaking = orderServiceFor(() => ({
    nodeArgs: ['--max-old-space-size=128'],
    env: { DATABASE_URL: db.url, FAULT_INJECTION: 'true', ADMISSION_BACKLOG_MAX_SECONDS: '3600' },
  }));

  const order = (): Promise<Response> => postOrder(leaking.current.apiUrl, 'heap-guard');

  it('refuses orders (heap) once the live set after GC nears the limit, before the process dies, and takes them again once it is freed', async () => {
    // Retain 4 MiB at a time until an order is refused for the heap.
    const refusal = await waitFor(
      async () => {
        const answer = await order();
        if (answer.status === 503) return (await answer.json()) as { reason: string };
        const leak = await fetch(`${leaking.current.apiUrl}/admin/faults/heap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ megabytes: 4 }) });
        expect(leak.status).toBeLessThan(300);
        return false;
      },
      { what: 'an order refused for the heap', timeoutMs: 60_000, intervalMs: 0 },
    );
    expect(refusal.reason).toBe('heap');
    expect(leaking.current.process.child.exitCode, 'the process died instead').toBeNull();
    // Reads are not refused for the heap.
    expect((await fetch(`${leaking.current.apiUrl}/orders/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    // Freed: V8 collects once allocation calms down, and orders are taken again.
    expect((await fetch(`${leaking.current.apiUrl}/admin/faults/heap`, { method: 'DELETE' })).status).toBeLessThan(300);
    await waitFor(async () => (await order()).status === 201, { what: 'an order accepted after the heap was freed', timeoutMs: 60_000, intervalMs: 500 });
  });
});
