// Event loop: Node's one request thread. Delay is how long a ready callback waited; utilization is how busy it was.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

export function eventLoopPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 30,
      title: 'Event-loop delay p50, p99, max',
      description: 'Event-loop delay percentiles over the last export interval: time a ready callback waited for the main thread.',
      unit: 's',
      min: 0,
      queries: [
        { expr: `nodejs_eventloop_delay_p50_seconds{${sel}}`, legend: 'p50' },
        { expr: `nodejs_eventloop_delay_p99_seconds{${sel}}`, legend: 'p99' },
        { expr: `nodejs_eventloop_delay_max_seconds{${sel}}`, legend: 'max' },
      ],
      thresholdsOf: ['NodeEventLoopDelayHigh'],
      runbookAlerts: ['NodeEventLoopDelayHigh'],
    }),
    timeseriesPanel({
      id: 31,
      title: 'Event-loop utilization',
      description: 'Share of time the event loop was running JS rather than waiting for I/O (1 = saturated).',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [{ expr: `nodejs_eventloop_utilization_ratio{${sel}}`, legend: 'utilization' }],
    }),
  ];
}
