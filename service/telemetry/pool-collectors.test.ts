// The pool collectors in their (meter) => stop shape: they count what they count by structure (a pg acquire that
// waited its connectionTimeoutMillis; a task piscina refused inside run()), not by error text, and stop puts the
// pool back as it was. Real pg Pool against real sockets (one that never answers, one that refuses), real piscina.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Piscina } from 'piscina';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../common/free-port.ts';
import { meterUnderTest } from '../../test/support/meter-under-test.ts';
import { pgPoolMetrics } from './db-pool.ts';
import { workerPoolMetrics } from './worker-pool-metrics.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('pgPoolMetrics', () => {
  it('counts an acquire that waited connectionTimeoutMillis as a timeout, a refused connection not; stop restores the pool', async () => {
    // A server that accepts and never answers: pg's connect times out.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const silentPort = (silent.address() as { port: number }).port;
    const refusedPort = await freePort();

    const { provider, total } = meterUnderTest();
    cleanups.push(() => provider.shutdown());
    const meter = provider.getMeter('test');
    const pool = new pg.Pool({ host: '127.0.0.1', port: silentPort, user: 'u', database: 'd', connectionTimeoutMillis: 200, max: 1 });
    const refused = new pg.Pool({ host: '127.0.0.1', port: refusedPort, user: 'u', database: 'd', connectionTimeoutMillis: 5_000, max: 1 });
    cleanups.push(() => pool.end().catch(() => undefined), () => refused.end().catch(() => undefined));
    const BaseClient = (pool as unknown as { Client: unknown }).Client;

    const stop = pgPoolMetrics(pool, { name: 'silent', max: 1, idleMin: 0, idleMax: 1 })(meter);
    const stopRefused = pgPoolMetrics(refused, { name: 'refused', max: 1, idleMin: 0, idleMax: 1 })(meter);
    expect(Object.hasOwn(pool, 'connect')).toBe(true);
    expect(pool.listenerCount('acquire')).toBe(1);

    await expect(pool.connect()).rejects.toThrow();
    await expect(refused.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(await total('db.client.connection.timeouts')).toBe(1);

    stop();
    stopRefused();
    expect(Object.hasOwn(pool, 'connect')).toBe(false);
    expect((pool as unknown as { Client: unknown }).Client).toBe(BaseClient);
    expect(pool.listenerCount('acquire') + pool.listenerCount('release')).toBe(0);
    // After stop, a timeout is no longer counted, and the pool's observers are gone.
    await expect(pool.connect()).rejects.toThrow();
    expect(await total('db.client.connection.timeouts')).toBe(1);
  });
});

describe('workerPoolMetrics', () => {
  it('counts the tasks piscina refuses (queue full) as rejected and the rest as completed; stop restores run()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'worker-pool-metrics-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const worker = join(dir, 'sleep.mjs');
    writeFileSync(worker, 'export default (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms));\n');
    const piscina = new Piscina({ filename: worker, minThreads: 1, maxThreads: 1, maxQueue: 1, atomics: 'async' });
    cleanups.push(() => piscina.destroy());
    const { provider, total } = meterUnderTest();
    cleanups.push(() => provider.shutdown());

    const stop = workerPoolMetrics(piscina, { name: 'test', maxQueue: 1 })(provider.getMeter('test'));
    expect(Object.hasOwn(piscina, 'run')).toBe(true);
    const results = await Promise.allSettled([piscina.run(200), piscina.run(10), piscina.run(10), piscina.run(10)]);
    const refused = results.filter((r) => r.status === 'rejected').length;
    expect(refused).toBeGreaterThan(0);
    expect(await total('worker_pool.tasks.rejected')).toBe(refused);
    expect(await total('worker_pool.tasks.completed')).toBe(results.length - refused);

    stop();
    expect(Object.hasOwn(piscina, 'run')).toBe(false);
    await piscina.run(1);
    expect(await total('worker_pool.tasks.completed')).toBe(results.length - refused);
  });
});
