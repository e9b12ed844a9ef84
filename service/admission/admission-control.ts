import type { RequestHandler, Response } from 'express';
import type { OverloadConfig } from '../config.ts';
import { createAdmissionMetrics, type AdmissionMetrics, type Priority, type ShedReason } from './admission-metrics.ts';
import { GradientLimit } from './gradient-limit.ts';
import { heapPressure, sampleEventLoopDelay } from './overload-signals.ts';

export interface AdmissionControl {
  /** In front of the order routes, before the body is read: admits the request or answers 503 at once. */
  readonly middleware: RequestHandler;
  readonly metrics: AdmissionMetrics;
  /** Answers 503 + Retry-After with a JSON body naming the reason, and counts it. */
  refuse(res: Response, reason: ShedReason, priority: Priority): void;
  stop(): void;
}

/** How often the heap is read (reading every heap space per request would cost more than the request). */
const heapSampleMs = 100;

const messages: Record<ShedReason, string> = {
  concurrency_limit: 'the service is at its concurrency limit; retry after the delay given',
  event_loop_delay: 'the service is too busy to answer in time; retry after the delay given',
  heap: 'the service is short of memory; retry after the delay given',
  db_pool_waiting: 'too many requests are waiting for the database; retry after the delay given',
  db_pool_queue_full: 'too many requests are waiting for the database; retry after the delay given',
  deadline: 'the order could not be stored in time and was not stored; retry after the delay given',
};

export function priorityOf(method: string): Priority {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/**
 * Admission control for the order routes: an adaptive concurrency limit (gradient, see gradient-limit.ts) and
 * hard guards on what killed the seed service (event-loop delay, old-generation heap against the limit the
 * process dies at, callers waiting for a DB connection). Writes may use the limit less a reserve, so reads
 * still get in during a write surge; the guards shed writes only. Nothing waits here: a request is admitted
 * or refused at once.
 */
export function createAdmissionControl(config: OverloadConfig['admission'], pool: { readonly waitingCount: number }): AdmissionControl {
  const limiter = new GradientLimit({
    initialLimit: config.initialLimit,
    minLimit: config.minLimit,
    maxLimit: config.maxLimit,
    tolerance: config.latencyTolerance,
  });
  let inFlight = 0;
  const eventLoop = sampleEventLoopDelay();
  const heap = heapPressure();
  let heapRatio = heap.ratio();
  const heapTimer = setInterval(() => (heapRatio = heap.ratio()), heapSampleMs);
  heapTimer.unref();
  const metrics = createAdmissionMetrics({
    limit: () => limiter.limit,
    inFlight: () => inFlight,
    baselineSeconds: () => (limiter.baselineMs === undefined ? undefined : limiter.baselineMs / 1000),
  });
  const bodies = Object.fromEntries(
    Object.entries(messages).map(([reason, message]) => [reason, JSON.stringify({ error: 'overloaded', reason, message, retryAfterSeconds: config.retryAfterSeconds })]),
  ) as Record<ShedReason, string>;
  const retryAfter = String(config.retryAfterSeconds);

  const writeLimit = (limit: number): number => Math.max(1, limit - (config.readReserve > 0 ? Math.max(1, Math.ceil(limit * config.readReserve)) : 0));

  const refusal = (priority: Priority): ShedReason | undefined => {
    const limit = limiter.limit;
    if (priority === 'read') return inFlight >= limit ? 'concurrency_limit' : undefined;
    if (eventLoop.recentMaxMs() > config.eventLoopDelayMaxMs) return 'event_loop_delay';
    if (heapRatio > config.heapMaxRatio) return 'heap';
    if (pool.waitingCount >= config.dbWaitingMax) return 'db_pool_waiting';
    return inFlight >= writeLimit(limit) ? 'concurrency_limit' : undefined;
  };

  const refuse = (res: Response, reason: ShedReason, priority: Priority): void => {
    metrics.shed.add(1, { reason, priority });
    if (res.headersSent) return;
    res.status(503).set('Retry-After', retryAfter).type('application/json').send(bodies[reason]);
  };

  const middleware: RequestHandler = (req, res, next) => {
    const priority = priorityOf(req.method);
    const reason = refusal(priority);
    if (reason) {
      refuse(res, reason, priority);
      return;
    }
    inFlight++;
    metrics.admitted.add(1, { priority });
    const started = performance.now();
    const inFlightAtStart = inFlight;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      inFlight--;
      limiter.addSample(performance.now() - started, inFlightAtStart);
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  return {
    middleware,
    metrics,
    refuse,
    stop: () => {
      clearInterval(heapTimer);
      eventLoop.stop();
    },
  };
}
