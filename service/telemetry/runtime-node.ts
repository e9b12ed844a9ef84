import type { RuntimeNodeInstrumentationConfig } from '@opentelemetry/instrumentation-runtime-node';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';

/**
 * The runtime metrics OpenTelemetry's own Node runtime instrumentation already gets right, used as they are:
 *   heap per V8 space     v8js.memory.heap.used / .space.size / .space.available_size / .space.physical_size
 *   GC pauses             v8js.gc.duration {v8js.gc.type: major | minor | incremental | weakcb}
 *   event-loop delay      nodejs.eventloop.delay.{min,max,mean,stddev,p50,p90,p99} (since the previous scrape)
 *   event-loop busy share nodejs.eventloop.utilization, nodejs.eventloop.time {nodejs.eventloop.state}
 * The rest (heap limit, heap after GC, memory outside the heap, process metrics, pools) are collectors here.
 * It runs as `runtime-node` among getNodeAutoInstrumentations() (instrumentations.ts), with this config.
 */
// 10 ms sampling: fine enough for a p99 of the event-loop delay, cheap enough to leave on.
export const runtimeNodeConfig: RuntimeNodeInstrumentationConfig = { monitoringPrecision: 10 };

const runtimeMeter = '@opentelemetry/instrumentation-runtime-node';

/** Minor GCs take well under a millisecond; the library's buckets start at 5 ms and would hide them all. */
export const gcPauseBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const runtimeNodeViews: ViewOptions[] = [
  {
    meterName: runtimeMeter,
    instrumentName: 'v8js.gc.duration',
    aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: gcPauseBuckets } },
  },
  // Active handles by type: not in the catalogue, and a handle count says little the fd count does not.
  { meterName: runtimeMeter, instrumentName: 'v8js.resource.active', aggregation: { type: AggregationType.DROP } },
];
