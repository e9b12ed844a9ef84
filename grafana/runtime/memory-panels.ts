// Memory: where the incident's heap went. The old generation per V8 space against the limit the process dies at,
// what survives a major GC (leak vs. churn), RSS against the container limit (the OOM killer's view), and off-heap memory.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

const oldGenerationLimit = 'old-generation limit (the process dies here)';
const containerLimit = 'container memory limit';
const limitExpr = `max(v8js_memory_heap_old_generation_limit_bytes{${sel}})`;
/** The spaces V8 counts against the old-generation limit: all but the young generation's. */
const oldGenerationSpaces = 'v8js_heap_space_name!~"new_space|new_large_object_space"';

export function memoryPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 10,
      title: 'Old generation per space, against its limit',
      description:
        'V8 heap used per old-generation space, stacked (jvm_memory_used_bytes{area="heap"} by pool; the young generation is left out: it ' +
        'does not count against the limit). The red dashed line is the old-generation limit, where V8 aborts the process (-Xmx; ' +
        '--max-old-space-size); the others where NodeHeapNearLimit fires. Not heap_size_limit: that adds the young generation reservation.',
      unit: 'bytes',
      stacked: true,
      min: 0,
      queries: [
        { expr: `sum by (v8js_heap_space_name) (v8js_memory_heap_used_bytes{${sel}, ${oldGenerationSpaces}})`, legend: '{{v8js_heap_space_name}}' },
        { expr: limitExpr, legend: oldGenerationLimit },
      ],
      limitSeries: [oldGenerationLimit],
      shareOfLimit: { alert: 'NodeHeapNearLimit', limitExpr, of: 'old-generation limit' },
      runbookAlerts: ['NodeHeapNearLimit', 'NodeHeapExhaustionImminent'],
    }),
    timeseriesPanel({
      id: 11,
      title: 'Old generation used of its limit',
      description: 'Old generation used over the old-generation limit (the -Xmx analog); the dashed lines are where NodeHeapNearLimit fires.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [{ expr: `max(v8js_memory_heap_old_generation_used_bytes{${sel}}) / ${limitExpr}`, legend: 'old generation used of limit' }],
      thresholdsOf: ['NodeHeapNearLimit'],
      runbookAlerts: ['NodeHeapNearLimit'],
    }),
    timeseriesPanel({
      id: 12,
      title: 'Old generation after major GC',
      description:
        'Old generation used right after the last major GC (jvm_memory_used_after_last_gc) next to old generation used now, against the ' +
        'old-generation limit. A rising floor is a leak (the exhaustion alerts extrapolate it); a sawtooth over a flat floor is healthy churn.',
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: `max(v8js_memory_heap_old_generation_used_after_gc_bytes{${sel}})`, legend: 'old generation after last major GC' },
        { expr: `max(v8js_memory_heap_old_generation_used_bytes{${sel}})`, legend: 'old generation used now' },
        { expr: limitExpr, legend: oldGenerationLimit },
      ],
      limitSeries: [oldGenerationLimit],
      shareOfLimit: { alert: 'NodeHeapRetainedAfterGCHigh', limitExpr, of: 'old-generation limit' },
      runbookAlerts: ['NodeHeapExhaustionImminent', 'NodeHeapExhaustionPredicted', 'NodeHeapRetainedAfterGCHigh'],
    }),
    timeseriesPanel({
      id: 13,
      title: 'RSS against the container memory limit',
      description: 'Resident set size of the process and the cgroup memory limit (the machine memory when there is none): the OOM killer acts on this, not on the heap.',
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: `process_memory_usage_bytes{${sel}}`, legend: 'RSS' },
        { expr: `process_memory_limit_bytes{${sel}}`, legend: containerLimit },
      ],
      limitSeries: [containerLimit],
      shareOfLimit: { alert: 'NodeRSSNearMemoryLimit', limitExpr: `process_memory_limit_bytes{${sel}}`, of: 'container limit' },
      runbookAlerts: ['NodeRSSNearMemoryLimit'],
    }),
    timeseriesPanel({
      id: 14,
      title: 'External and array-buffer memory',
      description: 'Memory of C++ objects bound to JS objects (external) and of ArrayBuffers and Buffers within it: off-heap, like direct buffers on the JVM.',
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: `nodejs_memory_external_bytes{${sel}}`, legend: 'external' },
        { expr: `nodejs_memory_array_buffers_bytes{${sel}}`, legend: 'array buffers' },
      ],
    }),
  ];
}
