import { Router } from 'express';
import { HttpError } from '../app/http-errors.ts';
import type { FaultState } from '../faults/fault-state.ts';
import type { OrderMetrics } from './order-metrics.ts';
import type { OrderProcessor } from './order-processor.ts';
import type { OrderRepository } from './order-repository.ts';
import { describeProblems, orderRequestSchema, requestHash } from './order-schema.ts';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;

export function ordersRouter(deps: { repository: OrderRepository; processor: OrderProcessor; metrics: OrderMetrics; faults: FaultState }): Router {
  const { repository, processor, metrics, faults } = deps;
  const router = Router();

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
    const result = await repository.create(parsed.data, requestHash(parsed.data), key);
    switch (result.kind) {
      case 'created':
        metrics.created.add(1);
        processor.enqueue(result.order.id);
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
    const order = await repository.find(req.params.id);
    if (!order) throw new HttpError(404, { error: 'not_found', message: `no order ${req.params.id}` });
    res.json(order);
  });

  return router;
}
