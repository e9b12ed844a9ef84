import type { EventLoopUtilization } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import type { Attributes, BatchObservableCallback, Meter } from '@opentelemetry/api';
import type { Piscina } from 'piscina';
import { histogramFamily } from './bound-histograms.ts';
import type { Collector, StopCollector } from './collector.ts';

export interface WorkerPoolTelemetryOptions {
  /** The `worker_pool.name` label value. */
  name: string;
  /** Tasks that may wait for a thread before new ones are rejected. */
  maxQueue: number;
}

/** Seconds buckets for task wait and run times: sub-millisecond tasks up to a minute-long one. */
const timeBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface TrackedTask {
  submitted: number;
  started: number | undefined;
  /** Still inside run(): piscina refuses a task (queue full, pool closing) before run() returns. */
  submitting: boolean;
}

/**
 * Micrometer-executor-style metrics for a piscina pool (`executor_*` / Tomcat thread metrics): threads busy and
 * idle, max, queue depth and remaining capacity, completed and rejected tasks, wait and run time, and per
 * worker its event-loop utilization and heap used.
 *
 * piscina reports no per-task timings, so this wraps the pool's run(): piscina hands queued tasks to threads
 * first in, first out, one task per thread at a time, so a task starts when it is submitted to a free slot,
 * or when the task ahead of it in the queue has got a thread and a slot frees up. Wait = start - submit,
 * run = end - start (run includes the message hops to and from the thread).
 * Per-worker heap needs the worker's event loop to answer, so it is requested in the background and the last
 * answer is reported (a busy worker answers after its task); the pool must use `atomics: 'async'` (or
 * 'disabled') else an idle worker blocks in Atomics.wait and never answers, and reads as fully utilized.
 * A task counts as rejected when piscina refused it: its promise was already rejected when run() returned
 * (piscina rejects a full queue synchronously; a task it accepted settles only after a worker's answer), and
 * not by an already-aborted signal. The returned stop puts run() back and stops the observers.
 */
export function workerPoolMetrics(piscina: Piscina, options: WorkerPoolTelemetryOptions): Collector {
  return (meter) => instrument(meter, piscina, options);
}

function instrument(meter: Meter, piscina: Piscina, options: WorkerPoolTelemetryOptions): StopCollector {
  const attrs: Attributes = { 'worker_pool.name': options.name };
  const capacity = piscina.maxThreads * Math.max(1, piscina.options.concurrentTasksPerWorker);

  const threadCount = meter.createObservableUpDownCounter('worker_pool.thread.count', {
    description: 'Worker threads, by state (busy running a task, idle).',
    unit: '{thread}',
  });
  const threadMax = meter.createObservableUpDownCounter('worker_pool.thread.max', {
    description: 'The most worker threads the pool runs.',
    unit: '{thread}',
  });
  const queueDepth = meter.createObservableUpDownCounter('worker_pool.queue.depth', {
    description: 'Tasks waiting for a worker thread.',
    unit: '{task}',
  });
  const queueRemaining = meter.createObservableUpDownCounter('worker_pool.queue.remaining', {
    description: 'Tasks the queue still takes before new tasks are rejected.',
    unit: '{task}',
  });
  const workerUtilization = meter.createObservableGauge('worker_pool.worker.eventloop.utilization', {
    description: 'Event-loop utilization of each worker thread since the previous scrape.',
    unit: '1',
  });
  const workerHeapUsed = meter.createObservableGauge('worker_pool.worker.heap.used', {
    description: "Heap used by each worker thread's isolate (last answer of the worker).",
    unit: 'By',
  });

  const lastElu = new WeakMap<Worker, EventLoopUtilization>();
  const heapUsed = new WeakMap<Worker, number>();
  const heapAsked = new WeakSet<Worker>();
  const askHeap = (worker: Worker): void => {
    if (heapAsked.has(worker)) return;
    heapAsked.add(worker);
    worker
      .getHeapStatistics()
      .then((stats) => heapUsed.set(worker, stats.used_heap_size))
      .catch(() => heapUsed.delete(worker)) // the worker exited
      .finally(() => heapAsked.delete(worker));
  };

  const observables = [threadCount, threadMax, queueDepth, queueRemaining, workerUtilization, workerHeapUsed];
  const observe: BatchObservableCallback = (result) => {
      const threads = piscina.threads;
      const idle = Math.min(piscina.idleThreads, threads.length);
      result.observe(threadCount, threads.length - idle, { ...attrs, 'worker_pool.thread.state': 'busy' });
      result.observe(threadCount, idle, { ...attrs, 'worker_pool.thread.state': 'idle' });
      result.observe(threadMax, piscina.maxThreads, attrs);
      const depth = piscina.queueSize;
      result.observe(queueDepth, depth, attrs);
      result.observe(queueRemaining, Math.max(0, options.maxQueue - depth), attrs);
      for (const worker of threads) {
        const workerAttrs = { ...attrs, 'worker_pool.worker.id': String(worker.threadId) };
        const previous = lastElu.get(worker);
        const now = worker.performance.eventLoopUtilization();
        lastElu.set(worker, now);
        const delta = previous ? worker.performance.eventLoopUtilization(now, previous) : now;
        result.observe(workerUtilization, Number.isFinite(delta.utilization) ? delta.utilization : 0, workerAttrs);
        const heap = heapUsed.get(worker);
        if (heap !== undefined) result.observe(workerHeapUsed, heap, workerAttrs);
        askHeap(worker);
      }
  };
  meter.addBatchObservableCallback(observe, observables);

  const completed = meter.createCounter('worker_pool.tasks.completed', {
    description: 'Tasks that ran to an end (result or error).',
    unit: '{task}',
  });
  const rejected = meter.createCounter('worker_pool.tasks.rejected', {
    description: 'Tasks refused because the queue was full.',
    unit: '{task}',
  });
  // Exported at 0 from the start, so increase() sees the first event and panels are never empty.
  completed.add(0, attrs);
  rejected.add(0, attrs);
  // Bound once: recorded for every task (bound-histograms.ts).
  const waitTime = histogramFamily(meter, 'worker_pool.task.wait_time', {
    description: 'Time a task waited in the queue for a worker thread.',
    unit: 's',
    boundaries: timeBuckets,
  }).bind(attrs);
  const runTime = histogramFamily(meter, 'worker_pool.task.run_time', {
    description: 'Time a task ran on a worker thread.',
    unit: 's',
    boundaries: timeBuckets,
  }).bind(attrs);

  let running = 0;
  const waiting: TrackedTask[] = [];
  const start = (task: TrackedTask, at: number): void => {
    task.started = at;
    running++;
    waitTime.record((at - task.submitted) / 1000);
  };
  const freeSlot = (at: number): void => {
    running--;
    const next = waiting.shift();
    if (next) start(next, at);
  };
  const forget = (task: TrackedTask): void => {
    const index = waiting.indexOf(task);
    if (index >= 0) waiting.splice(index, 1);
  };
  const settle = (task: TrackedTask, error: unknown): void => {
    const at = performance.now();
    if (task.submitting && !isAbort(error)) {
      rejected.add(1, attrs);
      if (task.started === undefined) forget(task);
      else freeSlot(at);
      return;
    }
    if (task.started === undefined) {
      // Finished before the model saw it start (an aborted queued task): it ran for no time.
      forget(task);
      start(task, at);
    }
    runTime.record((at - task.started!) / 1000);
    completed.add(1, attrs);
    freeSlot(at);
  };

  const ownRun = Object.hasOwn(piscina, 'run') ? piscina.run : undefined;
  const originalRun = piscina.run.bind(piscina);
  piscina.run = (task, runOptions) => {
    const tracked: TrackedTask = { submitted: performance.now(), started: undefined, submitting: true };
    if (running < capacity) start(tracked, tracked.submitted);
    else waiting.push(tracked);
    const promise = originalRun(task, runOptions);
    promise.then(
      () => settle(tracked, undefined),
      (error: unknown) => settle(tracked, error),
    );
    // Queued after the reactions above: a promise rejected inside run() has its reaction run before this.
    queueMicrotask(() => (tracked.submitting = false));
    return promise;
  };

  return () => {
    meter.removeBatchObservableCallback(observe, observables);
    if (ownRun) piscina.run = ownRun;
    else delete (piscina as Partial<Piscina>).run;
  };
}

/** piscina's AbortError (the task's own signal), told apart by its name as piscina's own docs do. */
function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
