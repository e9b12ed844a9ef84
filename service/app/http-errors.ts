import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/database-errors.ts';
import type { Logger } from '../logger.ts';

/** An error whose status and JSON body are meant for the client. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: { error: string } & Record<string, unknown>) {
    super(body.error);
    this.status = status;
    this.body = body;
  }
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
};

/** Maps every failure to a JSON answer: body-parser's 400/413, the DB being unavailable to a fast 503, the rest 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json(error.body);
      return;
    }
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: `the body is over the limit of ${(error as { limit?: number }).limit ?? '?'} bytes` });
      return;
    }
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', message: 'the body is not valid JSON' });
      return;
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res.status(415).json({ error: 'unsupported_encoding', message: String((error as Error).message) });
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, path: req.path }, 'database unavailable');
      res.status(503).set('Retry-After', '1').json({ error: 'database_unavailable', message: 'the database cannot serve now; retry shortly' });
      return;
    }
    logger.error({ err: error, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal_error' });
  };
}
