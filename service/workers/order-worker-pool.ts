import { Piscina } from 'piscina';
import type { ServiceConfig } from '../config.ts';
import type { WorkerResult, WorkerTask } from './order-tasks.ts';

export interface WorkerPool {
  readonly piscina: Piscina;
  run(task: WorkerTask): Promise<WorkerResult>;
  destroy(): Promise<void>;
}

/** True for piscina's rejection when its queue is at maxQueue: the task never started. */
export function isQueueFull(error: unknown): boolean {
  return error instanceof Error && /queue is at limit/i.test(error.message);
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
    run: (task) => piscina.run(task) as Promise<WorkerResult>,
    destroy: () => piscina.destroy(),
  };
}
