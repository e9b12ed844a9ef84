import { getHeapStatistics } from 'node:v8';
import { nothingToStop, type Collector } from './collector.ts';

/**
 * The whole-heap limit V8 enforces (`heap_size_limit`), the JVM's -Xmx (`jvm_memory_max_bytes{area="heap"}`).
 * Alert on this, never on `--max-old-space-size`: V8 adds the young generation and more to the flag.
 */
export const heapSizeLimit: Collector = (meter) => {
  meter
    .createObservableGauge('v8js.memory.heap.size_limit', {
      description: 'The heap size limit V8 enforces for the whole heap (heap_size_limit); reaching it is an OOM crash.',
      unit: 'By',
    })
    .addCallback((result) => result.observe(getHeapStatistics().heap_size_limit));
  return nothingToStop;
};
