// The seed incident's surge, replayed against the real service with the incident's heap cap: far more order
// requests than a small DB pool can serve. The JVM died of OutOfMemoryError, lost and duplicated orders and left
// them hanging in Processing. Here the service must stay up, answer every request with 201 or a fast 503, store
// exactly the orders it answered 201 for, and finish every one of them afterwards.
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
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
    const result = await autocannon({
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

    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
    expect(Object.keys(statuses).filter((code) => code !== '201' && code !== '503'), JSON.stringify(statuses)).toEqual([]);
    expect(statuses['201'] ?? 0).toBeGreaterThan(0);
    expect(statuses['503'] ?? 0, 'the pool was saturated: some requests must have been refused').toBeGreaterThan(0);
    expect(result.errors, 'requests left without an answer').toBe(0);
    expect(result.timeouts).toBe(0);

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
