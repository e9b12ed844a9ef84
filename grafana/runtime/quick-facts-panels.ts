// Quick facts: the one row to read first, as the top of a JVM board (uptime, restarts, heap of -Xmx, saturation).
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { statPanel } from '../building-blocks/stat-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

export function quickFactsPanels(): PanelBuilder[] {
  return [
    statPanel({
      id: 1,
      title: 'Uptime',
      description: 'Time since this process started. A short uptime after an incident means it restarted (an OOM kill shows as one).',
      unit: 'dtdurations',
      queries: [{ expr: `time() - process_start_time_seconds{${sel}}`, legend: 'uptime', instant: true }],
      runbookAlerts: ['InstanceDown', 'NodeProcessRestarted'],
      sparkline: false,
    }),
    statPanel({
      id: 2,
      title: 'Restarts in range',
      description: 'How many times the process start time changed in the selected time range: restarts, OOM kills included.',
      unit: 'short',
      decimals: 0,
      queries: [{ expr: `changes(process_start_time_seconds{${sel}}[$__range])`, legend: 'restarts', instant: true }],
      thresholdsOf: ['NodeProcessRestarted'],
      runbookAlerts: ['NodeProcessRestarted'],
      sparkline: false,
    }),
    statPanel({
      id: 3,
      title: 'Old generation used of limit',
      description:
        'Old-generation heap used over the old-generation limit, where V8 aborts the process (the -Xmx of Node). Not over heap_size_limit ' +
        '(it adds the young generation reservation), nor over total (V8 grows the total lazily).',
      unit: 'percentunit',
      queries: [
        {
          expr: `max(v8js_memory_heap_old_generation_used_bytes{${sel}}) / max(v8js_memory_heap_old_generation_limit_bytes{${sel}})`,
          legend: 'old generation used of limit',
        },
      ],
      thresholdsOf: ['NodeHeapNearLimit'],
      runbookAlerts: ['NodeHeapNearLimit'],
    }),
    statPanel({
      id: 4,
      title: 'Event-loop utilization',
      description: 'Share of time the main thread was busy (the busy-thread share of a JVM request pool).',
      unit: 'percentunit',
      queries: [{ expr: `nodejs_eventloop_utilization_ratio{${sel}}`, legend: 'event-loop utilization' }],
    }),
    statPanel({
      id: 5,
      title: 'DB pool in use',
      description: 'Connections in use over the pool maximum (hikaricp active / max).',
      unit: 'percentunit',
      queries: [
        {
          expr: `sum(db_client_connection_count{${sel}, db_client_connection_state="used"}) / sum(db_client_connection_max{${sel}})`,
          legend: 'pool in use',
        },
      ],
      thresholdsOf: ['NodeDBPoolExhausted'],
      runbookAlerts: ['NodeDBPoolExhausted'],
    }),
    statPanel({
      id: 6,
      title: 'Worker threads busy',
      description: 'Worker threads running a task over the pool maximum (executor active / max).',
      unit: 'percentunit',
      queries: [
        {
          expr: `sum(worker_pool_thread_count{${sel}, worker_pool_thread_state="busy"}) / sum(worker_pool_thread_max{${sel}})`,
          legend: 'workers busy',
        },
      ],
      thresholdsOf: ['NodeWorkerPoolSaturated'],
      runbookAlerts: ['NodeWorkerPoolSaturated'],
    }),
  ];
}
