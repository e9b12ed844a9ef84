// GC: how often V8 collects, how long it pauses, and what share of the time it takes (jvm_gc_pause_seconds, jvm_gc_overhead).
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

export function gcPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 20,
      title: 'GC pauses per second by type',
      description: 'Collections per second by V8 GC type (major = mark-sweep-compact, minor = scavenge, incremental marking, weak callbacks).',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        { expr: `sum by (v8js_gc_type) (rate(v8js_gc_duration_seconds_count{${sel}}[$__rate_interval]))`, legend: '{{v8js_gc_type}}' },
      ],
    }),
    timeseriesPanel({
      id: 21,
      title: 'GC pause p99 by type',
      description: '99th percentile of GC pause duration by type, from the pause histogram.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, v8js_gc_type) (rate(v8js_gc_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p99 {{v8js_gc_type}}',
        },
      ],
    }),
    timeseriesPanel({
      id: 22,
      title: 'Share of time in GC',
      description:
        'Seconds spent in GC per second of wall time, all types. A heap near its limit spends most of its time collecting: above 50% while the ' +
        'old generation stays above 70% of its limit after GC is NodeGCOverheadLimit (the JVM\'s "GC overhead limit exceeded").',
      unit: 'percentunit',
      width: 8,
      min: 0,
      queries: [{ expr: `sum(rate(v8js_gc_duration_seconds_sum{${sel}}[$__rate_interval]))`, legend: 'time in GC' }],
      thresholdsOf: ['NodeGCTimeHigh', 'NodeGCOverheadLimit'],
      runbookAlerts: ['NodeGCTimeHigh', 'NodeGCOverheadLimit'],
    }),
  ];
}
