import { AsyncResource } from 'node:async_hooks';
import type { RequestListener, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { OverloadConfig } from '../config.ts';
import { createAdmissionMetrics, priorityOf, type AdmissionMetrics, type Priority, type ShedReason } from './admission-metrics.ts';
import { clientRateLimit } from './client-rate-limit.ts';
import { GradientLimit } from './gradient-limit.ts';
import { heapPressure, sampleEventLoopDelay } from './overload-signals.ts';

export interface AdmissionControl {
  /** In front of the order routes, before the body is read: admits the request, queues it briefly, or answers 503 at once. */
  readonly middleware: RequestHandler;
  /** Before `middleware`, when a per-client limit is configured: 429 for a client over its own rate. */
  readonly clientRateLimit: RequestHandler | undefined;
  /**
   * The server's request listener: refuses a request to the order routes that `middleware` would refuse now,
   * before express sees it (answered for a fraction of express's cost per request, which decides how much of a
   * surge a replica can turn away); passes everything else to `app`, where `middleware` decides for good.
   * `bypass()` true (while stopping) sends every request through `app`.
   */
  front(app: RequestListener, options?: { bypass?: () => boolean }): RequestListener;
  readonly metrics: AdmissionMetrics;
  /** Answers 503 + Retry-After with a JSON body naming the reason, and counts it. */
  refuse(res: ServerResponse, reason: ShedReason, priority: Priority): void;
  stop(): void;
}

const messages: Record<ShedReason, string> = {
  concurrency_limit: 'the service is at its concurrency limit; retry after the delay given',
  queue_timeout: 'the service could not start the request in time; retry after the delay given',
  event_loop_delay: 'the service is too busy to answer in time; retry after the delay given',
  heap: 'the service is short of memory; retry after the delay given',
  db_pool_waiting: 'too many requests are waiting for the database; retry after the delay given',
  db_pool_queue_full: 'too many requests are waiting for the database; retry after the delay given',
  deadline: 'the order could not be stored in time and was not stored; retry after the delay given',
  processing_backlog: 'the service has more accepted orders to process than it can finish soon; retry after the delay given',
};

interface Waiting {
  req: Request;
  res: Response;
  next: NextFunction;
  priority: Priority;
  queuedAt: number;
  timer: NodeJS.Timeout;
}

/**
 * Admission control for the order routes: an adaptive concurrency limit (gradient, see gradient-limit.ts) and
 * hard guards on what killed the seed service (event-loop delay, old-generation heap against the limit the
 * process dies at, callers waiting for a DB connection) and on accepted orders the workers cannot finish soon.
 *
 * Over the limit a request is refused at once (by default), or, with `queueMaxWaitMs` set, may wait in a short
 * queue if the queue ahead of it can be served in that time at the rate requests are finishing now (Little's
 * law: limit / recent latency); a refusal then comes after a wait only when the estimate was wrong (at
 * `queueMaxWaitMs`, as queue_timeout). Reads are served from a reserve writes cannot take and leave the queue
 * first; the guards shed writes only.
 */
export interface AdmissionSignals {
  pool: { readonly waitingCount: number };
  /** Accepted orders not yet processed, in seconds of work (service/orders/processing-backlog.ts). */
  backlog: { seconds(): number };
}

export function createAdmissionControl(config: OverloadConfig['admission'], { pool, backlog }: AdmissionSignals): AdmissionControl {
  const limiter = new GradientLimit({
    initialLimit: config.initialLimit,
    minLimit: config.minLimit,
    maxLimit: config.maxLimit,
    tolerance: config.latencyTolerance,
  });
  let inFlight = 0;
  const queues: Record<Priority, Waiting[]> = { read: [], write: [] };
  const eventLoop = sampleEventLoopDelay();
  const heap = heapPressure();
  const metrics = createAdmissionMetrics({
    limit: () => limiter.limit,
    inFlight: () => inFlight,
    queued: () => queues.read.length + queues.write.length,
    baselineSeconds: () => (limiter.baselineMs === undefined ? undefined : limiter.baselineMs / 1000),
  });
  const bodies = Object.fromEntries(
    Object.entries(messages).map(([reason, message]) => [reason, JSON.stringify({ error: 'overloaded', reason, message, retryAfterSeconds: config.retryAfterSeconds })]),
  ) as Record<ShedReason, string>;
  const retryAfter = String(config.retryAfterSeconds);

  const limitFor = (priority: Priority): number => {
    const limit = limiter.limit;
    if (priority === 'read' || config.readReserve === 0) return limit;
    return Math.max(1, limit - Math.max(1, Math.ceil(limit * config.readReserve)));
  };
  /**
   * Requests that can start within the wait budget at the rate they finish now (limit / latency), halved: the
   * latency of the last window lags a surge, and a request refused at once costs its client less than one
   * refused after waiting.
   */
  const queueCapacity = (): number => {
    if (config.queueMaxWaitMs === 0) return 0;
    const latency = limiter.recentLatencyMs ?? limiter.baselineMs;
    if (latency === undefined) return Math.floor(limiter.limit / 2); // no measure yet
    // Never more than the max limit: requests held in memory stay under twice ADMISSION_MAX_LIMIT however many
    // connections arrive (each body at most BODY_LIMIT).
    return Math.min(config.maxLimit, Math.floor((0.5 * limiter.limit * config.queueMaxWaitMs) / Math.max(latency, 1)));
  };

  const guardRefusal = (priority: Priority): ShedReason | undefined => {
    if (priority === 'read') return undefined;
    if (eventLoop.recentMaxMs() > config.eventLoopDelayMaxMs) return 'event_loop_delay';
    if (heap.ratio() > config.heapMaxRatio) return 'heap';
    if (pool.waitingCount >= config.dbWaitingMax) return 'db_pool_waiting';
    if (backlog.seconds() > config.backlogMaxSeconds) return 'processing_backlog';
    return undefined;
  };

  // Node's own response API, not express's: the same answer from the front listener, before express.
  const refuse = (res: ServerResponse, reason: ShedReason, priority: Priority): void => {
    metrics.shed.add(1, { reason, priority });
    if (res.headersSent) return;
    const body = bodies[reason];
    res.writeHead(503, { 'Retry-After': retryAfter, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const admit = (res: Response, next: NextFunction, priority: Priority, waitedMs: number): void => {
    inFlight++;
    metrics.admitted.add(1, { priority });
    metrics.queueWait.record(waitedMs / 1000, { priority });
    const started = performance.now();
    const inFlightAtStart = inFlight;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      inFlight--;
      limiter.addSample(performance.now() - started, inFlightAtStart);
      startWaiting();
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  /** Starts queued requests while there is room under the limit, reads first. */
  const startWaiting = (): void => {
    for (const priority of ['read', 'write'] as const) {
      const queue = queues[priority];
      while (queue.length > 0 && inFlight < limitFor(priority)) {
        const waiting = queue.shift()!;
        clearTimeout(waiting.timer);
        if (waiting.res.destroyed) continue; // its client left while it waited
        admit(waiting.res, waiting.next, priority, performance.now() - waiting.queuedAt);
      }
    }
  };

  const enqueue = (req: Request, res: Response, next: NextFunction, priority: Priority): void => {
    const queue = queues[priority];
    const waiting: Waiting = {
      req,
      res,
      // Started later from another request's completion: keep this request's own async context (its trace
      // span and route) rather than that request's.
      next: AsyncResource.bind(next),
      priority,
      queuedAt: performance.now(),
      timer: setTimeout(() => {
        const index = queue.indexOf(waiting);
        if (index >= 0) queue.splice(index, 1);
        refuse(res, 'queue_timeout', priority);
      }, config.queueMaxWaitMs),
    };
    queue.push(waiting);
  };

  /** What to do with a request of this priority now: admit it, queue it, or refuse it (and why). */
  const decide = (priority: Priority): 'admit' | 'queue' | ShedReason => {
    const guard = guardRefusal(priority);
    if (guard) return guard;
    const queued = queues.read.length + queues.write.length;
    if (queued === 0 && inFlight < limitFor(priority)) return 'admit';
    const ahead = priority === 'read' ? queues.read.length : queued;
    return ahead < queueCapacity() ? 'queue' : 'concurrency_limit';
  };

  const middleware: RequestHandler = (req, res, next) => {
    const priority = priorityOf(req.method);
    const decision = decide(priority);
    if (decision === 'admit') admit(res, next, priority, 0);
    else if (decision === 'queue') enqueue(req, res, next, priority);
    else refuse(res, decision, priority);
  };

  const front = (app: RequestListener, options: { bypass?: () => boolean } = {}): RequestListener => (req, res) => {
    if (isOrderRoute(req.url) && !options.bypass?.()) {
      const priority = priorityOf(req.method ?? 'GET');
      const decision = decide(priority);
      if (decision !== 'admit' && decision !== 'queue') {
        refuse(res, decision, priority);
        return;
      }
    }
    app(req, res);
  };

  return {
    middleware,
    front,
    clientRateLimit: config.clientRate && clientRateLimit(config.clientRate, metrics),
    metrics,
    refuse,
    stop: () => {
      heap.stop();
      eventLoop.stop();
      for (const queue of Object.values(queues)) for (const waiting of queue.splice(0)) clearTimeout(waiting.timer);
    },
  };
}

/** The paths `app.use('/orders', middleware)` covers: /orders and below, any case, as express matches them. */
function isOrderRoute(url: string | undefined): boolean {
  if (url === undefined) return false;
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  return path === '/orders' || path.startsWith('/orders/');
}
