// Alerts on the order service's Node runtime: V8 heap against its limit (never used/total: V8 grows the total
// lazily, so used/total says nothing about how close the process is to dying of its heap),
// GC, event loop, DB connection pool, worker-thread pool, memory against the container limit, restarts, and
// instances that stopped answering scrapes.
import { alerts, selectors, settings } from '../alerting-config.ts';
import { rulesPerLevel, percent, perSecond, seconds } from './rules-per-level.ts';
import type { AlertingRule, RuleGroup } from './rule-types.ts';

const sel = selectors.runtime;
const instance = 'job, instance';
const dbPool = 'job, instance, db_client_connection_pool_name';
const workerPool = 'job, instance, worker_pool_name';
const prediction = settings.heapPrediction;
/** A restart after memory ran beyond these (the critical levels) counts as an out-of-memory kill. */
const oomHeap = alerts.NodeHeapNearLimit.levels.critical.threshold;
const oomRss = alerts.NodeRSSNearMemoryLimit.levels.critical.threshold;

export const runtimeAlerts: RuleGroup<AlertingRule> = {
  name: 'node-runtime.alerts',
  rules: [
    ...rulesPerLevel('NodeHeapNearLimit', {
      expr: (t) => `instance:v8js_memory_heap_utilization:ratio > ${t}`,
      summary: 'Heap used is near the V8 heap limit.',
      description: (t) =>
        'Heap used on {{ $labels.instance }} is {{ $value | humanizePercentage }} of the V8 heap limit ' +
        `(threshold ${t}); at 100% the process dies with an out-of-memory error.`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('NodeHeapExhaustionPredicted', {
      // Fitted on the heap retained after major GCs, not on heap used: a healthy heap's GC sawtooth has a steep
      // slope on every climb, while what survives GC only grows when memory leaks.
      expr: (t) =>
        `predict_linear(max by (${instance}) (v8js_memory_heap_used_after_gc_bytes{${sel}})[${prediction.window}:], ${prediction.horizonSeconds})` +
        ` / on (${instance}) max by (${instance}) (v8js_memory_heap_size_limit_bytes{${sel}}) >= ${t}` +
        ` and on (${instance}) instance:v8js_memory_heap_after_gc_utilization:ratio > ${prediction.minRetainedRatio}`,
      summary: 'Heap retained after GC is predicted to reach the V8 heap limit soon.',
      description: () =>
        `At the rate heap retained after GC grew on {{ $labels.instance }} over the last ${prediction.window}, it reaches ` +
        `{{ $value | humanizePercentage }} of the V8 heap limit within ${prediction.horizonSeconds / 60} minutes: the process will run out of memory.`,
    }),
    ...rulesPerLevel('NodeHeapRetainedAfterGCHigh', {
      expr: (t) => `instance:v8js_memory_heap_after_gc_utilization:ratio > ${t}`,
      summary: 'Heap retained after major GC is high: memory is leaking, not churning.',
      description: (t) =>
        'After the last major GC, {{ $labels.instance }} still holds {{ $value | humanizePercentage }} of the V8 heap limit ' +
        `(threshold ${t}).`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('NodeGCTimeHigh', {
      expr: (t) => `instance:v8js_gc_time:ratio_rate1m > ${t}`,
      summary: 'Garbage collection takes a large share of the time.',
      description: (t) =>
        '{{ $labels.instance }} spent {{ $value | humanizePercentage }} of the last minute in GC pauses ' + `(threshold ${t}).`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('NodeEventLoopDelayHigh', {
      expr: (t) => `max by (${instance}) (nodejs_eventloop_delay_p99_seconds{${sel}}) > ${t}`,
      summary: 'Event-loop delay is high: every request waits.',
      description: (t) =>
        'Event-loop delay p99 on {{ $labels.instance }} is {{ $value | humanizeDuration }} ' + `(threshold ${t}).`,
      formatThreshold: seconds,
    }),
    ...rulesPerLevel('NodeDBPoolExhausted', {
      expr: (t) =>
        `instance_pool:db_client_connection_utilization:ratio >= ${t}` +
        ` and on (${dbPool}) instance_pool:db_client_connection_pending_requests:sum > 0`,
      summary: 'DB connection pool is exhausted: all connections are in use and requests wait.',
      description: () =>
        'Pool {{ $labels.db_client_connection_pool_name }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} of its connections in use ' +
        'and requests waiting for one.',
    }),
    ...rulesPerLevel('NodeDBPoolAcquireTimeouts', {
      expr: (t) => `instance_pool:db_client_connection_timeouts:rate1m > ${t}`,
      summary: 'Requests time out waiting for a DB connection.',
      description: (t) =>
        'Pool {{ $labels.db_client_connection_pool_name }} on {{ $labels.instance }} times out {{ $value | printf "%.2f" }} connection requests a second ' +
        `(threshold ${t}); each is a failed request.`,
      formatThreshold: perSecond,
    }),
    ...rulesPerLevel('NodeDBPoolWaitSlow', {
      expr: (t) => `instance_pool:db_client_connection_wait_time_seconds:p99_rate1m > ${t}`,
      summary: 'Waits for a DB connection are slow.',
      description: (t) =>
        'p99 wait for a connection from pool {{ $labels.db_client_connection_pool_name }} on {{ $labels.instance }} is ' +
        `{{ $value | humanizeDuration }} (threshold ${t}).`,
      formatThreshold: seconds,
    }),
    ...rulesPerLevel('NodeWorkerPoolSaturated', {
      expr: (t) =>
        `instance_pool:worker_pool_thread_utilization:ratio >= ${t}` +
        ` and on (${workerPool}) instance_pool:worker_pool_queue_depth:sum > 0`,
      summary: 'Worker pool is saturated: every thread is busy and tasks queue.',
      description: () =>
        'Worker pool {{ $labels.worker_pool_name }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} of its threads busy and tasks waiting in its queue.',
    }),
    ...rulesPerLevel('NodeWorkerPoolTasksRejected', {
      expr: (t) => `instance_pool:worker_pool_tasks_rejected:rate1m > ${t}`,
      summary: 'Worker pool rejects tasks: its queue is full.',
      description: (t) =>
        'Worker pool {{ $labels.worker_pool_name }} on {{ $labels.instance }} rejects {{ $value | printf "%.2f" }} tasks a second ' +
        `(threshold ${t}); each is a failed order.`,
      formatThreshold: perSecond,
    }),
    ...rulesPerLevel('NodeRSSNearMemoryLimit', {
      expr: (t) => `instance:process_memory_utilization:ratio > ${t}`,
      summary: 'Process memory is near the container memory limit.',
      description: (t) =>
        'Resident memory of {{ $labels.instance }} is {{ $value | humanizePercentage }} of its memory limit ' +
        `(threshold ${t}); at 100% the kernel OOM-kills it.`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('NodeProcessRestarted', {
      // One restart is what a deploy does; more than one, or one right after memory ran near a limit (an OOM kill),
      // is not. The recorded series keep their job/instance labels across the restart, so max_over_time still sees
      // the memory of the process that died.
      expr: (t) =>
        `changes(instance:process_start_time_seconds:max[${settings.restartWindow}]) > ${t}` +
        ` or (changes(instance:process_start_time_seconds:max[${settings.restartWindow}]) > 0` +
        ` and on (${instance}) (max_over_time(instance:v8js_memory_heap_utilization:ratio[${settings.restartWindow}]) > ${oomHeap}` +
        ` or max_over_time(instance:process_memory_utilization:ratio[${settings.restartWindow}]) > ${oomRss}))`,
      summary: 'The process restarted unexpectedly (crash loop or out-of-memory kill).',
      description: () =>
        `{{ $labels.instance }} has restarted in the last ${settings.restartWindow} (restarts: {{ $value }}), more than once or after its ` +
        `memory ran above ${percent(Math.min(oomHeap, oomRss))} of a limit: look for a crash loop or an out-of-memory kill.`,
    }),
    ...rulesPerLevel('InstanceDown', {
      expr: () => 'up == 0',
      summary: 'A scrape target is down.',
      description: () =>
        `{{ $labels.instance }} of job {{ $labels.job }} has not answered scrapes for ${alerts.InstanceDown.levels.critical.for}.`,
    }),
  ],
};
