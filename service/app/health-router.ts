import { Router } from 'express';
import type { Pool } from 'pg';

export interface Readiness {
  shuttingDown: boolean;
}

/** /healthz: the process is alive. /readyz: it can serve orders (DB reachable, not shutting down). */
export function healthRouter(pool: Pool, readiness: Readiness, checkTimeoutMs: number): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (readiness.shuttingDown) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      await Promise.race([
        pool.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs).unref()),
      ]);
      res.json({ status: 'ready', database: 'up' });
    } catch (error) {
      res.status(503).json({ status: 'not_ready', database: 'down', reason: error instanceof Error ? error.message : String(error) });
    }
  });
  return router;
}
