// promtool cases for the runtime alerts: each fires on its fault at the time its threshold and `for` say (quiet
// one evaluation before), and stays quiet on healthy data that looks alarming: a GC sawtooth near the limit, a
// process warming up, one slow scrape, a deploy restart of one replica. The heap cases follow what V8 does under
// --max-old-space-size=256 (measured): major GCs every few seconds while a leak fills the old generation, then
// the process dies (its series go stale) with the old generation at about 80% of its limit.
import { at, counter, firing, hold, quiet, ramp, series, stale, testCase, type PromtoolTestCase } from './promtool-test.ts';

const target = { job: 'order-service', instance: '10.0.0.1:9464' };
/** The old-generation limit of --max-old-space-size=256: what the process dies at. */
const oldGenLimit = 268_435_456;
const memoryLimit = 536_870_912;
const MB = 1_000_000;
const dbPool = { ...target, db_client_connection_pool_name: 'orders' };
const workerPool = { ...target, worker_pool_name: 'orders' };

const limit = (...parts: string[][]) => series('v8js_memory_heap_old_generation_limit_bytes', target, ...parts);
const oldGenUsed = (...parts: string[][]) => series('v8js_memory_heap_old_generation_used_bytes', target, ...parts);
const retained = (...parts: string[][]) => series('v8js_memory_heap_old_generation_used_after_gc_bytes', target, ...parts);
const gcSeconds = (...parts: string[][]) => series('v8js_gc_duration_seconds_sum', { ...target, v8js_gc_type: 'major' }, ...parts);

/**
 * A healthy heap with a big live set (70% of the limit, give or take 1.5% from one major GC to the next): V8 starts
 * the next major GC at most halfway to the limit, so used climbs to 85% and falls back, 50 s a tooth.
 */
function healthySawtooth(teeth: number): { used: string[]; afterGc: string[] } {
  const live = [0.7, 0.715, 0.69, 0.705, 0.685, 0.71];
  const used: string[] = [];
  const afterGc: string[] = [];
  for (let i = 0; i < teeth; i++) {
    const floor = live[i % live.length]!;
    used.push(...ramp(floor * oldGenLimit, ((0.85 - floor) / 9) * oldGenLimit, 10));
    afterGc.push(...hold(floor * oldGenLimit, 10));
  }
  return { used, afterGc };
}

/**
 * A leak of `mbPerSecond` from t=60s on a process retaining 30 MB, with a major GC every `gcEverySeconds` (what
 * survives it is what leaked so far): the retained samples until the old generation is at 80% of its limit,
 * where V8 aborts; then the process is gone (stale). Returns the samples and the time of death.
 */
function leak(mbPerSecond: number, gcEverySeconds: number): { afterGc: string[]; used: string[]; diesAt: number } {
  const afterGc: string[] = [];
  const used: string[] = [];
  let t = 0;
  for (;;) {
    const leakedAtGc = Math.max(0, Math.floor((t - 60) / gcEverySeconds) * gcEverySeconds) * mbPerSecond * MB;
    const leakedNow = Math.max(0, t - 60) * mbPerSecond * MB;
    if (30 * MB + leakedNow > 0.8 * oldGenLimit) break;
    afterGc.push(String(30 * MB + leakedAtGc));
    used.push(String(30 * MB + leakedNow));
    t += 5;
  }
  return { afterGc, used, diesAt: t };
}

const nearLimit = (value: string, threshold: string): string =>
  `Old-generation heap used on 10.0.0.1:9464 is ${value} of its limit (threshold ${threshold}); V8 aborts the process ("JavaScript heap out of memory") when it cannot grow past it.`;
const imminent = (value: string): string =>
  `At the rate the old generation retained after GC grew on 10.0.0.1:9464 over the last 1m, it reaches ${value} of its limit within 5 minutes: the process will die of an out-of-memory error.`;
const predicted = (value: string): string =>
  `At the rate the old generation retained after GC grew on 10.0.0.1:9464 over the last 10m, it reaches ${value} of its limit within 30 minutes: the process will die of an out-of-memory error.`;
const retainedAt = (value: string, threshold: string): string =>
  `After the last major GC, 10.0.0.1:9464 still holds ${value} of its old-generation limit (threshold ${threshold}).`;
const retainedHigh = (threshold: string): string => `After the last major GC, 10.0.0.1:9464 still holds 90% of its old-generation limit (threshold ${threshold}).`;
const gcOverhead = (value: string): string =>
  `10.0.0.1:9464 spent ${value} of the last minute in GC pauses (threshold 50%) while major GCs leave the old generation above 70% of its limit: it is about to die of an out-of-memory error.`;

const fastLeak = leak(2, 10);
const slowLeak = leak(0.25, 30);
const sawtooth = healthySawtooth(17);

export const runtimeCases: PromtoolTestCase[] = [
  testCase('old generation used near its limit: critical after 15s, warning after 1m', [limit(hold(oldGenLimit, 60)), oldGenUsed(hold(0.5 * oldGenLimit, 12), hold(0.97 * oldGenLimit, 48))], [
    { eval_time: at(70), alertname: 'NodeHeapNearLimit', exp_alerts: [] },
    {
      eval_time: at(80),
      alertname: 'NodeHeapNearLimit',
      exp_alerts: [firing('NodeHeapNearLimit', 'critical', target, nearLimit('97%', '95%'))],
    },
    {
      eval_time: at(125),
      alertname: 'NodeHeapNearLimit',
      exp_alerts: [firing('NodeHeapNearLimit', 'critical', target, nearLimit('97%', '95%')), firing('NodeHeapNearLimit', 'warning', target, nearLimit('97%', '90%'))],
    },
  ]),
  testCase(
    'healthy GC sawtooth for 14 minutes: old generation used peaks at 85% of its limit, what survives GC stays near 70%, GC takes 5%: no heap alert',
    [limit(hold(oldGenLimit, 170)), oldGenUsed(sawtooth.used), retained(sawtooth.afterGc), gcSeconds(counter([[0.25, 170]]))],
    quiet(
      ['NodeHeapNearLimit', 'NodeHeapExhaustionImminent', 'NodeHeapExhaustionPredicted', 'NodeHeapRetainedAfterGCHigh', 'NodeGCOverheadLimit', 'NodeGCTimeHigh'],
      [60, 90, 120, 180, 240, 300, 360, 420, 480, 540, 600, 660, 720, 780, 840],
    ),
  ),
  testCase(
    'a process warming up: what survives GC grows from 5% to 24% of the limit in two minutes, then stays: no leak alert',
    [limit(hold(oldGenLimit, 80)), retained(ramp(0.05 * oldGenLimit, 0.0079 * oldGenLimit, 25), hold(0.24 * oldGenLimit, 55))],
    quiet(['NodeHeapExhaustionImminent', 'NodeHeapExhaustionPredicted'], [30, 60, 90, 120, 150, 200, 300, 390]),
  ),
  testCase(
    'a process warming up on a small heap (36 MiB): what survives GC steps from 58% to 68% of the limit in its first minute: no leak alert',
    [
      series('v8js_memory_heap_old_generation_limit_bytes', target, hold(36 * 2 ** 20, 80)),
      retained(hold(21 * 2 ** 20, 4), hold(23.5 * 2 ** 20, 4), hold(24.1 * 2 ** 20, 6), hold(24.4 * 2 ** 20, 10), hold(24.6 * 2 ** 20, 56)),
    ],
    quiet(['NodeHeapExhaustionImminent', 'NodeHeapExhaustionPredicted'], [10, 20, 30, 40, 50, 60, 70, 80, 90, 120, 150, 200, 300, 390]),
  ),
  testCase(
    `fast leak, 2 MB/s: imminent exhaustion pages within 30s of the leak starting, about a minute before the process dies (${fastLeak.diesAt}s), and keeps firing after its series vanish with it`,
    [limit(hold(oldGenLimit, fastLeak.afterGc.length), stale(60)), oldGenUsed(fastLeak.used, stale(60)), retained(fastLeak.afterGc, stale(60))],
    [
      // 35 s after the leak began (what survives GC passes 25% of the limit at t=85s, and the next GC shows it).
      { eval_time: at(90), alertname: 'NodeHeapExhaustionImminent', exp_alerts: [] },
      { eval_time: at(95), alertname: 'NodeHeapExhaustionImminent', exp_alerts: [firing('NodeHeapExhaustionImminent', 'critical', target, imminent('153.1%'))] },
      // The process dies and its series go stale: keep_firing_for holds the alert, at its last value, for 3 minutes,
      // so InstanceDown or NodeProcessRestarted say it died before it can be resolved.
      { eval_time: at(fastLeak.diesAt + 170), alertname: 'NodeHeapExhaustionImminent', exp_alerts: [firing('NodeHeapExhaustionImminent', 'critical', target, imminent('300%'))] },
      { eval_time: at(fastLeak.diesAt + 185), alertname: 'NodeHeapExhaustionImminent', exp_alerts: [] },
    ],
  ),
  testCase(
    'a near-heap-limit snapshot raises the limit from 256 to 448 MiB at t=150s while the leak goes on: the heap alerts still fire past keep_firing_for (judged against the limit before the raise)',
    [
      limit(hold(oldGenLimit, 30), hold(448 * 2 ** 20, 40)),
      oldGenUsed(ramp(0.8 * oldGenLimit, 0.01 * oldGenLimit, 70)),
      retained(ramp(0.78 * oldGenLimit, 0.01 * oldGenLimit, 70)),
    ],
    [
      { eval_time: at(345), alertname: 'NodeHeapNearLimit', exp_alerts: [firing('NodeHeapNearLimit', 'critical', target, nearLimit('149%', '95%')), firing('NodeHeapNearLimit', 'warning', target, nearLimit('149%', '90%'))] },
      { eval_time: at(345), alertname: 'NodeHeapRetainedAfterGCHigh', exp_alerts: [firing('NodeHeapRetainedAfterGCHigh', 'critical', target, retainedAt('147%', '85%')), firing('NodeHeapRetainedAfterGCHigh', 'warning', target, retainedAt('147%', '80%'))] },
    ],
  ),
  testCase(
    `slow leak, 0.25 MB/s: predicted exhaustion pages minutes before the process dies (${slowLeak.diesAt}s)`,
    [limit(hold(oldGenLimit, slowLeak.afterGc.length)), retained(slowLeak.afterGc)],
    [
      // Once its 10-minute window holds 8 minutes of what survives GC: about 5 minutes before the process dies.
      { eval_time: at(500), alertname: 'NodeHeapExhaustionPredicted', exp_alerts: [] },
      { eval_time: at(505), alertname: 'NodeHeapExhaustionPredicted', exp_alerts: [firing('NodeHeapExhaustionPredicted', 'critical', target, predicted('208.2%'))] },
    ],
  ),
  testCase('old generation retained after GC high: critical after 15s, warning after 2m', [limit(hold(oldGenLimit, 40)), retained(hold(0.3 * oldGenLimit, 12), hold(0.9 * oldGenLimit, 28))], [
    { eval_time: at(70), alertname: 'NodeHeapRetainedAfterGCHigh', exp_alerts: [] },
    {
      eval_time: at(80),
      alertname: 'NodeHeapRetainedAfterGCHigh',
      exp_alerts: [firing('NodeHeapRetainedAfterGCHigh', 'critical', target, retainedHigh('85%'))],
    },
    {
      eval_time: at(185),
      alertname: 'NodeHeapRetainedAfterGCHigh',
      exp_alerts: [firing('NodeHeapRetainedAfterGCHigh', 'critical', target, retainedHigh('85%')), firing('NodeHeapRetainedAfterGCHigh', 'warning', target, retainedHigh('80%'))],
    },
  ]),
  testCase(
    'GC overhead: 60% of the time in GC while major GCs leave the old generation at 78% of its limit',
    [limit(hold(oldGenLimit, 50)), retained(hold(0.6 * oldGenLimit, 12), hold(0.78 * oldGenLimit, 38)), gcSeconds(counter([[0.1, 12], [3, 38]]))],
    [
      { eval_time: at(120), alertname: 'NodeGCOverheadLimit', exp_alerts: [] },
      { eval_time: at(125), alertname: 'NodeGCOverheadLimit', exp_alerts: [firing('NodeGCOverheadLimit', 'critical', target, gcOverhead('60%'))] },
    ],
  ),
  testCase(
    'GC takes 60% of the time while the old generation holds 30% after GC (allocation churn, no shortage): no GC overhead alert',
    [limit(hold(oldGenLimit, 50)), retained(hold(0.3 * oldGenLimit, 50)), gcSeconds(counter([[0.1, 12], [3, 38]]))],
    quiet(['NodeGCOverheadLimit'], [120, 150, 180, 240]),
  ),
  testCase('GC takes 40% of the time', [series('v8js_gc_duration_seconds_sum', { ...target, v8js_gc_type: 'major' }, counter([[0.05, 12], [2, 40]]))], [
    { eval_time: at(130), alertname: 'NodeGCTimeHigh', exp_alerts: [] },
    { eval_time: at(140), alertname: 'NodeGCTimeHigh', exp_alerts: [firing('NodeGCTimeHigh', 'critical', target, '10.0.0.1:9464 spent 40% of the last minute in GC pauses (threshold 30%).')] },
    {
      eval_time: at(200),
      alertname: 'NodeGCTimeHigh',
      exp_alerts: [
        firing('NodeGCTimeHigh', 'critical', target, '10.0.0.1:9464 spent 40% of the last minute in GC pauses (threshold 30%).'),
        firing('NodeGCTimeHigh', 'warning', target, '10.0.0.1:9464 spent 40% of the last minute in GC pauses (threshold 10%).'),
      ],
    },
  ]),
  testCase(
    'one 8-second GC pause in an otherwise healthy heap: no GC alert',
    [series('v8js_gc_duration_seconds_sum', { ...target, v8js_gc_type: 'major' }, counter([[0.05, 30], [8, 1], [0.05, 60]]))],
    quiet(['NodeGCTimeHigh'], [155, 180, 210, 240, 300, 400]),
  ),
  testCase('event loop blocked: p99 delay 800ms', [series('nodejs_eventloop_delay_p99_seconds', target, hold(0.01, 12), hold(0.8, 40))], [
    { eval_time: at(65), alertname: 'NodeEventLoopDelayHigh', exp_alerts: [] },
    { eval_time: at(70), alertname: 'NodeEventLoopDelayHigh', exp_alerts: [firing('NodeEventLoopDelayHigh', 'critical', target, 'Event-loop delay p99 on 10.0.0.1:9464 is 800ms (threshold 0.5s).')] },
    {
      eval_time: at(125),
      alertname: 'NodeEventLoopDelayHigh',
      exp_alerts: [
        firing('NodeEventLoopDelayHigh', 'critical', target, 'Event-loop delay p99 on 10.0.0.1:9464 is 800ms (threshold 0.5s).'),
        firing('NodeEventLoopDelayHigh', 'warning', target, 'Event-loop delay p99 on 10.0.0.1:9464 is 800ms (threshold 0.1s).'),
      ],
    },
  ]),
  testCase(
    'a single slow scrape: one 3-second event-loop delay sample: no alert',
    [series('nodejs_eventloop_delay_p99_seconds', target, hold(0.01, 30), hold(3, 1), hold(0.01, 40))],
    quiet(['NodeEventLoopDelayHigh'], [150, 155, 160, 180, 210, 240]),
  ),
  testCase(
    'DB pool exhausted: all 10 connections used, 5 requests waiting',
    [
      series('db_client_connection_count', { ...dbPool, db_client_connection_state: 'used' }, hold(2, 12), hold(10, 40)),
      series('db_client_connection_count', { ...dbPool, db_client_connection_state: 'idle' }, hold(8, 12), hold(0, 40)),
      series('db_client_connection_max', dbPool, hold(10, 52)),
      series('db_client_connection_pending_requests', dbPool, hold(0, 12), hold(5, 40)),
    ],
    [
      { eval_time: at(65), alertname: 'NodeDBPoolExhausted', exp_alerts: [] },
      {
        eval_time: at(70),
        alertname: 'NodeDBPoolExhausted',
        exp_alerts: [firing('NodeDBPoolExhausted', 'critical', dbPool, 'Pool orders on 10.0.0.1:9464 has 100% of its connections in use and requests waiting for one.')],
      },
    ],
  ),
  testCase(
    'DB pool busy but keeping up: all connections used, one scrape with requests waiting: no alert',
    [
      series('db_client_connection_count', { ...dbPool, db_client_connection_state: 'used' }, hold(10, 70)),
      series('db_client_connection_max', dbPool, hold(10, 70)),
      series('db_client_connection_pending_requests', dbPool, hold(0, 30), hold(3, 1), hold(0, 39)),
    ],
    quiet(['NodeDBPoolExhausted'], [150, 155, 160, 165, 200, 300]),
  ),
  testCase('DB pool acquire timeouts: one every 5s', [series('db_client_connection_timeouts_total', dbPool, counter([[0, 12], [1, 40]]))], [
    { eval_time: at(80), alertname: 'NodeDBPoolAcquireTimeouts', exp_alerts: [] },
    {
      // Past 120s the whole 1-minute window holds the fault, so the rate (one every 5s) is exact.
      eval_time: at(125),
      alertname: 'NodeDBPoolAcquireTimeouts',
      exp_alerts: [
        firing('NodeDBPoolAcquireTimeouts', 'critical', dbPool, 'Pool orders on 10.0.0.1:9464 times out 0.20 connection requests a second (threshold 0.05/s); each is a failed request.'),
      ],
    },
  ]),
  testCase('a single DB acquire timeout: no page', [series('db_client_connection_timeouts_total', dbPool, counter([[0, 30], [1, 1], [0, 40]]))], quiet(['NodeDBPoolAcquireTimeouts'], [155, 170, 200, 240])),
  testCase(
    'DB pool waits slow: every acquire waits 1 to 2.5s',
    ['0.005', '0.05', '0.5', '1', '2.5', '+Inf'].map((le) =>
      series('db_client_connection_wait_time_seconds_bucket', { ...dbPool, le }, Number(le) <= 1 ? counter([[10, 12], [0, 40]]) : counter([[10, 52]])),
    ),
    [
      { eval_time: at(120), alertname: 'NodeDBPoolWaitSlow', exp_alerts: [] },
      {
        eval_time: at(130),
        alertname: 'NodeDBPoolWaitSlow',
        exp_alerts: [firing('NodeDBPoolWaitSlow', 'warning', dbPool, 'p99 wait for a connection from pool orders on 10.0.0.1:9464 is 2.485s (threshold 0.5s).')],
      },
    ],
  ),
  testCase(
    'one slow DB acquire among 120 a minute: no alert',
    ['0.005', '0.05', '0.5', '1', '2.5', '+Inf'].map((le) =>
      series('db_client_connection_wait_time_seconds_bucket', { ...dbPool, le }, Number(le) <= 1 ? counter([[10, 70]]) : counter([[10, 30], [11, 1], [10, 39]])),
    ),
    quiet(['NodeDBPoolWaitSlow'], [155, 180, 210, 240, 300]),
  ),
  testCase(
    'worker pool saturated: both threads busy, 5 tasks queued',
    [
      series('worker_pool_thread_count', { ...workerPool, worker_pool_thread_state: 'busy' }, hold(1, 12), hold(2, 40)),
      series('worker_pool_thread_count', { ...workerPool, worker_pool_thread_state: 'idle' }, hold(1, 12), hold(0, 40)),
      series('worker_pool_thread_max', workerPool, hold(2, 52)),
      series('worker_pool_queue_depth', workerPool, hold(0, 12), hold(5, 40)),
    ],
    [
      { eval_time: at(115), alertname: 'NodeWorkerPoolSaturated', exp_alerts: [] },
      {
        eval_time: at(125),
        alertname: 'NodeWorkerPoolSaturated',
        exp_alerts: [firing('NodeWorkerPoolSaturated', 'warning', workerPool, 'Worker pool orders on 10.0.0.1:9464 has 100% of its threads busy and tasks waiting in its queue.')],
      },
    ],
  ),
  testCase(
    'worker pool fully busy without a backlog, one scrape with a queue: no alert',
    [
      series('worker_pool_thread_count', { ...workerPool, worker_pool_thread_state: 'busy' }, hold(2, 70)),
      series('worker_pool_thread_max', workerPool, hold(2, 70)),
      series('worker_pool_queue_depth', workerPool, hold(0, 30), hold(3, 1), hold(0, 39)),
    ],
    quiet(['NodeWorkerPoolSaturated'], [150, 180, 210, 240, 300]),
  ),
  testCase('worker pool rejects a task every 5s', [series('worker_pool_tasks_rejected_total', workerPool, counter([[0, 12], [1, 40]]))], [
    { eval_time: at(80), alertname: 'NodeWorkerPoolTasksRejected', exp_alerts: [] },
    {
      eval_time: at(125),
      alertname: 'NodeWorkerPoolTasksRejected',
      exp_alerts: [firing('NodeWorkerPoolTasksRejected', 'critical', workerPool, 'Worker pool orders on 10.0.0.1:9464 rejects 0.20 tasks a second (threshold 0.05/s); each is a failed order.')],
    },
  ]),
  testCase('a single rejected task: no page', [series('worker_pool_tasks_rejected_total', workerPool, counter([[0, 30], [1, 1], [0, 40]]))], quiet(['NodeWorkerPoolTasksRejected'], [155, 170, 200, 240])),
  testCase(
    'RSS at 95% of the container memory limit',
    [series('process_memory_limit_bytes', target, hold(memoryLimit, 40)), series('process_memory_usage_bytes', target, hold(0.5 * memoryLimit, 12), hold(0.95 * memoryLimit, 28))],
    [
      { eval_time: at(70), alertname: 'NodeRSSNearMemoryLimit', exp_alerts: [] },
      {
        eval_time: at(80),
        alertname: 'NodeRSSNearMemoryLimit',
        exp_alerts: [firing('NodeRSSNearMemoryLimit', 'critical', target, 'Resident memory of 10.0.0.1:9464 is 95% of its memory limit (threshold 90%); at 100% the kernel OOM-kills it.')],
      },
      {
        eval_time: at(125),
        alertname: 'NodeRSSNearMemoryLimit',
        exp_alerts: [
          firing('NodeRSSNearMemoryLimit', 'critical', target, 'Resident memory of 10.0.0.1:9464 is 95% of its memory limit (threshold 90%); at 100% the kernel OOM-kills it.'),
          firing('NodeRSSNearMemoryLimit', 'warning', target, 'Resident memory of 10.0.0.1:9464 is 95% of its memory limit (threshold 80%); at 100% the kernel OOM-kills it.'),
        ],
      },
    ],
  ),
  testCase(
    'crash loop: the process starts anew twice in 15 minutes',
    [series('process_start_time_seconds', target, hold(1000, 24), stale(2), hold(1130, 24), stale(2), hold(1260, 24))],
    [
      { eval_time: at(250), alertname: 'NodeProcessRestarted', exp_alerts: [] },
      {
        eval_time: at(265),
        alertname: 'NodeProcessRestarted',
        exp_alerts: [
          firing(
            'NodeProcessRestarted',
            'critical',
            target,
            '10.0.0.1:9464 has restarted in the last 15m (restarts: 2), more than once or after its memory ran near a limit (old generation retained after GC above 75%, or RSS above 90%): look for a crash loop or an out-of-memory death.',
          ),
        ],
      },
    ],
  ),
  testCase(
    'out-of-memory death: one restart right after major GCs left the old generation at 79% of its limit',
    [
      series('process_start_time_seconds', target, hold(1000, 24), stale(2), hold(1130, 30)),
      limit(hold(oldGenLimit, 24), stale(2), hold(oldGenLimit, 30)),
      retained(hold(0.5 * oldGenLimit, 18), hold(0.79 * oldGenLimit, 6), stale(2), hold(0.1 * oldGenLimit, 30)),
    ],
    [
      { eval_time: at(125), alertname: 'NodeProcessRestarted', exp_alerts: [] },
      {
        eval_time: at(135),
        alertname: 'NodeProcessRestarted',
        exp_alerts: [
          firing(
            'NodeProcessRestarted',
            'critical',
            target,
            '10.0.0.1:9464 has restarted in the last 15m (restarts: 1), more than once or after its memory ran near a limit (old generation retained after GC above 75%, or RSS above 90%): look for a crash loop or an out-of-memory death.',
          ),
        ],
      },
    ],
  ),
  testCase(
    'deploy restart of one replica with a big live set (70% retained, used at 85%): down for two scrapes, counters reset: no alert',
    [
      series('up', target, hold(1, 24), hold(0, 2), hold(1, 50)),
      series('process_start_time_seconds', target, hold(1000, 24), stale(2), hold(1130, 50)),
      limit(hold(oldGenLimit, 24), stale(2), hold(oldGenLimit, 50)),
      oldGenUsed(hold(0.85 * oldGenLimit, 24), stale(2), hold(0.2 * oldGenLimit, 50)),
      retained(hold(0.7 * oldGenLimit, 24), stale(2), hold(0.1 * oldGenLimit, 50)),
      series(
        'http_server_request_duration_seconds_count',
        { ...target, http_request_method: 'POST', http_route: '/orders', http_response_status_code: '201' },
        counter([[50, 24]], 9000),
        stale(2),
        counter([[50, 50]]),
      ),
    ],
    quiet(
      ['NodeProcessRestarted', 'InstanceDown', 'HTTPServerErrorRatioHigh', 'OrderTrafficSurge', 'NodeHeapExhaustionImminent', 'NodeHeapExhaustionPredicted', 'NodeHeapNearLimit'],
      [120, 125, 130, 150, 180, 240, 300, 370],
    ),
  ),
  testCase('instance down for good', [series('up', target, hold(1, 12), hold(0, 20))], [
    { eval_time: at(65), alertname: 'InstanceDown', exp_alerts: [] },
    { eval_time: at(70), alertname: 'InstanceDown', exp_alerts: [firing('InstanceDown', 'critical', target, '10.0.0.1:9464 of job order-service has not answered scrapes for 10s.')] },
  ]),
];
