import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { Collector } from './collector.ts';
import { oldGenerationUsedBytes } from './old-generation-used.ts';

/**
 * Old generation used right after the last major (mark-compact) GC: the old generation's live set, the JVM's
 * `jvm_memory_used_after_last_gc` for the old gen. Compared with the old-generation limit it says how close
 * the process is to dying with no churn in the figure. Read when the GC's performance entry is delivered (a
 * moment after the GC, before much new allocation); until the first major GC the gauge is absent.
 */
export const oldGenerationAfterGc: Collector = (meter) => {
  let usedAfterMajorGc: number | undefined;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) usedAfterMajorGc = oldGenerationUsedBytes();
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  meter
    .createObservableGauge('v8js.memory.heap.old_generation.used_after_gc', {
      description: 'Old generation used right after the last major GC (its live set); absent until the first major GC.',
      unit: 'By',
    })
    .addCallback((result) => {
      if (usedAfterMajorGc !== undefined) result.observe(usedAfterMajorGc);
    });
  return () => observer.disconnect();
};
