import type { Attributes, BatchObservableCallback, Meter } from '@opentelemetry/api';
import type pg from 'pg';
import { histogramFamily } from './bound-histograms.ts';
import type { Collector, StopCollector } from './collector.ts';

export interface PgPoolTelemetryOptions {
  /** The `db.client.connection.pool.name` label value. */
  name: string;
  max: number;
  idleMin: number;
  idleMax: number;
}

/** Seconds buckets for acquire/use/create times: from a fast in-memory checkout (sub-ms) to a timeout (s). */
const timeBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error | boolean) => void) => void;
type PoolConnect = (callback?: ConnectCallback) => Promise<pg.PoolClient> | undefined;
interface ConnectableClient {
  connect(callback?: (error: Error | undefined) => void): Promise<void> | undefined;
}

/**
 * HikariCP-style metrics for a pg Pool, with `db.client.connection.*` semantic-convention names: connections
 * by state, limits, callers waiting, acquire timeouts, and acquire (wait), use and create time histograms.
 *
 * pg's Pool has no timing events, so: acquire is timed by wrapping this pool's connect() (pool.query() calls
 * it too), use by the pool's 'acquire'/'release' events, creation by a Client subclass timing connect().
 * An acquire counts as a timeout when it failed after waiting at least the pool's connectionTimeoutMillis: pg
 * gives its timeout errors no code, and that wait is what makes them timeouts.
 * The returned stop puts the pool back as it was (connect, Client, listeners) and stops the observers.
 */
export function pgPoolMetrics(pool: pg.Pool, options: PgPoolTelemetryOptions): Collector {
  return (meter) => instrument(meter, pool, options);
}

function instrument(meter: Meter, pool: pg.Pool, options: PgPoolTelemetryOptions): StopCollector {
  const attrs: Attributes = { 'db.client.connection.pool.name': options.name };
  const timeoutMs = (pool.options as { connectionTimeoutMillis?: number }).connectionTimeoutMillis ?? 0;

  const count = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections in the pool, by state (idle, used).',
    unit: '{connection}',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    description: 'The most open connections the pool allows.',
    unit: '{connection}',
  });
  const idleMax = meter.createObservableUpDownCounter('db.client.connection.idle.max', {
    description: 'The most idle connections the pool keeps.',
    unit: '{connection}',
  });
  const idleMin = meter.createObservableUpDownCounter('db.client.connection.idle.min', {
    description: 'The fewest idle connections the pool keeps.',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'Callers waiting for a connection.',
    unit: '{request}',
  });
  const observables = [count, max, idleMax, idleMin, pending];
  const observe: BatchObservableCallback = (result) => {
    const idle = pool.idleCount;
    result.observe(count, idle, { ...attrs, 'db.client.connection.state': 'idle' });
    result.observe(count, Math.max(0, pool.totalCount - idle), { ...attrs, 'db.client.connection.state': 'used' });
    result.observe(max, options.max, attrs);
    result.observe(idleMax, options.idleMax, attrs);
    result.observe(idleMin, options.idleMin, attrs);
    result.observe(pending, pool.waitingCount, attrs);
  };
  meter.addBatchObservableCallback(observe, observables);

  const timeouts = meter.createCounter('db.client.connection.timeouts', {
    description: 'Connection requests that timed out waiting for a connection (connectionTimeoutMillis).',
    unit: '{timeout}',
  });
  timeouts.add(0, attrs); // exported at 0 from the start, so increase() sees the first timeout and panels are never empty
  // Bound once: these are recorded on every checkout (bound-histograms.ts).
  const waitTime = histogramFamily(meter, 'db.client.connection.wait_time', {
    description: 'Time a caller waited to obtain a connection from the pool.',
    unit: 's',
    boundaries: timeBuckets,
  }).bind(attrs);
  const useTime = histogramFamily(meter, 'db.client.connection.use_time', {
    description: 'Time between borrowing a connection and returning it to the pool.',
    unit: 's',
    boundaries: timeBuckets,
  }).bind(attrs);
  const createTime = histogramFamily(meter, 'db.client.connection.create_time', {
    description: 'Time it took to open a new connection.',
    unit: 's',
    boundaries: timeBuckets,
  }).bind(attrs);
  const seconds = (since: number): number => (performance.now() - since) / 1000;

  // Acquire: every checkout, pool.query() included, goes through this pool's connect().
  const target = pool as unknown as { connect: PoolConnect; Client: new (...args: never[]) => ConnectableClient };
  const ownConnect = Object.hasOwn(pool, 'connect') ? target.connect : undefined;
  const originalConnect = target.connect.bind(pool);
  const onAcquired = (started: number, error: unknown): void => {
    if (error === undefined || error === null) waitTime.record(seconds(started));
    // 1 ms of slack: the pool's timer and performance.now() tick on different clocks.
    else if (timeoutMs > 0 && performance.now() - started >= timeoutMs - 1) timeouts.add(1, attrs);
  };
  target.connect = (callback) => {
    const started = performance.now();
    if (callback) {
      return originalConnect((error, client, release) => {
        onAcquired(started, error);
        callback(error, client, release);
      });
    }
    return originalConnect()!.then(
      (client) => {
        onAcquired(started, undefined);
        return client;
      },
      (error: unknown) => {
        onAcquired(started, error);
        throw error;
      },
    );
  };

  // Use: from the pool handing a client out to the client coming back.
  // The checkout time rides on the client under a symbol of this instrumentation: a WeakMap's set and delete on
  // every checkout showed in the service's CPU profile.
  const borrowedAt = Symbol('db.client.connection.borrowed_at');
  type Borrowed = pg.PoolClient & { [borrowedAt]?: number };
  const onAcquire = (client: Borrowed): void => void (client[borrowedAt] = performance.now());
  const onRelease = (_error: Error | undefined, client: Borrowed): void => {
    const since = client[borrowedAt];
    if (since === undefined) return;
    client[borrowedAt] = undefined;
    useTime.record(seconds(since));
  };
  pool.on('acquire', onAcquire);
  pool.on('release', onRelease);

  // Create: the pool builds clients with `new this.Client()`, so a subclass sees every connection opened.
  const BaseClient = target.Client;
  target.Client = class TimedClient extends BaseClient {
    override connect(callback?: (error: Error | undefined) => void): Promise<void> | undefined {
      const started = performance.now();
      if (callback) {
        return super.connect((error) => {
          if (!error) createTime.record(seconds(started));
          callback(error);
        });
      }
      return super.connect()!.then(() => createTime.record(seconds(started)));
    }
  };

  return () => {
    meter.removeBatchObservableCallback(observe, observables);
    if (ownConnect) target.connect = ownConnect;
    else delete (target as Partial<typeof target>).connect;
    target.Client = BaseClient;
    pool.off('acquire', onAcquire);
    pool.off('release', onRelease);
  };
}
