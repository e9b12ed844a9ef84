// promtool cases for the runtime alerts: each fires on its fault at the time its threshold and `for` say (quiet
// one evaluation before), and stays quiet on healthy data that looks alarming: a GC sawtooth, one slow scrape,
// a deploy restart of one replica.
import { at, counter, firing, hold, quiet, ramp, series, stale, testCase, type PromtoolTestCase } from './promtool-test.ts';

const target = { job: 'order-service', instance: '10.0.0.1:9464' };
/** V8's heap_size_limit for --max-old-space-size=256 on Node 24. */
const heapLimit = 469_762_048;
const memoryLimit = 536_870_912;
const oldSpace = { ...target, v8js_heap_space_name: 'old_space' };
const dbPool = { ...target, db_client_connection_pool_name: 'orders' };
const workerPool = { ...target, worker_pool_name: 'orders' };

const heapUsed = (...parts: string[][]) => series('v8js_memory_heap_used_bytes', oldSpace, ...parts);
const heapLimitSeries = (...parts: string[][]) => series('v8js_memory_heap_size_limit_bytes', target, ...parts);
const afterGc = (...parts: string[][]) => series('v8js_memory_heap_used_after_gc_bytes', target, ...parts);

/** A healthy heap with a big live set: climbs from 56% to 87% of the limit between major GCs, 50 s a tooth. */
function gcSawtooth(teeth: number): string[] {
  return Array.from({ length: teeth }, () => [...ramp(0.56 * heapLimit, 0.035 * heapLimit, 9), ...hold(0.87 * heapLimit, 1)]).flat();
}

export const runtimeCases: PromtoolTestCase[] = [
  testCase('heap used near the limit: critical after 15s, warning after 1m', [heapLimitSeries(hold(heapLimit, 60)), heapUsed(hold(0.5 * heapLimit, 12), hold(0.95 * heapLimit, 48))], [
    { eval_time: at(70), alertname: 'NodeHeapNearLimit', exp_alerts: [] },
    {
      eval_time: at(80),
      alertname: 'NodeHeapNearLimit',
      exp_alerts: [firing('NodeHeapNearLimit', 'critical', target, 'Heap used on 10.0.0.1:9464 is 95% of the V8 heap limit (threshold 90%); at 100% the process dies with an out-of-memory error.')],
    },
    {
      eval_time: at(125),
      alertname: 'NodeHeapNearLimit',
      exp_alerts: [
        firing('NodeHeapNearLimit', 'critical', target, 'Heap used on 10.0.0.1:9464 is 95% of the V8 heap limit (threshold 90%); at 100% the process dies with an out-of-memory error.'),
        firing('NodeHeapNearLimit', 'warning', target, 'Heap used on 10.0.0.1:9464 is 95% of the V8 heap limit (threshold 80%); at 100% the process dies with an out-of-memory error.'),
      ],
    },
  ]),
  testCase(
    'healthy GC sawtooth: heap used peaks at 87% of the limit, what survives GC stays flat: no heap alert',
    [heapLimitSeries(hold(heapLimit, 130)), heapUsed(gcSawtooth(13)), afterGc(...Array.from({ length: 13 }, (_, i) => hold((i % 2 === 0 ? 0.55 : 0.56) * heapLimit, 10)))],
    quiet(['NodeHeapNearLimit', 'NodeHeapExhaustionPredicted', 'NodeHeapRetainedAfterGCHigh'], [60, 90, 120, 180, 240, 300, 360, 420, 480, 540, 600]),
  ),
  testCase(
    'leak: heap retained after GC grows 6% of the limit a minute: predicted exhaustion pages once past half the limit, minutes before the OOM',
    [heapLimitSeries(hold(heapLimit, 60)), afterGc(ramp(0.3 * heapLimit, 0.005 * heapLimit, 60))],
    [
      { eval_time: at(230), alertname: 'NodeHeapExhaustionPredicted', exp_alerts: [] },
      {
        eval_time: at(240),
        alertname: 'NodeHeapExhaustionPredicted',
        exp_alerts: [
          firing(
            'NodeHeapExhaustionPredicted',
            'critical',
            target,
            'At the rate heap retained after GC grew on 10.0.0.1:9464 over the last 5m, it reaches 114% of the V8 heap limit within 10 minutes: the process will run out of memory.',
          ),
        ],
      },
    ],
  ),
  testCase('heap retained after GC high: critical after 30s, warning after 2m', [heapLimitSeries(hold(heapLimit, 40)), afterGc(hold(0.3 * heapLimit, 12), hold(0.9 * heapLimit, 28))], [
    { eval_time: at(85), alertname: 'NodeHeapRetainedAfterGCHigh', exp_alerts: [] },
    {
      eval_time: at(95),
      alertname: 'NodeHeapRetainedAfterGCHigh',
      exp_alerts: [firing('NodeHeapRetainedAfterGCHigh', 'critical', target, 'After the last major GC, 10.0.0.1:9464 still holds 90% of the V8 heap limit (threshold 85%).')],
    },
    {
      eval_time: at(185),
      alertname: 'NodeHeapRetainedAfterGCHigh',
      exp_alerts: [
        firing('NodeHeapRetainedAfterGCHigh', 'critical', target, 'After the last major GC, 10.0.0.1:9464 still holds 90% of the V8 heap limit (threshold 85%).'),
        firing('NodeHeapRetainedAfterGCHigh', 'warning', target, 'After the last major GC, 10.0.0.1:9464 still holds 90% of the V8 heap limit (threshold 70%).'),
      ],
    },
  ]),
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
    { eval_time: at(85), alertname: 'NodeEventLoopDelayHigh', exp_alerts: [] },
    { eval_time: at(95), alertname: 'NodeEventLoopDelayHigh', exp_alerts: [firing('NodeEventLoopDelayHigh', 'critical', target, 'Event-loop delay p99 on 10.0.0.1:9464 is 800ms (threshold 0.5s).')] },
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
      { eval_time: at(70), alertname: 'NodeDBPoolExhausted', exp_alerts: [] },
      {
        eval_time: at(80),
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
    { eval_time: at(90), alertname: 'NodeDBPoolAcquireTimeouts', exp_alerts: [] },
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
    { eval_time: at(90), alertname: 'NodeWorkerPoolTasksRejected', exp_alerts: [] },
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
            'warning',
            target,
            '10.0.0.1:9464 has restarted in the last 15m (restarts: 2), more than once or after its memory ran above 90% of a limit: look for a crash loop or an out-of-memory kill.',
          ),
        ],
      },
    ],
  ),
  testCase(
    'out-of-memory kill: one restart right after the heap ran at 95% of its limit',
    [
      series('process_start_time_seconds', target, hold(1000, 24), stale(2), hold(1130, 30)),
      heapLimitSeries(hold(heapLimit, 24), stale(2), hold(heapLimit, 30)),
      heapUsed(hold(0.5 * heapLimit, 18), hold(0.95 * heapLimit, 6), stale(2), hold(0.2 * heapLimit, 30)),
    ],
    [
      { eval_time: at(125), alertname: 'NodeProcessRestarted', exp_alerts: [] },
      {
        eval_time: at(135),
        alertname: 'NodeProcessRestarted',
        exp_alerts: [
          firing(
            'NodeProcessRestarted',
            'warning',
            target,
            '10.0.0.1:9464 has restarted in the last 15m (restarts: 1), more than once or after its memory ran above 90% of a limit: look for a crash loop or an out-of-memory kill.',
          ),
        ],
      },
    ],
  ),
  testCase(
    'deploy restart of one replica: down for two scrapes, counters reset, memory normal: no alert',
    [
      series('up', target, hold(1, 24), hold(0, 2), hold(1, 50)),
      series('process_start_time_seconds', target, hold(1000, 24), stale(2), hold(1130, 50)),
      heapLimitSeries(hold(heapLimit, 24), stale(2), hold(heapLimit, 50)),
      heapUsed(hold(0.5 * heapLimit, 24), stale(2), hold(0.2 * heapLimit, 50)),
      afterGc(hold(0.4 * heapLimit, 24), stale(2), hold(0.1 * heapLimit, 50)),
      series(
        'http_server_request_duration_seconds_count',
        { ...target, http_request_method: 'POST', http_route: '/orders', http_response_status_code: '201' },
        counter([[50, 24]], 9000),
        stale(2),
        counter([[50, 50]]),
      ),
    ],
    quiet(
      ['NodeProcessRestarted', 'InstanceDown', 'HTTPServerErrorRatioHigh', 'OrderTrafficSurge', 'NodeHeapExhaustionPredicted', 'NodeHeapNearLimit'],
      [120, 125, 130, 150, 180, 240, 300, 370],
    ),
  ),
  testCase('instance down for good', [series('up', target, hold(1, 12), hold(0, 20))], [
    { eval_time: at(85), alertname: 'InstanceDown', exp_alerts: [] },
    { eval_time: at(95), alertname: 'InstanceDown', exp_alerts: [firing('InstanceDown', 'critical', target, '10.0.0.1:9464 of job order-service has not answered scrapes for 30s.')] },
  ]),
];
