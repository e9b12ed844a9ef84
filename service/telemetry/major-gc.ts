import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/**
 * Calls `onMajorGc` after each major (mark-compact) GC, when its performance entry is delivered (a moment after
 * the GC, before much new allocation): the moment the heap holds its live set. Returns the stop function.
 */
export function watchMajorGc(onMajorGc: () => void): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) onMajorGc();
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
