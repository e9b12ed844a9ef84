import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { OverloadConfig } from '../config.ts';
import { priorityOf, type AdmissionMetrics } from './admission-metrics.ts';

type ClientRate = NonNullable<OverloadConfig['admission']['clientRate']>;

/**
 * A per-client rate limit in front of the order routes (express-rate-limit, fixed window, in this process's
 * memory): a client over ADMISSION_CLIENT_MAX_REQUESTS per window gets 429 with `Retry-After` (the seconds until
 * its window resets) and a JSON body, before admission control counts it, so one client's flood takes no slot
 * from the others. The client is the ADMISSION_CLIENT_KEY_HEADER value when configured and present, otherwise
 * its address (an IPv6 client by its /56, as the library advises). Each replica counts on its own.
 */
export function clientRateLimit(config: ClientRate, metrics: AdmissionMetrics): RequestHandler {
  const windowMs = config.windowSeconds * 1000;
  return rateLimit({
    windowMs,
    limit: config.maxRequests,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req: Request) => {
      const id = config.keyHeader ? req.get(config.keyHeader) : undefined;
      return id ? `client:${id}` : `address:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;
    },
    handler: (req, res) => {
      const resetAt = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      metrics.rateLimited.add(1, { priority: priorityOf(req.method) });
      res
        .status(429)
        .set('Retry-After', String(retryAfterSeconds))
        .json({ error: 'rate_limited', reason: 'client_rate', message: `this client is over its ${config.maxRequests} requests per ${config.windowSeconds} s; retry after the delay given`, retryAfterSeconds });
    },
  });
}
