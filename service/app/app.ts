import express, { type Express } from 'express';
import type { Pool } from 'pg';
import type { ServiceConfig } from '../config.ts';
import { FaultState } from '../faults/fault-state.ts';
import { faultsRouter, requestMemoryMiddleware } from '../faults/faults-router.ts';
import type { Logger } from '../logger.ts';
import type { OrderMetrics } from '../orders/order-metrics.ts';
import type { OrderProcessor } from '../orders/order-processor.ts';
import type { OrderRepository } from '../orders/order-repository.ts';
import { ordersRouter } from '../orders/orders-router.ts';
import type { AdmissionControl } from '../admission/admission-control.ts';
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
  /** Overload protection of the order routes; undefined when OVERLOAD_PROTECTION is off. */
  admission?: AdmissionControl | undefined;
}

/** The HTTP surface: health, orders, fault injection when enabled, JSON 404s and errors. */
export function createApp(deps: AppDeps): Express {
  const { config, pool, workers, repository, processor, metrics, readiness, logger, admission } = deps;
  const faults = new FaultState();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    // While stopping, each keep-alive connection is closed after its current answer, so server.close() can finish.
    if (readiness.shuttingDown) res.set('Connection', 'close');
    next();
  });
  // Admission before the body is read: a refused request costs no parsing, and admitted ones bound the bodies in memory.
  // A client over its own rate is refused (429) before it takes a slot under the limit.
  if (admission?.clientRateLimit) app.use('/orders', admission.clientRateLimit);
  if (admission) app.use('/orders', admission.middleware);
  // After admission: a refused request holds nothing, as with the real per-request objects.
  if (config.faultInjection) app.use('/orders', requestMemoryMiddleware(faults));
  app.use(express.json({ limit: config.http.bodyLimit }));
  app.use(healthRouter(pool, readiness, config.db.pool.acquireTimeoutMs));
  const overload = admission && { admission, deadlineMs: config.overload.orderDeadlineMs };
  app.use(ordersRouter({ repository, processor, metrics, faults, overload }));
  if (config.faultInjection) app.use(faultsRouter({ pool, workers, faults, logger }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
