import { getHeapStatistics } from 'node:v8';
import type { Collector } from './collector.ts';
import { watchMajorGc } from './major-gc.ts';
import { oldGenerationUsedBytes } from './old-generation-used.ts';

/**
 * The heap right after the last major (mark-compact) GC: the live set, the JVM's `jvm_memory_used_after_last_gc`,
 * for the whole heap and for the old generation (the part V8's limit applies to; compared with that limit it says
 * how close the process is to dying, with no churn in the figure). A live set that climbs GC after GC is a leak.
 * Both are read when the GC's performance entry is delivered (a moment after the GC, before much new
 * allocation); until the first major GC both gauges are absent.
 */
export const heapAfterGc: Collector = (meter) => {
  let afterMajorGc: { heap: number; oldGeneration: number } | undefined;
  const stop = watchMajorGc(() => (afterMajorGc = { heap: getHeapStatistics().used_heap_size, oldGeneration: oldGenerationUsedBytes() }));
  meter
    .createObservableGauge('v8js.memory.heap.used_after_gc', {
      description: 'Heap used right after the last major GC (the live set).',
      unit: 'By',
    })
    .addCallback((result) => {
      if (afterMajorGc !== undefined) result.observe(afterMajorGc.heap);
    });
  meter
    .createObservableGauge('v8js.memory.heap.old_generation.used_after_gc', {
      description: 'Old generation used right after the last major GC (its live set); absent until the first major GC.',
      unit: 'By',
    })
    .addCallback((result) => {
      if (afterMajorGc !== undefined) result.observe(afterMajorGc.oldGeneration);
    });
  return stop;
};
