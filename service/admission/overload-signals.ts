import { monitorEventLoopDelay } from 'node:perf_hooks';
import { watchMajorGc } from '../telemetry/major-gc.ts';
import { oldGenerationLimitBytes, youngGenerationReservationBytes } from '../telemetry/old-generation-limit.ts';
import { oldGenerationUsedBytes } from '../telemetry/old-generation-used.ts';

/**
 * Event-loop delay now: the largest delay seen by Node's event-loop delay histogram in the last sampling
 * period (reset every period, so a stall ends its effect one period later).
 */
export interface EventLoopDelaySampler {
  /** The highest delay in the last complete period, in milliseconds. */
  recentMaxMs(): number;
  stop(): void;
}

export function sampleEventLoopDelay(periodMs = 250): EventLoopDelaySampler {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let recent = 0;
  const timer = setInterval(() => {
    recent = histogram.count > 0 ? histogram.max / 1e6 : 0;
    histogram.reset();
  }, periodMs);
  timer.unref();
  return {
    recentMaxMs: () => recent,
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

/**
 * The old generation's live set (used right after the last major GC) / the old-generation limit the process dies
 * at ("Reached heap limit"): the same figures as v8js_memory_heap_old_generation_{used_after_gc,limit}_bytes, on
 * which the heap alerts are. Not the old generation used now: that includes garbage and climbs to the next
 * major GC's trigger, so a healthy process near its limit read above the bound between collections and had its
 * orders refused (and paged HTTPServerErrorRatioHigh). 0 until the first major GC. The young generation
 * reservation is known a moment after start (a worker reports V8's default); until then the ratio is taken
 * against the whole heap_size_limit, a slightly larger denominator.
 */
export interface HeapPressure {
  ratio(): number;
  stop(): void;
}

export function heapPressure(): HeapPressure {
  let young = 0;
  youngGenerationReservationBytes().then(
    (bytes) => (young = bytes),
    () => {}, // keep 0: the ratio against heap_size_limit is a little lower, never a false alarm
  );
  let ratio = 0;
  const stop = watchMajorGc(() => (ratio = oldGenerationUsedBytes() / oldGenerationLimitBytes(young)));
  return { ratio: () => ratio, stop };
}
