import { createAdmissionControl } from './admission/admission-control.ts';
import { createApp } from './app/app.ts';
import type { Readiness } from './app/health-router.ts';
import { listenHttp } from './app/http-listeners.ts';
import type { ServiceConfig } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres.ts';
import { migrate } from './db/migrations.ts';
import { createPool, createProcessingPool } from './db/pool.ts';
import type { Logger } from './logger.ts';
import { createOrderMetrics } from './orders/order-metrics.ts';
import { OrderProcessor } from './orders/order-processor.ts';
import { ProcessingBacklog } from './orders/processing-backlog.ts';
import { OrderRepository } from './orders/order-repository.ts';
import { Reconciler } from './orders/reconciler.ts';
import type { Telemetry } from './telemetry/index.ts';
import { createWorkerPool } from './workers/order-worker-pool.ts';

const listenBacklog = 4096;

export interface RunningService {
  url: string;
  /** Graceful stop: no new requests, in-flight requests and order processing finish, then everything closes. */
  stop(): Promise<void>;
}

/** Wires the order service together and starts it; the composition root. */
export async function startService(config: ServiceConfig, logger: Logger, telemetry: Pick<Telemetry, 'instrumentPgPool' | 'instrumentWorkerPool'>): Promise<RunningService> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.db.url;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ ...config.db.embedded, logger });
    databaseUrl = embedded.url;
  }
  const { overload } = config;
  const pool = createPool(databaseUrl, config.db.pool, overload.enabled ? overload.dbPoolQueueMax : undefined);
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  telemetry.instrumentPgPool(pool, { name: config.db.pool.name, max: config.db.pool.max, idleMin: config.db.pool.minIdle, idleMax: config.db.pool.max });
  const applied = await migrate(pool);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const workers = createWorkerPool(config.workers);
  telemetry.instrumentWorkerPool(workers.piscina, { name: 'orders', maxQueue: config.workers.queueMax });
  const metrics = createOrderMetrics();
  const repository = new OrderRepository(pool, overload.enabled ? { commitTimeoutMs: config.db.pool.queryTimeoutMs + 5_000 } : {});
  // A few orders per worker thread keep the threads busy; more would only queue claims and updates. With a
  // processing connection for every order in flight, and the reconciler's on top, the pool never has callers waiting.
  const processingMax = Math.max(2, Math.min(4 * config.workers.size, config.workers.size + config.workers.queueMax));
  // Plus the reconciler's own: one pass and one stats sample (two queries) at a time.
  const backgroundMax = processingMax + 3;
  const processingPool = createProcessingPool(databaseUrl, config.db.pool, backgroundMax);
  processingPool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  telemetry.instrumentPgPool(processingPool, { name: `${config.db.pool.name}-processing`, max: backgroundMax, idleMin: 0, idleMax: backgroundMax });
  const backlog = overload.enabled ? new ProcessingBacklog() : undefined;
  // Background work (processing, and the reconciler's passes and stats) runs on the processing pool: on the
  // request pool a stats sample during a database stall took a slot of its bounded queue, and a request was
  // refused (db_pool_queue_full) for it.
  const background = new OrderRepository(processingPool);
  const processor = new OrderProcessor({
    repository: background,
    workers,
    metrics,
    logger,
    maxInFlight: overload.enabled ? processingMax : undefined,
    ...(backlog ? { backlog } : {}),
  });
  const reconciler = new Reconciler({ repository: background, processor, metrics, logger, config: config.orders, ...(backlog ? { backlog } : {}) });
  const readiness: Readiness = { shuttingDown: false };
  const admission = backlog ? createAdmissionControl(overload.admission, { pool, backlog }) : undefined;
  const app = createApp({ config, pool, workers, repository, processor, metrics, readiness, logger, admission });

  // A surge opens thousands of connections at once; Node's default accept backlog (511) drops the SYNs beyond
  // it and those clients wait 1-3 s for the kernel's retransmit before their request is even seen. The kernel
  // caps this at net.core.somaxconn.
  const server = await listenHttp(admission ? admission.front(app, { bypass: () => readiness.shuttingDown }) : app, {
    host: config.http.host,
    port: config.http.port,
    count: config.http.listeners,
    backlog: listenBacklog,
  });
  const { port } = server;
  reconciler.start();
  const url = `http://${config.http.host}:${port}`;
  logger.info({ url }, 'order service listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      readiness.shuttingDown = true;
      const closed = server.close();
      server.closeIdleConnections();
      await closed; // in-flight requests answered; every 201 is already committed
      await reconciler.stop();
      await processor.drain();
      await workers.destroy();
      admission?.stop();
      await processingPool.end();
      await pool.end();
      await embedded?.stop();
      logger.info('order service stopped');
    })());
  return { url, stop };
}
