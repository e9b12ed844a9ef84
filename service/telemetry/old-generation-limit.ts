import { once } from 'node:events';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { nothingToStop, type Collector } from './collector.ts';
import { nodeFlagArguments } from './node-flags.ts';

const MiB = 1024 * 1024;

/**
 * V8's young generation reservation is its two semi-spaces plus a new large-object space of one semi-space;
 * `heap_size_limit` is this reservation plus the old-generation limit.
 */
const youngGenerationSemiSpaces = 3;

/** The value of the last `--max-semi-space-size=N` (or `--max_semi_space_size=N`) in `args`, in MiB; V8 takes the last. */
export function maxSemiSpaceFlagMiB(args: readonly string[]): number | undefined {
  let found: number | undefined;
  for (const arg of args) {
    // Node accepts V8 flags with `=` only (`--max-semi-space-size 16` is a bad option).
    const match = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(arg);
    if (match) found = Number(match[1]);
  }
  return found;
}

/**
 * V8's default young generation size for this machine (or cgroup), as V8 itself reports it: a worker created
 * without resourceLimits reads the constraints V8 configured for its isolate from the memory Node saw, the
 * same defaults the main isolate started from. Flags never show there.
 */
export async function defaultYoungGenerationBytes(): Promise<number> {
  const worker = new Worker(
    "const { parentPort, resourceLimits } = require('node:worker_threads'); parentPort.postMessage(resourceLimits.maxYoungGenerationSizeMb);",
    { eval: true, execArgv: [] },
  );
  try {
    const [mb] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([error]) => Promise.reject(error))])) as [unknown];
    if (typeof mb !== 'number' || !(mb > 0)) throw new Error(`worker reported no young generation size (${String(mb)})`);
    return mb * MiB;
  } finally {
    void worker.terminate();
  }
}

/**
 * The young generation reservation inside `heap_size_limit`: three semi-spaces of `--max-semi-space-size` when
 * that flag is set (the one input V8 reports nowhere), else V8's default for this machine.
 */
export async function youngGenerationReservationBytes(flags: readonly string[] = nodeFlagArguments()): Promise<number> {
  const semiSpaceMiB = maxSemiSpaceFlagMiB(flags);
  return semiSpaceMiB === undefined ? defaultYoungGenerationBytes() : youngGenerationSemiSpaces * semiSpaceMiB * MiB;
}

/**
 * The old-generation limit: the heap size at which V8 kills the process ("Reached heap limit"), when the old
 * generation cannot be kept under it after a full GC. V8's API reports only `heap_size_limit`, which adds the
 * young generation reservation, so that reservation is taken off. Read it again each time: a near-heap-limit
 * callback (Node's `--heapsnapshot-near-heap-limit`) raises V8's limit, and `heap_size_limit` with it.
 * (`--max-heap-size` without `--max-semi-space-size` changes the young size too and is not handled: the
 * service is never started so.)
 */
export function oldGenerationLimitBytes(youngGenerationReservation: number): number {
  return getHeapStatistics().heap_size_limit - youngGenerationReservation;
}

/**
 * The limit the process dies at, the JVM's -Xmx (`jvm_memory_max_bytes{area="heap"}`). Absent for the moment
 * it takes a worker to report V8's default young generation size at start; absent for good (with a process
 * warning) if that failed.
 */
export const oldGenerationLimit: Collector = (meter) => {
  let young: number | undefined;
  youngGenerationReservationBytes().then(
    (bytes) => (young = bytes),
    (error: unknown) => process.emitWarning(`v8js.memory.heap.old_generation.limit not exported: ${String(error)}`),
  );
  meter
    .createObservableGauge('v8js.memory.heap.old_generation.limit', {
      description: 'The old-generation limit the process dies at ("Reached heap limit"): heap_size_limit less the young generation reservation.',
      unit: 'By',
    })
    .addCallback((result) => {
      if (young !== undefined) result.observe(oldGenerationLimitBytes(young));
    });
  return nothingToStop;
};
