// The span-free HTTP duration recorder on a real express app behind a real node:http server: the attributes
// instrumentation-http and instrumentation-express would give (matched route with its mount path, no route when
// none matched, error.type on 5xx), scrapes left out, and nothing recorded after stop.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../common/wait-for.ts';
import { meterUnderTest, type HistogramPoint } from '../../test/support/meter-under-test.ts';
import { httpServerDuration } from './http-server-duration.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.get('/orders/:id', (req, res) => void res.status(req.params.id === 'missing' ? 404 : 200).json({ id: req.params.id }));
  const admin = express.Router();
  admin.post('/faults/:kind', (_req, res) => void res.status(202).end());
  app.use('/admin', admin);
  app.get('/boom', (_req, res) => void res.status(500).json({ error: 'boom' }));
  app.get('/metrics', (_req, res) => void res.type('text/plain').send('# scrape\n'));
  server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const call = async (path: string, method = 'GET'): Promise<number> => {
  const response = await fetch(`${base}${path}`, { method });
  await response.arrayBuffer();
  return response.status;
};
const isScrape = (request: { url?: string }): boolean => request.url === '/metrics';
const totalCount = (points: HistogramPoint[]): number => points.reduce((n, p) => n + p.count, 0);

describe('httpServerDuration', () => {
  it('records each request under its method, matched route (mount path included) and status, error.type on 5xx, scrapes left out', async () => {
    const meter = meterUnderTest();
    const stop = httpServerDuration({ isScrape, withRoute: true })(meter.provider.getMeter('test'));
    try {
      expect(await call('/orders/42')).toBe(200);
      expect(await call('/orders/missing')).toBe(404);
      expect(await call('/admin/faults/db-hold', 'POST')).toBe(202);
      expect(await call('/boom')).toBe(500);
      expect(await call('/nowhere')).toBe(404);
      expect(await call('/metrics')).toBe(200);
      const points = await waitFor(async () => {
        const p = await meter.histogram('http.server.request.duration');
        return totalCount(p) >= 5 && p;
      }, { what: 'five requests recorded' });
      const common = { 'url.scheme': 'http', 'network.protocol.version': '1.1' };
      expect(points.map((p) => p.attributes)).toEqual(
        expect.arrayContaining([
          { ...common, 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200 },
          { ...common, 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 404 },
          { ...common, 'http.request.method': 'POST', 'http.route': '/admin/faults/:kind', 'http.response.status_code': 202 },
          { ...common, 'http.request.method': 'GET', 'http.route': '/boom', 'http.response.status_code': 500, 'error.type': '500' },
          { ...common, 'http.request.method': 'GET', 'http.response.status_code': 404 },
        ]),
      );
      // The scrape is not among them: exactly the five above.
      expect(totalCount(points)).toBe(5);
      expect(points.every((p) => p.sum >= 0)).toBe(true);
    } finally {
      stop();
    }
    // After stop, a request is no longer recorded.
    expect(await call('/orders/43')).toBe(200);
    expect(totalCount(await meter.histogram('http.server.request.duration'))).toBe(5);
    await meter.provider.shutdown();
  });

  it('leaves http.route out when the express instrumentation is switched off', async () => {
    const meter = meterUnderTest();
    const stop = httpServerDuration({ isScrape, withRoute: false })(meter.provider.getMeter('test'));
    try {
      expect(await call('/orders/42')).toBe(200);
      const points = await waitFor(async () => {
        const p = await meter.histogram('http.server.request.duration');
        return totalCount(p) >= 1 && p;
      }, { what: 'the request recorded' });
      expect(points.map((p) => p.attributes)).toEqual([{ 'http.request.method': 'GET', 'url.scheme': 'http', 'network.protocol.version': '1.1', 'http.response.status_code': 200 }]);
    } finally {
      stop();
      await meter.provider.shutdown();
    }
  });
});
