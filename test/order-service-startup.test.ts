// `npm run service` as a new user runs it: no DATABASE_URL (embedded PostgreSQL whose data survives a restart),
// and a bad configuration refused with the variable named and no secret echoed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcess } from '../stack/child-process.ts';
import { startOrderService } from '../stack/order-service-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'order-service-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('embedded PostgreSQL', () => {
  it('serves orders without DATABASE_URL and keeps them across a restart', async () => {
    const first = await startOrderService({ dataDir });
    let id: string;
    try {
      const response = await fetch(`${first.apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer: 'persistent', items: [{ sku: 'A', quantity: 1, price: 3 }] }),
      });
      expect(response.status).toBe(201);
      id = ((await response.json()) as { id: string }).id;
    } finally {
      await first.stop();
    }
    expect(await first.process.exited).toBe(0);

    const second = await startOrderService({ dataDir });
    try {
      const response = await fetch(`${second.apiUrl}/orders/${id}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { customer: string }).customer).toBe('persistent');
    } finally {
      await second.stop();
    }
  });
});

describe('configuration', () => {
  it('refuses a bad environment naming each variable, without echoing values, and exits 2', async () => {
    const child = startProcess({
      name: 'order-service:bad-config',
      command: process.execPath,
      args: ['service/main.ts'],
      env: { ...process.env, PORT: 'eighty', DB_POOL_MAX: '0', DATABASE_URL: 'mysql://admin:hunter2@db/orders' },
    });
    expect(await child.exited).toBe(2);
    const output = child.output();
    expect(output).toMatch(/PORT/);
    expect(output).toMatch(/DB_POOL_MAX/);
    expect(output).toMatch(/DATABASE_URL/);
    expect(output).not.toMatch(/hunter2/);
  });
});
