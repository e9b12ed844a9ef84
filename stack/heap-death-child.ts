// Leaks retained arrays of doubles as fast as it can until V8 kills it of its heap. Before the leak, and after
// every retained chunk, it writes one JSON line to stdout (synchronous on a pipe, so the last line before the
// death is never lost): the old-generation limit derived as the service exports it (read again each time: a
// near-heap-limit snapshot raises it), the old generation used now, the whole heap used, and heap_size_limit.
import { getHeapStatistics } from 'node:v8';
import { oldGenerationLimitBytes, youngGenerationReservationBytes } from '../service/telemetry/old-generation-limit.ts';
import { oldGenerationUsedBytes } from '../service/telemetry/old-generation-used.ts';

export interface HeapReport {
  limit: number;
  oldUsed: number;
  /** The whole heap used (old and young generations): everything here is retained, so this is the live set. */
  heapUsed: number;
  heapSizeLimit: number;
}

const young = await youngGenerationReservationBytes();
const report = (): void => {
  const heap = getHeapStatistics();
  const line: HeapReport = { limit: oldGenerationLimitBytes(young), oldUsed: oldGenerationUsedBytes(), heapUsed: heap.used_heap_size, heapSizeLimit: heap.heap_size_limit };
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
report();

// Chunks of about 1/256 of the heap (64 KiB to 16 MiB): small enough that the last report before the death
// is close to the limit, large enough that even the 4 GiB heap fills in seconds. Arrays this size go straight
// to the old generation's large-object space.
const chunkDoubles = Math.floor(Math.min(16 * 1024 * 1024, Math.max(64 * 1024, getHeapStatistics().heap_size_limit / 256)) / 8);
const retained: number[][] = [];
for (;;) {
  retained.push(new Array<number>(chunkDoubles).fill(0.5));
  report();
}
