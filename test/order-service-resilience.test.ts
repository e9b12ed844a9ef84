// What the seed incident got wrong, done right: the DB going away gives fast 503s (not hanging requests),
// SIGTERM finishes what it accepted, and a SIGKILL mid-stream loses no order that got 201 and leaves none stuck.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startTestPostgres, type TestPostgres } from './support/test-postgres.ts';
import { waitFor } from '../common/wait-for.ts';

let db: TestPostgres;
const services: OrderServiceProcess[] = [];

const serviceEnv = (url: string): Record<string, string> => ({
  DATABASE_URL: url,
  DB_ACQUIRE_TIMEOUT_MS: '1000',
  STUCK_PROCESSING_AFTER_MS: '1000',
  RECONCILE_INTERVAL_MS: '200',
  MAX_PROCESSING_ATTEMPTS: '5',
});

async function start(): Promise<OrderServiceProcess> {
  const service = await startOrderService({ env: serviceEnv(db.url) });
  services.push(service);
  return service;
}

/** Posts orders, `concurrency` at a time, until stopped; returns the ids of those that got 201. */
function orderStream(apiUrl: string, concurrency: number): { stop(): Promise<string[]>; accepted: string[] } {
  const accepted: string[] = [];
  let running = true;
  const loop = async (lane: number): Promise<void> => {
    for (let i = 0; running; i++) {
      try {
        const response = await fetch(`${apiUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customer: `lane-${lane}`, items: [{ sku: `S${i}`, quantity: 1 + (i % 3), price: 5 }] }),
        });
        const body = (await response.json()) as { id?: string };
        if (response.status === 201 && body.id) accepted.push(body.id);
      } catch {
        if (!running) return;
        // the server went away: that request was not accepted; keep trying until told to stop
      }
    }
  };
  const lanes = Array.from({ length: concurrency }, (_, lane) => loop(lane));
  return {
    accepted,
    async stop() {
      running = false;
      await Promise.all(lanes);
      return accepted;
    },
  };
}

async function statusesOf(ids: string[]): Promise<Map<string, string>> {
  const result = await db.pool.query<{ id: string; status: string }>('SELECT id, status FROM orders WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(result.rows.map((r) => [r.id, r.status]));
}

beforeEach(async () => {
  db = await startTestPostgres();
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
  await db.destroy();
});

describe('database down', () => {
  it('answers 503 with Retry-After at once, reports not ready, and recovers when the database is back', async () => {
    const service = await start();
    await db.stopServer();
    // A deadline, not a timing assertion: "fast" means the request is answered rather than left hanging.
    const response = await fetch(`${service.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'acme', items: [{ sku: 'A', quantity: 1, price: 1 }] }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toBe('database_unavailable');
    const ready = await fetch(`${service.apiUrl}/readyz`, { signal: AbortSignal.timeout(15_000) });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', database: 'down' });
    expect((await fetch(`${service.apiUrl}/healthz`)).status).toBe(200);

    await db.startServer();
    await waitFor(async () => (await fetch(`${service.apiUrl}/readyz`)).ok, { what: 'readiness after the database returned', timeoutMs: 60_000 });
    const after = await fetch(`${service.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'acme', items: [{ sku: 'A', quantity: 1, price: 1 }] }),
    });
    expect(after.status).toBe(201);
  });
});

describe('stopping', () => {
  it('on SIGTERM stops taking requests, finishes in-flight orders, exits 0 and loses nothing that got 201', async () => {
    const service = await start();
    const stream = orderStream(service.apiUrl, 8);
    await waitFor(() => stream.accepted.length >= 30, { what: '30 accepted orders', timeoutMs: 60_000 });
    service.process.child.kill('SIGTERM');
    expect(await service.process.exited).toBe(0);
    const accepted = await stream.stop();
    expect(accepted.length).toBeGreaterThanOrEqual(30);
    const statuses = await statusesOf(accepted);
    expect(statuses.size).toBe(accepted.length);
    // Drained: what it accepted was processed to the end (or, at worst, left PENDING for the next start), never stuck.
    expect([...statuses.values()].filter((s) => s === 'PROCESSING')).toEqual([]);
  });

  it('after a SIGKILL mid-stream, the next process finishes every order that got 201', async () => {
    const first = await start();
    const stream = orderStream(first.apiUrl, 8);
    await waitFor(() => stream.accepted.length >= 30, { what: '30 accepted orders', timeoutMs: 60_000 });
    await first.process.kill();
    const accepted = await stream.stop();
    const stored = await statusesOf(accepted);
    expect(stored.size).toBe(accepted.length);

    await start();
    await waitFor(
      async () => {
        const statuses = await statusesOf(accepted);
        return [...statuses.values()].every((s) => s === 'COMPLETED' || s === 'FAILED');
      },
      { what: 'every accepted order to reach COMPLETED or FAILED after the restart', timeoutMs: 90_000 },
    );
    const final = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND failure_reason = 'stuck_in_processing'`,
      [accepted],
    );
    expect(final.rows[0]!.n).toBe(0);
  });
});
