import { Router, type Response } from 'express';
import type { AdmissionControl } from '../admission/admission-control.ts';
import { priorityOf } from '../admission/admission-metrics.ts';
import { HttpError } from '../app/http-errors.ts';
import { PoolQueueFullError } from '../db/pool.ts';
import type { FaultState } from '../faults/fault-state.ts';
import type { OrderMetrics } from './order-metrics.ts';
import type { OrderProcessor } from './order-processor.ts';
import type { OrderRepository } from './order-repository.ts';
import { CommitGuard } from './commit-guard.ts';
import { describeProblems, orderRequestSchema, requestHash } from './order-schema.ts';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;

/** Overload protection for the order routes; absent when OVERLOAD_PROTECTION is off. */
export interface OrderOverload {
  admission: AdmissionControl;
  deadlineMs: number;
}

export function ordersRouter(deps: { repository: OrderRepository; processor: OrderProcessor; metrics: OrderMetrics; faults: FaultState; overload?: OrderOverload }): Router {
  const { repository, processor, metrics, faults, overload } = deps;
  const router = Router();

  /** A full DB pool queue is refused like any other overload (503 + Retry-After), not as a DB outage. */
  const refusedIfPoolFull = (error: unknown, res: Response, method: string): boolean => {
    if (!(overload && error instanceof PoolQueueFullError)) return false;
    overload.admission.refuse(res, 'db_pool_queue_full', priorityOf(method));
    return true;
  };

  const commitGuard = (res: Response): CommitGuard | undefined => {
    if (!overload) return undefined;
    const { admission } = overload;
    return new CommitGuard(res, overload.deadlineMs, {
      onDeadline: () => admission.refuse(res, 'deadline', 'write'),
      onAbandon: (reason) => admission.metrics.abandoned.add(1, { reason }),
    });
  };

  // The injected 500s hit the order API only, so the fault can always be switched off again.
  router.use('/orders', (_req, _res, next) => {
    if (faults.shouldFailRequest()) throw new HttpError(500, { error: 'injected_fault', message: 'fault injection answered 500' });
    next();
  });

  router.post('/orders', async (req, res) => {
    const key = req.get('Idempotency-Key');
    if (key !== undefined && !idempotencyKeyPattern.test(key)) {
      throw new HttpError(400, { error: 'invalid_request', problems: [{ path: 'header:Idempotency-Key', message: '1 to 200 visible ASCII characters' }] });
    }
    const parsed = orderRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, { error: 'invalid_request', problems: describeProblems(parsed.error) });
    const guard = commitGuard(res);
    let result;
    try {
      result = await repository.create(
        parsed.data,
        requestHash(parsed.data),
        key,
        guard && (() => guard.enterCommit()),
      );
    } catch (error) {
      if (res.headersSent) return; // already answered 503 at the deadline; nothing was stored
      if (refusedIfPoolFull(error, res, req.method)) return;
      throw error;
    } finally {
      guard?.dispose();
    }
    switch (result.kind) {
      case 'abandoned':
        return; // answered 503 at the deadline, or the client is gone: nothing stored
      case 'created':
        metrics.created.add(1);
        processor.enqueue(result.order.id); // false when the worker queue is full: left PENDING for the reconciler
        res.status(201).location(`/orders/${result.order.id}`).json(result.order);
        return;
      case 'replayed':
        metrics.idempotentReplays.add(1);
        res.status(200).set('Idempotent-Replayed', 'true').json(result.order);
        return;
      case 'conflict':
        throw new HttpError(409, {
          error: 'idempotency_key_reused',
          message: 'this Idempotency-Key was used with a different body',
          orderId: result.order.id,
        });
    }
  });

  router.get('/orders/:id', async (req, res) => {
    let order;
    try {
      order = await repository.find(req.params.id);
    } catch (error) {
      if (refusedIfPoolFull(error, res, req.method)) return;
      throw error;
    }
    if (!order) throw new HttpError(404, { error: 'not_found', message: `no order ${req.params.id}` });
    res.json(order);
  });

  return router;
}
