import pg from 'pg';
import type { ServiceConfig } from '../config.ts';

/** A checkout refused at once because `queueMax` callers already wait for a connection. */
export class PoolQueueFullError extends Error {
  readonly code = 'EPOOLQUEUEFULL';
  constructor(queueMax: number) {
    super(`${queueMax} callers already wait for a database connection`);
  }
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error | boolean) => void) => void;
type PoolConnect = (callback?: ConnectCallback) => Promise<pg.PoolClient> | undefined;

/**
 * The bounded pg pool: a request waits at most acquireTimeoutMs for a connection, then fails (HTTP 503); with
 * `queueMax`, a checkout while that many callers already wait fails at once instead of joining the queue.
 * pg-pool has no such bound (generic-pool's maxWaitingClients), so connect() is wrapped; pool.query() goes
 * through it too.
 */
export function createPool(url: string, config: ServiceConfig['db']['pool'], queueMax?: number, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    // With overload protection the server ends a statement at the query timeout itself (and rolls it back), so
    // an error always means "not stored": the client-side timer alone can fire after the server committed (an
    // event loop that stalled runs its timers before it reads the answer waiting on the socket).
    ...(queueMax === undefined ? {} : { options: `-c statement_timeout=${config.queryTimeoutMs}` }),
    ...extra,
    connectionString: url,
    max: config.max,
    min: config.minIdle,
    connectionTimeoutMillis: config.acquireTimeoutMs,
    query_timeout: config.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: config.name,
  });
  if (queueMax === undefined) return pool;
  const connect = (pool.connect as PoolConnect).bind(pool);
  (pool as unknown as { connect: PoolConnect }).connect = (callback) => {
    // Only a caller that would have to wait joins the queue; one that finds an idle or new connection never does.
    const mustWait = pool.idleCount === 0 && pool.totalCount >= config.max;
    if (mustWait && pool.waitingCount >= queueMax) {
      const error = new PoolQueueFullError(queueMax);
      if (callback) {
        queueMicrotask(() => callback(error, undefined, () => {}));
        return undefined;
      }
      return Promise.reject(error);
    }
    return connect(callback);
  };
  return pool;
}

/**
 * The background pool of order processing (claim, price, complete) and of the reconciler: apart from the request
 * pool, so work the 201s promised never takes a connection (or a slot of its bounded queue) from requests being
 * answered, and a backlog after a surge is worked off beside new requests. Its commits skip waiting for the WAL flush (synchronous_commit=off): a state change lost
 * in a database crash only sends the order through the reconciler again (pricing is deterministic), whereas
 * the INSERT behind a 201 stays fully durable on the request pool.
 */
export function createProcessingPool(url: string, config: ServiceConfig['db']['pool'], max: number): pg.Pool {
  return createPool(url, { ...config, name: `${config.name}-processing`, max, minIdle: 0 }, undefined, { options: '-c synchronous_commit=off' });
}
