// The span-free query duration recorder on a real pg Pool against a real PostgreSQL: every way of querying a
// pooled client (pool.query, a checked-out client's promise and callback forms) is timed under the attributes
// instrumentation-pg gives, a failed query carries its SQLSTATE as error.type, and stop puts the clients back.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterUnderTest, type HistogramPoint } from '../../test/support/meter-under-test.ts';
import { startTestPostgres, type TestPostgres } from '../../test/support/test-postgres.ts';
import { operationName, pgQueryDuration } from './db-query-duration.ts';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.destroy();
});

const countOf = (points: HistogramPoint[], operation: string, errorType?: string): number =>
  points.filter((p) => p.attributes['db.operation.name'] === operation && p.attributes['error.type'] === errorType).reduce((n, p) => n + p.count, 0);

describe('operationName', () => {
  it("is the statement's first word, upper case, without a trailing semicolon", () => {
    expect(operationName('  select 1')).toBe('SELECT');
    expect(operationName('insert into t values (1)')).toBe('INSERT');
    expect(operationName('COMMIT;')).toBe('COMMIT');
    expect(operationName('begin')).toBe('BEGIN');
  });
});

describe('pgQueryDuration', () => {
  it('times pool.query and a checked-out client (promise and callback), names the operation and the connection, and stop restores every client', async () => {
    const meter = meterUnderTest();
    const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    const url = new URL(postgres.url);
    const stop = pgQueryDuration(pool)(meter.provider.getMeter('test'));
    try {
      await pool.query('select 1');
      const client = await pool.connect();
      const prototypeQuery = pg.Client.prototype.query;
      expect(client.query).not.toBe(prototypeQuery);
      try {
        await client.query('BEGIN');
        await client.query({ text: 'select $1::int as n', values: [7] });
        await new Promise<void>((resolve, reject) => client.query('COMMIT', (error: Error | null) => (error ? reject(error) : resolve())));
        await expect(client.query('select * from no_such_table')).rejects.toMatchObject({ code: '42P01' });
      } finally {
        client.release();
      }
      const points = await meter.histogram('db.client.operation.duration');
      expect(countOf(points, 'SELECT')).toBe(2);
      expect(countOf(points, 'BEGIN')).toBe(1);
      expect(countOf(points, 'COMMIT')).toBe(1);
      expect(countOf(points, 'SELECT', '42P01')).toBe(1);
      expect(points[0]!.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'db.namespace': url.pathname.slice(1),
        'server.address': url.hostname,
        'server.port': Number(url.port),
      });
    } finally {
      stop();
    }
    // Stopped: the clients query through pg's own method again, and nothing more is recorded.
    const client = await pool.connect();
    expect(Object.hasOwn(client, 'query')).toBe(false);
    client.release();
    await pool.query('select 2');
    expect(countOf(await meter.histogram('db.client.operation.duration'), 'SELECT')).toBe(2);
    expect(pool.listenerCount('acquire') + pool.listenerCount('remove')).toBe(0);
    await pool.end();
    await meter.provider.shutdown();
  });
});
