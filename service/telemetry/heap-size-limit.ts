import { getHeapStatistics } from 'node:v8';
import { nothingToStop, type Collector } from './collector.ts';

/**
 * V8's `heap_size_limit`: the old-generation limit plus the young generation reservation (three semi-spaces).
 * It is NOT the size the process dies at: V8 kills the process when the old generation alone cannot stay under
 * its limit, `v8js.memory.heap.old_generation.limit` (the JVM's -Xmx). Kept for dashboards that show it.
 */
export const heapSizeLimit: Collector = (meter) => {
  meter
    .createObservableGauge('v8js.memory.heap.size_limit', {
      description:
        'V8 heap_size_limit: the old-generation limit plus the young generation reservation. Not the size the process dies at; see v8js.memory.heap.old_generation.limit.',
      unit: 'By',
    })
    .addCallback((result) => result.observe(getHeapStatistics().heap_size_limit));
  return nothingToStop;
};
