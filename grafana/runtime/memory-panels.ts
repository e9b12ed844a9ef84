// Memory: where the incident's heap went. Heap per V8 space against the limit V8 enforces, what survives a major
// GC (leak vs. churn), RSS against the container limit (the OOM killer's view), and off-heap memory.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

const heapLimit = 'heap limit (V8 heap_size_limit)';
const containerLimit = 'container memory limit';

export function memoryPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 10,
      title: 'Heap used per space, against the heap limit',
      description:
        'V8 heap used per space, stacked (jvm_memory_used_bytes{area="heap"} by pool). The red dashed line is the whole-heap limit V8 ' +
        'reports, the others where NodeHeapNearLimit fires; --max-old-space-size=256 gives more than 256 MiB (new space and code space count too).',
      unit: 'bytes',
      stacked: true,
      min: 0,
      queries: [
        { expr: `sum by (v8js_heap_space_name) (v8js_memory_heap_used_bytes{${sel}})`, legend: '{{v8js_heap_space_name}}' },
        { expr: `max(v8js_memory_heap_size_limit_bytes{${sel}})`, legend: heapLimit },
      ],
      limitSeries: [heapLimit],
      shareOfLimit: { alert: 'NodeHeapNearLimit', limitExpr: `max(v8js_memory_heap_size_limit_bytes{${sel}})`, of: 'heap limit' },
      runbookAlerts: ['NodeHeapNearLimit', 'NodeHeapExhaustionPredicted'],
    }),
    timeseriesPanel({
      id: 11,
      title: 'Heap used of limit',
      description: 'Whole heap used over the V8 heap limit; the dashed lines are where the heap alerts fire.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [
        { expr: `sum(v8js_memory_heap_used_bytes{${sel}}) / max(v8js_memory_heap_size_limit_bytes{${sel}})`, legend: 'heap used of limit' },
      ],
      thresholdsOf: ['NodeHeapNearLimit'],
      runbookAlerts: ['NodeHeapNearLimit'],
    }),
    timeseriesPanel({
      id: 12,
      title: 'Heap after major GC',
      description:
        'Heap used right after the last major GC (jvm_memory_used_after_last_gc) next to heap used now. A rising floor is a leak; a ' +
        'sawtooth over a flat floor is healthy churn.',
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: `v8js_memory_heap_used_after_gc_bytes{${sel}}`, legend: 'heap after last major GC' },
        { expr: `sum(v8js_memory_heap_used_bytes{${sel}})`, legend: 'heap used now' },
        { expr: `max(v8js_memory_heap_size_limit_bytes{${sel}})`, legend: heapLimit },
      ],
      limitSeries: [heapLimit],
      shareOfLimit: { alert: 'NodeHeapRetainedAfterGCHigh', limitExpr: `max(v8js_memory_heap_size_limit_bytes{${sel}})`, of: 'heap limit' },
      runbookAlerts: ['NodeHeapRetainedAfterGCHigh', 'NodeHeapExhaustionPredicted'],
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
