// The per-client rate limit (ADMISSION_CLIENT_MAX_REQUESTS) on a real order service process and PostgreSQL: a client
// over its own rate gets 429 with Retry-After and a JSON body, at once, while other clients are served; a refused
// order is never stored, and the refusals are counted on /metrics apart from the overload shedding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { startTestPostgres, type TestPostgres } from './support/test-postgres.ts';

const maxRequests = 3;
const windowSeconds = 60;
let db: TestPostgres;
let service: OrderServiceProcess;

beforeAll(async () => {
  db = await startTestPostgres();
  service = await startOrderService({
    name: 'client-rate-limit',
    env: {
      DATABASE_URL: db.url,
      ADMISSION_CLIENT_MAX_REQUESTS: String(maxRequests),
      ADMISSION_CLIENT_WINDOW_SECONDS: String(windowSeconds),
      ADMISSION_CLIENT_KEY_HEADER: 'X-Client-Id',
    },
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await db?.destroy();
});

async function order(customer: string, client?: string): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${service.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(client ? { 'x-client-id': client } : {}) },
    body: JSON.stringify({ customer, items: [{ sku: 'SKU-1', quantity: 1, price: 2.5 }] }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

const storedFor = async (customer: string): Promise<number> =>
  (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE customer = $1', [customer])).rows[0]!.n;

describe('per-client rate limit', () => {
  it('answers 429 with Retry-After to a client over its own rate, stores none of its refused orders, and serves the other clients', async () => {
    const answers = [];
    for (let i = 0; i < maxRequests + 2; i++) answers.push(await order('client-a', 'a'));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429, 429]);
    const refused = answers[maxRequests]!;
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(windowSeconds);
    expect(refused.body).toMatchObject({ error: 'rate_limited', reason: 'client_rate', retryAfterSeconds: Number(refused.retryAfter) });

    // Another client, and a client without the header (keyed by its address), are not held back by client a.
    expect((await order('client-b', 'b')).status).toBe(201);
    expect((await order('anonymous')).status).toBe(201);

    expect(await storedFor('client-a')).toBe(maxRequests);
    expect(await storedFor('client-b')).toBe(1);
    const { samples } = await scrape(service.metricsUrl);
    expect(sumOf(samples, 'http_server_admission_rate_limited_total', { priority: 'write' })).toBe(2);
    // Not overload shedding: nothing counted there, so the shedding alerts stay quiet.
    expect(sumOf(samples, 'http_server_admission_shed_total')).toBe(0);
  });

  it('reads count against the same client budget and are refused the same way', async () => {
    const statuses = [];
    for (let i = 0; i < maxRequests + 1; i++) {
      const response = await fetch(`${service.apiUrl}/orders/00000000-0000-4000-8000-000000000000`, { headers: { 'x-client-id': 'reader' } });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});
