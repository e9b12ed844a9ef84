import { getHeapSpaceStatistics } from 'node:v8';
import { nothingToStop, type Collector } from './collector.ts';

/** The young generation's spaces; every other space is old generation, the part V8's heap limit applies to. */
const youngSpaces = new Set(['new_space', 'new_large_object_space']);

/**
 * Bytes of live-or-not-yet-collected objects in the old generation: what V8 compares with its old-generation
 * limit when it decides the process is out of memory (the young generation is emptied by every GC).
 */
export function oldGenerationUsedBytes(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (!youngSpaces.has(space.space_name)) used += space.space_used_size;
  return used;
}

/** Old generation used now, the JVM's `jvm_memory_used_bytes{area="heap",id="...Old Gen"}`. */
export const oldGenerationUsed: Collector = (meter) => {
  meter
    .createObservableGauge('v8js.memory.heap.old_generation.used', {
      description: 'Old generation used now: every heap space but new_space and new_large_object_space. The process dies when this cannot be kept under v8js.memory.heap.old_generation.limit.',
      unit: 'By',
    })
    .addCallback((result) => result.observe(oldGenerationUsedBytes()));
  return nothingToStop;
};
