import express, { type Express } from 'express';
import type { Pool } from 'pg';
import type { ServiceConfig } from '../config.ts';
import { FaultState } from '../faults/fault-state.ts';
import { faultsRouter } from '../faults/faults-router.ts';
import type { Logger } from '../logger.ts';
import type { OrderMetrics } from '../orders/order-metrics.ts';
import type { OrderProcessor } from '../orders/order-processor.ts';
import type { OrderRepository } from '../orders/order-repository.ts';
import { ordersRouter } from '../orders/orders-router.ts';
import type { WorkerPool } from '../workers/order-worker-pool.ts';
import { healthRouter, type Readiness } from './health-router.ts';
import { errorHandler, notFound } from './http-errors.ts';

export interface AppDeps {
  config: ServiceConfig;
  pool: Pool;
  workers: WorkerPool;
  repository: OrderRepository;
  processor: OrderProcessor;
  metrics: OrderMetrics;
  readiness: Readiness;
  logger: Logger;
}

/** The HTTP surface: health, orders, fault injection when enabled, JSON 404s and errors. */
export function createApp(deps: AppDeps): Express {
  const { config, pool, workers, repository, processor, metrics, readiness, logger } = deps;
  const faults = new FaultState();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    // While stopping, each keep-alive connection is closed after its current answer, so server.close() can finish.
    if (readiness.shuttingDown) res.set('Connection', 'close');
    next();
  });
  app.use(express.json({ limit: config.http.bodyLimit }));
  app.use(healthRouter(pool, readiness, config.db.pool.acquireTimeoutMs));
  app.use(ordersRouter({ repository, processor, metrics, faults }));
  if (config.faultInjection) app.use(faultsRouter({ pool, workers, faults, logger }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
