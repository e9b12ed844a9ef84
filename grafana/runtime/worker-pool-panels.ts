// Workers: the worker_threads pool, read like a JVM executor (active/idle threads, queued tasks, wait and run
// time, rejected executions) plus each worker's own event-loop utilization and heap.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

const threadMax = 'max threads';
const completed = `sum(rate(worker_pool_tasks_completed_total{${sel}}[$__rate_interval]))`;
const queueCapacity = 'queue capacity';

export function workerPoolPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 50,
      title: 'Worker threads busy and idle',
      description: 'Worker threads running a task and idle, stacked, against the pool maximum (dashed).',
      unit: 'short',
      width: 8,
      min: 0,
      stacked: true,
      queries: [
        { expr: `sum by (worker_pool_thread_state) (worker_pool_thread_count{${sel}})`, legend: '{{worker_pool_thread_state}}' },
        { expr: `sum(worker_pool_thread_max{${sel}})`, legend: threadMax },
      ],
      limitSeries: [threadMax],
      runbookAlerts: ['NodeWorkerPoolSaturated'],
    }),
    timeseriesPanel({
      id: 51,
      title: 'Task queue depth',
      description: 'Tasks waiting for a worker, against the queue capacity (dashed); once it is full new tasks are rejected.',
      unit: 'short',
      width: 8,
      min: 0,
      queries: [
        { expr: `sum(worker_pool_queue_depth{${sel}})`, legend: 'queued tasks' },
        { expr: `sum(worker_pool_queue_depth{${sel}}) + sum(worker_pool_queue_remaining{${sel}})`, legend: queueCapacity },
      ],
      limitSeries: [queueCapacity],
            runbookAlerts: ['NodeWorkerPoolSaturated'],
    }),
    timeseriesPanel({
      id: 52,
      title: 'Tasks completed and rejected per second',
      description: 'Tasks finished by the workers, and tasks refused because the queue was full (the order then fails; exported at 0, so a healthy pool draws 0).',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        { expr: completed, legend: 'completed' },
        { expr: `sum(rate(worker_pool_tasks_rejected_total{${sel}}[$__rate_interval]))`, legend: 'rejected' },
      ],
      thresholdsOf: ['NodeWorkerPoolTasksRejected'],
      runbookAlerts: ['NodeWorkerPoolTasksRejected'],
    }),
    timeseriesPanel({
      id: 53,
      title: 'Task queue wait and run time p99',
      description: 'p99 of how long a task waited in the queue for a worker, and of how long it ran.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(worker_pool_task_wait_time_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'queue wait p99',
        },
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(worker_pool_task_run_time_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'run time p99',
        },
      ],
    }),
    timeseriesPanel({
      id: 54,
      title: 'Per-worker event-loop utilization',
      description: 'How busy each worker thread was (its own event-loop utilization), by worker id.',
      unit: 'percentunit',
      width: 8,
      min: 0,
      max: 1,
      queries: [
        { expr: `max by (worker_pool_worker_id) (worker_pool_worker_eventloop_utilization_ratio{${sel}})`, legend: 'worker {{worker_pool_worker_id}}' },
      ],
    }),
    timeseriesPanel({
      id: 55,
      title: 'Per-worker heap used',
      description: 'V8 heap used inside each worker thread (each has its own isolate and heap).',
      unit: 'bytes',
      width: 8,
      min: 0,
      queries: [{ expr: `max by (worker_pool_worker_id) (worker_pool_worker_heap_used_bytes{${sel}})`, legend: 'worker {{worker_pool_worker_id}}' }],
    }),
  ];
}
