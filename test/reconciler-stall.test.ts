// A stalled orders table under a real order service and PostgreSQL: the reconciler's stats samples and passes,
// ticking every 100 ms, must not pile up queries. Each sample that could not finish used to be joined by two more
// queries every tick, until the background pool was full and callers queued behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { waitFor } from '../common/wait-for.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { startTestPostgres, type TestPostgres } from './support/test-postgres.ts';

let db: TestPostgres;
let service: OrderServiceProcess;

beforeAll(async () => {
  db = await startTestPostgres();
  service = await startOrderService({ name: 'reconciler-stall', env: { DATABASE_URL: db.url, ORDER_STATS_INTERVAL_MS: '100', RECONCILE_INTERVAL_MS: '100' } });
});

afterAll(async () => {
  await service?.stop();
  await db?.destroy();
});

describe('the reconciler while the orders table is locked', () => {
  it('keeps one stats sample and one pass waiting, however many ticks pass', async () => {
    const locker: pg.PoolClient = await db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      // The oldest of the service's queries waiting on the lock, and how many wait: once the oldest has waited
      // 2 s, twenty ticks of each timer have passed.
      const waiting = async (): Promise<{ count: number; oldestSeconds: number }> => {
        const { rows } = await db.pool.query<{ count: number; oldest: number | null }>(
          `SELECT count(*)::int AS count, extract(epoch FROM max(now() - query_start))::float AS oldest
             FROM pg_stat_activity WHERE application_name = 'orders-processing' AND wait_event_type = 'Lock'`,
        );
        return { count: rows[0]!.count, oldestSeconds: rows[0]!.oldest ?? 0 };
      };
      await waitFor(async () => (await waiting()).oldestSeconds >= 2, { what: 'a reconciler query waiting 2 s on the lock', timeoutMs: 30_000 });
      const { count } = await waiting();
      // One pass (one query) and one sample (two queries), not a pair per tick.
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(3);
      const { samples } = await scrape(service.metricsUrl);
      expect(sumOf(samples, 'db_client_connection_pending_requests', { db_client_connection_pool_name: 'orders-processing' })).toBe(0);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    // Unlocked, orders are taken and the gauges move again.
    const created = await fetch(`${service.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer: 'after-lock', items: [{ sku: 'L-1', quantity: 1, price: 1 }] }) });
    expect(created.status).toBe(201);
    await waitFor(async () => sumOf((await scrape(service.metricsUrl)).samples, 'orders_count', {}) >= 1, { what: 'the stats sample to count the new order' });
  });
});
