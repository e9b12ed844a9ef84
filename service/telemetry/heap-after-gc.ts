import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Collector } from './collector.ts';

/**
 * Heap used right after the last major (mark-compact) GC: the live set, the JVM's
 * `jvm_memory_used_after_last_gc`. A live set that climbs GC after GC is a leak; used heap alone also moves
 * with churn. Read when the GC's performance entry is delivered (a moment after the GC, before much new
 * allocation); until the first major GC the gauge is absent.
 */
export const heapAfterGc: Collector = (meter) => {
  let usedAfterMajorGc: number | undefined;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) usedAfterMajorGc = getHeapStatistics().used_heap_size;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  meter
    .createObservableGauge('v8js.memory.heap.used_after_gc', {
      description: 'Heap used right after the last major GC (the live set).',
      unit: 'By',
    })
    .addCallback((result) => {
      if (usedAfterMajorGc !== undefined) result.observe(usedAfterMajorGc);
    });
  return () => observer.disconnect();
};
