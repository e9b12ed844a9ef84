// Admission control in front of express, on a real node:http server: at the limit, a request to the order routes is
// refused by the front listener (503, Retry-After, the JSON body) without reaching express at all; other paths, and
// everything while bypassed, go through express, where the middleware still decides.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../config.ts';
import { createAdmissionControl, type AdmissionControl } from './admission-control.ts';

let server: Server;
let base: string;
let admission: AdmissionControl;
let bypassed = false;
/** Requests express saw, by path. */
const seen: string[] = [];
/** Answers the held order requests. */
const holds: Array<() => void> = [];

beforeAll(async () => {
  // Limit 1 (min = max = 1), refused at once over it, no read reserve.
  const config = loadServiceConfig({ ADMISSION_MIN_LIMIT: '1', ADMISSION_MAX_LIMIT: '1', ADMISSION_READ_RESERVE: '0' }, '0', []).overload.admission;
  admission = createAdmissionControl(config, { pool: { waitingCount: 0 }, backlog: { seconds: () => 0 } });
  const app = express();
  app.use((req, _res, next) => {
    seen.push(req.path);
    next();
  });
  app.use('/orders', admission.middleware);
  app.post('/orders', (_req, res) => void holds.push(() => res.status(201).json({ id: 'held' })));
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  server = createServer(admission.front(app, { bypass: () => bypassed }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const release of holds.splice(0)) release();
  admission.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const postOrder = () => fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customer":"c"}' });

describe('admission front listener', () => {
  it('refuses over the limit before express, with the same answer the middleware gives; other paths pass', async () => {
    const held = postOrder();
    await expect.poll(() => holds.length).toBe(1);
    expect(seen).toEqual(['/orders']);

    const refused = await postOrder();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await refused.json()).toMatchObject({ error: 'overloaded', reason: 'concurrency_limit', retryAfterSeconds: 1 });
    // Also under another spelling express would route to the same place.
    expect((await fetch(`${base}/ORDERS/123?x=1`)).status).toBe(503);
    // Neither reached express.
    expect(seen).toEqual(['/orders']);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(seen).toEqual(['/orders', '/healthz']);

    // Bypassed (the service stopping): express sees the request, and the middleware refuses it there.
    bypassed = true;
    const viaExpress = await postOrder();
    expect(viaExpress.status).toBe(503);
    expect(await viaExpress.json()).toMatchObject({ reason: 'concurrency_limit' });
    expect(seen).toEqual(['/orders', '/healthz', '/orders']);
    bypassed = false;

    holds.shift()!();
    expect((await held).status).toBe(201);
    // The slot is free again: the next order gets through.
    const next = postOrder();
    await expect.poll(() => holds.length).toBe(1);
    holds.shift()!();
    expect((await next).status).toBe(201);
  });
});
