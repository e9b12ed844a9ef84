import { Router, type RequestHandler } from 'express';
import type { Pool, QueryConfig } from 'pg';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { HttpError } from '../app/http-errors.ts';
import type { Logger } from '../logger.ts';
import { describeProblems } from '../orders/order-schema.ts';
import type { WorkerPool } from '../workers/order-worker-pool.ts';
import type { FaultState } from './fault-state.ts';

const doublesPerMiB = (1024 * 1024) / 8;

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new HttpError(400, { error: 'invalid_request', problems: describeProblems(parsed.error) });
  return parsed.data;
}

/** A handle on V8's gc(), which is only exposed by a flag; set at run time so the service needs no special start. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const doublesPerKiB = 1024 / 8;

/**
 * With the request-memory fault on, each order request holds that much heap until its answer is sent (or its
 * client is gone): the backlog's memory, which overload protection bounds by refusing what it cannot serve.
 */
export function requestMemoryMiddleware(faults: FaultState): RequestHandler {
  return (_req, res, next) => {
    const kib = faults.requestMemoryKib(Date.now());
    if (kib > 0) {
      // fill(): one pass, no callback per element; a request's memory must not cost it much CPU.
      let held: number[] | undefined = new Array<number>(kib * doublesPerKiB).fill(0.5);
      res.once('close', () => {
        held = undefined;
      });
      res.locals.heldMemory = () => held?.length;
    }
    next();
  };
}

/**
 * /admin/faults/*: makes the incident's failure modes happen for real (tests and demos; only with
 * FAULT_INJECTION=true). Each request returns at once; the effect runs in the background.
 */
export function faultsRouter(deps: { pool: Pool; workers: WorkerPool; faults: FaultState; logger: Logger }): Router {
  const { pool, workers, faults, logger } = deps;
  const router = Router();

  router.post('/admin/faults/db-hold', (req, res) => {
    const { connections, seconds } = parse(z.object({ connections: z.number().int().min(1).max(1000), seconds: z.number().positive().max(600) }), req.body);
    for (let i = 0; i < connections; i++) {
      // Its own query timeout (pg reads it per query; its types omit it): the pool's DB_QUERY_TIMEOUT_MS would end
      // the hold early; and no statement_timeout on this connection while it holds (the request pool sets one).
      const hold: QueryConfig & { query_timeout: number } = { text: 'SELECT pg_sleep($1)', values: [seconds], query_timeout: (seconds + 5) * 1000 };
      void (async () => {
        const client = await pool.connect();
        try {
          await client.query('SET statement_timeout = 0');
          await client.query(hold);
          await client.query('RESET statement_timeout');
          client.release();
        } catch (error) {
          client.release(error instanceof Error ? error : true); // a connection in an unknown state is not reused
          throw error;
        }
      })().catch((error: unknown) => logger.debug({ err: error }, 'db-hold query ended'));
    }
    res.status(202).json({ holding: connections, seconds });
  });

  router.post('/admin/faults/cpu', (req, res) => {
    const { tasks, ms } = parse(z.object({ tasks: z.number().int().min(1).max(100_000), ms: z.number().int().min(1).max(60_000) }), req.body);
    let rejected = 0;
    const runs = Array.from({ length: tasks }, () => workers.run({ kind: 'burn', ms }).catch(() => void rejected++));
    void Promise.all(runs).then(() => logger.info({ tasks, rejected }, 'cpu fault finished'));
    res.status(202).json({ submitted: tasks, ms });
  });

  const retainOneMiB = (): void => void faults.retained.push(Array.from({ length: doublesPerMiB }, (_, j) => j + 0.5));

  router.post('/admin/faults/heap', (req, res) => {
    const { megabytes } = parse(z.object({ megabytes: z.number().int().min(1).max(4096) }), req.body);
    for (let i = 0; i < megabytes; i++) retainOneMiB();
    res.status(200).json({ retainedMegabytes: faults.retained.length });
  });

  // A leak at a steady rate, run by the service itself: a loaded service answers admin requests late, so a
  // client-paced leak would stall exactly when memory should climb.
  router.post('/admin/faults/heap-leak', (req, res) => {
    const { megabytesPerSecond, upToMegabytes } = parse(
      z.object({ megabytesPerSecond: z.number().positive().max(100), upToMegabytes: z.number().int().min(1).max(4096) }),
      req.body,
    );
    clearInterval(faults.leakTimer);
    let owed = 0;
    const tickMs = 250;
    faults.leakTimer = setInterval(() => {
      owed += (megabytesPerSecond * tickMs) / 1000;
      for (; owed >= 1 && faults.retained.length < upToMegabytes; owed--) retainOneMiB();
      if (faults.retained.length >= upToMegabytes) clearInterval(faults.leakTimer);
    }, tickMs);
    faults.leakTimer.unref();
    res.status(202).json({ megabytesPerSecond, upToMegabytes });
  });

  router.delete('/admin/faults/heap', (_req, res) => {
    clearInterval(faults.leakTimer);
    faults.retained.length = 0;
    res.status(200).json({ retainedMegabytes: 0 });
  });

  router.post('/admin/faults/request-memory', (req, res) => {
    const { kilobytes, doublingSeconds, upToKilobytes } = parse(
      z.object({ kilobytes: z.number().int().min(0).max(4096), doublingSeconds: z.number().positive().max(3600).optional(), upToKilobytes: z.number().int().min(1).max(4096).optional() }),
      req.body,
    );
    faults.requestMemory = { kilobytes, since: Date.now(), doublingSeconds, upToKilobytes: upToKilobytes ?? kilobytes };
    res.status(200).json({ requestMemoryKib: kilobytes, doublingSeconds, upToKilobytes });
  });

  router.post('/admin/faults/gc', (_req, res) => {
    gcFunction()();
    res.status(200).json({ collected: true });
  });

  router.post('/admin/faults/block-loop', (req, res) => {
    const { ms } = parse(z.object({ ms: z.number().int().min(1).max(60_000) }), req.body);
    res.status(202).json({ blockingMs: ms });
    setImmediate(() => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // Blocking the event loop on purpose: this is the fault.
      }
    });
  });

  router.post('/admin/faults/errors', (req, res) => {
    const { ratio } = parse(z.object({ ratio: z.number().min(0).max(1) }), req.body);
    faults.errorRatio = ratio;
    res.status(200).json({ errorRatio: ratio });
  });

  return router;
}
