// Alerts on the Node runtime of every service on the telemetry module (the order service, the relay): the V8 old generation against the limit the process dies at
// (never used/total: V8 grows the total lazily; nor heap_size_limit, which adds the young generation's reservation), leak predictions,
// GC, event loop, DB connection pool, worker-thread pool, memory against the container limit, restarts, and
// instances that stopped answering scrapes.
import { alerts, durationSeconds, intervals, selectors, settings, type Duration } from '../alerting-config.ts';
import { rulesPerLevel, percent, perSecond, seconds, type AlertDefinition } from './rules-per-level.ts';
import type { AlertingRule, RuleGroup } from './rule-types.ts';

const sel = selectors.runtime;
const instance = 'job, instance';
const dbPool = 'job, instance, db_client_connection_pool_name';
const workerPool = 'job, instance, worker_pool_name';
const oldGen = 'instance:v8js_memory_heap_old_generation_utilization:ratio';
const retained = 'instance:v8js_memory_heap_old_generation_after_gc_utilization:ratio';
const { imminent, predicted } = settings.heapPrediction;
/** A restart after the old generation retained this much, or RSS ran beyond its critical level, counts as an out-of-memory death. */
const oomRetained = settings.oomRetainedRatio;
const oomRss = alerts.NodeRSSNearMemoryLimit.levels.critical.threshold;

/**
 * A leak prediction: the old generation retained after major GCs, fitted linearly over `window` and extrapolated
 * `horizonSeconds` ahead, against its limit. Fitted on what survives GC, not on used: a healthy heap's GC sawtooth
 * climbs steeply between collections, while what survives them only grows when memory leaks.
 */
interface LeakPrediction {
  window: Duration;
  horizonSeconds: number;
  minRetainedRatio: number;
  minHistoryRatio: number;
  minGrowthBytesPerSecond: number;
}

const leakPrediction = (p: LeakPrediction, t: number): string =>
  `predict_linear(${retained}[${p.window}], ${p.horizonSeconds}) >= ${t} and on (${instance}) ${retained} > ${p.minRetainedRatio}` +
  // And growing by at least so many bytes a second: on a small heap, a process warming up (a few MiB retained in
  // its first minutes, measured) is a large share of the limit, and a share alone would call it a leak.
  (p.minGrowthBytesPerSecond > 0 ? ` and on (${instance}) deriv(instance:v8js_memory_heap_old_generation_used_after_gc_bytes:max[${p.window}]) > ${p.minGrowthBytesPerSecond}` : '') +
  // Only over a window that holds most of its samples: extrapolated from a few minutes, the noise of a healthy
  // live set (a percent from one GC to the next) would be a leak.
  (p.minHistoryRatio > 0
    ? ` and on (${instance}) count_over_time(${retained}[${p.window}]) >= ${Math.ceil((p.minHistoryRatio * durationSeconds(p.window)) / durationSeconds(intervals.evaluation))}`
    : '');

/** An exhaustion alert from a leak prediction: the same expression and wording for the fast and the slow leak. */
const leakRule = (p: LeakPrediction, summary: string): AlertDefinition => ({
  expr: (t) => leakPrediction(p, t),
  summary,
  description: () =>
    `At the rate the old generation retained after GC grew on {{ $labels.instance }} over the last ${p.window}, it reaches ` +
    `{{ $value | humanizePercentage }} of its limit within ${p.horizonSeconds / 60} minutes: the process will die of an out-of-memory error.`,
});

export const runtimeAlerts: RuleGroup<AlertingRule> = {
  name: 'node-runtime.alerts',
  rules: [
    ...rulesPerLevel('NodeHeapNearLimit', {
      expr: (t) => `${oldGen} > ${t}`,
      summary: 'The old generation of the heap is near the limit the process dies at.',
      description: (t) =>
        'Old-generation heap used on {{ $labels.instance }} is {{ $value | humanizePercentage }} of its limit ' +
        `(threshold ${t}); V8 aborts the process ("JavaScript heap out of memory") when it cannot grow past it.`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('NodeHeapExhaustionImminent', leakRule(imminent, 'The old generation is filling fast: the process will run out of heap within minutes.')),
    ...rulesPerLevel('NodeHeapExhaustionPredicted', leakRule(predicted, 'The old generation retained after GC is growing steadily: the process will run out of heap.')),
    ...rulesPerLevel('NodeHeapRetainedAfterGCHigh', {
      expr: (t) => `${retained} > ${t}`,
      summary: 'The old generation retained after major GC is high: memory is leaking or the live set outgrew the heap.',
      description: (t) =>
        'After the last major GC, {{ $labels.instance }} still holds {{ $value | humanizePercentage }} of its old-generation limit ' +
        `(threshold ${t}).`,
      formatThreshold: percent,
    }),
    ...rulesPerLevel('NodeGCOverheadLimit', {
      // The JVM's "GC overhead limit exceeded": the process mostly collects and the collections free little. V8 has
      // its own version and aborts ("Ineffective mark-compacts near heap limit") once four major GCs in a row leave
      // the old generation above 80% of its limit while JavaScript ran less than 40% of the time.
      expr: (t) => `instance:v8js_gc_time:ratio_rate1m > ${t} and on (${instance}) ${retained} > ${settings.gcOverheadMinRetainedRatio}`,
      summary: 'The process spends most of its time in GC while the old generation stays near its limit.',
      description: (t) =>
        '{{ $labels.instance }} spent {{ $value | humanizePercentage }} of the last minute in GC pauses ' +
        `(threshold ${t}) while major GCs leave the old generation above ${percent(settings.gcOverheadMinRetainedRatio)} of its limit: it is about to die of an out-of-memory error.`,
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
        ` and on (${instance}) (max_over_time(${retained}[${settings.restartWindow}]) > ${oomRetained}` +
        ` or max_over_time(instance:process_memory_utilization:ratio[${settings.restartWindow}]) > ${oomRss}))`,
      summary: 'The process restarted unexpectedly (crash loop or out-of-memory kill).',
      description: () =>
        `{{ $labels.instance }} has restarted in the last ${settings.restartWindow} (restarts: {{ $value }}), more than once or after its ` +
        `memory ran near a limit (old generation retained after GC above ${percent(oomRetained)}, or RSS above ${percent(oomRss)}): look for a crash loop or an out-of-memory death.`,
    }),
    ...rulesPerLevel('InstanceDown', {
      expr: () => 'up == 0',
      summary: 'A scrape target is down.',
      description: () =>
        `{{ $labels.instance }} of job {{ $labels.job }} has not answered scrapes for ${alerts.InstanceDown.levels.critical.for}.`,
    }),
  ],
};
