// The runtime collectors this module adds beside those instrumentation-runtime-node provides: one list, so the
// service and the scrape benchmark register exactly the same set.
import type { Collector } from './collector.ts';
import { heapAfterGc } from './heap-after-gc.ts';
import { heapSizeLimit } from './heap-size-limit.ts';
import { memoryLimit } from './memory-limit.ts';
import { oldGenerationLimit } from './old-generation-limit.ts';
import { oldGenerationUsed } from './old-generation-used.ts';
import { processCpu } from './process-cpu.ts';
import { processFiles } from './process-files.ts';
import { processMemory } from './process-memory.ts';
import { processStartTime } from './process-start-time.ts';

export const runtimeCollectors: Collector[] = [
  heapSizeLimit,
  oldGenerationLimit,
  oldGenerationUsed,
  heapAfterGc,
  processMemory,
  memoryLimit,
  processCpu,
  processStartTime,
  processFiles,
];
