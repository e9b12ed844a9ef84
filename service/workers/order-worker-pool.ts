import { Piscina } from 'piscina';
import type { ServiceConfig } from '../config.ts';
import type { WorkerResult, WorkerTask } from './order-tasks.ts';

export interface WorkerPool {
  readonly piscina: Piscina;
  run(task: WorkerTask): Promise<WorkerResult>;
  destroy(): Promise<void>;
}

/**
 * piscina refused the task inside run() (its queue is at maxQueue, or the pool is closing): the task never started
 * and can be tried again later. piscina's own error carries no code, only a message, so it is told by when it
 * came, as worker-pool-metrics.ts counts it: the promise run() returned was already rejected.
 */
export class TaskRefusedError extends Error {
  override name = 'TaskRefusedError';
  readonly code = 'ETASKREFUSED';
}

/** A fixed-size pool of worker threads with a bounded queue: beyond it, tasks are rejected, not buffered. */
export function createWorkerPool(config: ServiceConfig['workers']): WorkerPool {
  const piscina = new Piscina({
    filename: new URL('./order.worker.ts', import.meta.url).href,
    minThreads: config.size,
    maxThreads: config.size,
    maxQueue: config.queueMax,
    idleTimeout: Number.MAX_SAFE_INTEGER,
    // Idle workers wait for tasks with Atomics.waitAsync instead of blocking in Atomics.wait, so their event
    // loop stays free: per-worker heap statistics can be read and event-loop utilization shows them idle.
    atomics: 'async',
  });
  return {
    piscina,
    run: (task) => {
      let submitting = true;
      const result = (piscina.run(task) as Promise<WorkerResult>).catch((error: unknown) => {
        throw submitting ? new TaskRefusedError(`the worker pool refused the task (queue at ${config.queueMax}, or closing)`, { cause: error }) : error;
      });
      // Queued after the reaction above: a promise rejected inside run() has its reaction run before this.
      queueMicrotask(() => (submitting = false));
      return result;
    },
    destroy: () => piscina.destroy(),
  };
}
