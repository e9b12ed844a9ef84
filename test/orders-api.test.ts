// The order API's contract against a real PostgreSQL: validation with field paths, idempotency under racing
// requests, JSON 404s, the asynchronous lifecycle, and the reconciler after a simulated crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startTestPostgres, type TestPostgres } from './support/test-postgres.ts';
import { waitFor } from '../common/wait-for.ts';

let db: TestPostgres;
let service: OrderServiceProcess;

const order = { customer: 'acme', items: [{ sku: 'SKU-1', quantity: 2, price: 9.99 }] };

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${service.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function getOrder(id: string): Promise<any> {
  const response = await fetch(`${service.apiUrl}/orders/${id}`);
  expect(response.status).toBe(200);
  return response.json();
}

beforeAll(async () => {
  db = await startTestPostgres();
  service = await startOrderService({
    env: {
      DATABASE_URL: db.url,
      BODY_LIMIT: '16kb',
      STUCK_PROCESSING_AFTER_MS: '1000',
      RECONCILE_INTERVAL_MS: '200',
      MAX_PROCESSING_ATTEMPTS: '3',
      FAULT_INJECTION: 'true',
    },
  });
});

afterAll(async () => {
  await service?.stop();
  await db?.destroy();
});

describe('POST /orders validation', () => {
  it('answers 400 naming every wrong field by its path', async () => {
    const { status, json } = await post({ customer: '', items: [{ sku: 'A', quantity: 0, price: 1.234 }, { sku: 'B', quantity: 1 }], extra: true });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_request');
    const paths = json.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['customer', 'items[0].quantity', 'items[0].price', 'items[1].price', '(body)']));
    for (const problem of json.problems) expect(problem.message).toEqual(expect.any(String));
  });

  it('answers 400 for a body that is not JSON, and for an empty item list', async () => {
    const notJson = await post('{"customer": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toBe('invalid_json');
    const noItems = await post({ customer: 'acme', items: [] });
    expect(noItems.status).toBe(400);
    expect(noItems.json.problems[0].path).toBe('items');
  });

  it('answers 413 for a body over the limit', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ sku: `SKU-${i}-${'x'.repeat(40)}`, quantity: 1, price: 1 }));
    const { status, json } = await post({ customer: 'acme', items });
    expect(status).toBe(413);
    expect(json.error).toBe('payload_too_large');
  });

  it('rejects a malformed Idempotency-Key with the header named', async () => {
    const { status, json } = await post(order, { 'Idempotency-Key': 'x'.repeat(201) });
    expect(status).toBe(400);
    expect(json.problems[0].path).toBe('header:Idempotency-Key');
  });
});

describe('idempotency', () => {
  it('stores one order when the same key and body race, and answers the others with that order', async () => {
    const key = `race-${Date.now()}`;
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(order, { 'Idempotency-Key': key })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(11);
    const ids = new Set(answers.map((a) => a.json.id));
    expect(ids.size).toBe(1);
    for (const replay of answers.filter((a) => a.status === 200)) expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const stored = await db.pool.query('SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1', [key]);
    expect(stored.rows[0].n).toBe(1);
  });

  it('answers 409 for the same key with a different body, and stores nothing new', async () => {
    const key = `conflict-${Date.now()}`;
    const first = await post(order, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const second = await post({ ...order, customer: 'someone-else' }, { 'Idempotency-Key': key });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ error: 'idempotency_key_reused', orderId: first.json.id });
    const stored = await db.pool.query('SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1', [key]);
    expect(stored.rows[0].n).toBe(1);
  });

  it('stores two orders for two requests without a key', async () => {
    const [a, b] = await Promise.all([post(order), post(order)]);
    expect(a!.status).toBe(201);
    expect(b!.status).toBe(201);
    expect(a!.json.id).not.toBe(b!.json.id);
  });
});

describe('reading and routing', () => {
  it('answers JSON 404 for an unknown order id, a malformed id and an unknown route', async () => {
    for (const path of ['/orders/00000000-0000-4000-8000-000000000000', '/orders/not-a-uuid', '/no/such/route']) {
      const response = await fetch(`${service.apiUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await response.json()) as { error: string }).error).toBe('not_found');
    }
  });

  it('reports alive and ready', async () => {
    expect((await fetch(`${service.apiUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'up' });
  });
});

describe('lifecycle', () => {
  it('takes an order from PENDING to COMPLETED with its total priced by a worker', async () => {
    const created = await post({ customer: 'lifecycle', items: [{ sku: 'A', quantity: 3, price: 2.5 }, { sku: 'B', quantity: 1, price: 10 }] });
    expect(created.status).toBe(201);
    expect(['PENDING', 'PROCESSING']).toContain(created.json.status);
    const done = await waitFor(
      async () => {
        const current = await getOrder(created.json.id);
        return current.status === 'COMPLETED' || current.status === 'FAILED' ? current : undefined;
      },
      { what: 'the order to finish processing', timeoutMs: 60_000 },
    );
    expect(done.attempts).toBe(1);
    expect(done.fraudScore).toBeGreaterThanOrEqual(0);
    expect(done.fraudScore).toBeLessThan(1);
    expect(done.status).toBe('COMPLETED');
    expect(done.totalCents).toBe(1890); // 17.50 plus 8% tax, in cents
  });

  it('fails an order the fraud model scores too high', async () => {
    const created = await post({ customer: 'whale', items: [{ sku: 'GOLD', quantity: 10_000, price: 1_000_000 }] });
    expect(created.status).toBe(201);
    const done = await waitFor(
      async () => {
        const current = await getOrder(created.json.id);
        return current.status === 'COMPLETED' || current.status === 'FAILED' ? current : undefined;
      },
      { what: 'the order to finish processing', timeoutMs: 60_000 },
    );
    expect(done.status).toBe('FAILED');
    expect(done.failureReason).toBe('fraud_suspected');
    expect(done.fraudScore).toBeGreaterThanOrEqual(0.9);
  });
});

describe('fault injection', () => {
  it('answers 500 to order requests while the errors fault is on, and can always be switched off', async () => {
    const setRatio = (ratio: number): Promise<Response> =>
      fetch(`${service.apiUrl}/admin/faults/errors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ratio }) });
    expect((await setRatio(1)).status).toBe(200);
    const failed = await post(order);
    expect(failed.status).toBe(500);
    expect(failed.json.error).toBe('injected_fault');
    expect((await fetch(`${service.apiUrl}/healthz`)).status).toBe(200);
    expect((await setRatio(0)).status).toBe(200);
    expect((await post(order)).status).toBe(201);
  });

  it('names the wrong field of a fault request', async () => {
    const response = await fetch(`${service.apiUrl}/admin/faults/db-hold`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: 0, seconds: 'long' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { problems: Array<{ path: string }> };
    expect(body.problems.map((p) => p.path).sort()).toEqual(['connections', 'seconds']);
  });
});

describe('reconciler', () => {
  it('resumes an order its crashed process left in PROCESSING, and fails one that used up its attempts', async () => {
    // What a process killed mid-order leaves behind: PROCESSING rows that nobody is working on.
    const inserted = await db.pool.query<{ id: string; attempts: number }>(
      `INSERT INTO orders (request_hash, customer, items, status, attempts, processing_started_at)
       VALUES ('h1', 'crashed', '[{"sku":"A","quantity":1,"price":4}]', 'PROCESSING', 1, now() - interval '10 minutes'),
              ('h2', 'crashed', '[{"sku":"A","quantity":1,"price":4}]', 'PROCESSING', 3, now() - interval '10 minutes')
       RETURNING id, attempts`,
    );
    const [resumable, exhausted] = inserted.rows;
    const resumed = await waitFor(
      async () => {
        const current = await getOrder(resumable!.id);
        return current.status === 'COMPLETED' || current.status === 'FAILED' ? current : undefined;
      },
      { what: 'the stuck order to be resumed and finished', timeoutMs: 60_000 },
    );
    expect(resumed.attempts).toBe(2);
    expect(resumed.failureReason).not.toBe('stuck_in_processing');
    const failed = await waitFor(
      async () => {
        const current = await getOrder(exhausted!.id);
        return current.status === 'FAILED' ? current : undefined;
      },
      { what: 'the order out of attempts to be failed', timeoutMs: 60_000 },
    );
    expect(failed.failureReason).toBe('stuck_in_processing');
  });

  it('picks up an order accepted but never started (left PENDING by a crash)', async () => {
    const inserted = await db.pool.query<{ id: string }>(
      `INSERT INTO orders (request_hash, customer, items, status, updated_at)
       VALUES ('h3', 'orphan', '[{"sku":"A","quantity":2,"price":1}]', 'PENDING', now() - interval '1 minute') RETURNING id`,
    );
    const done = await waitFor(
      async () => {
        const current = await getOrder(inserted.rows[0]!.id);
        return current.status === 'COMPLETED' || current.status === 'FAILED' ? current : undefined;
      },
      { what: 'the orphaned PENDING order to be processed', timeoutMs: 60_000 },
    );
    expect(done.attempts).toBe(1);
  });
});
