// promtool cases for the runtime alerts on the alert relay: it serves the same runtime metrics as the order
// service (the telemetry module), under its own job, and the runtime alerts select it too (selectors.runtime).
// A relay dying of its heap or with a stalled event loop would otherwise page nobody: it is what sends the pages.
import { at, firing, hold, series, testCase, type PromtoolTestCase } from './promtool-test.ts';

const relay = { job: 'alert-relay', instance: '127.0.0.1:9095' };
/** heap_size_limit of a relay on Node 24's default heap (about 2 GiB on a 4 GiB machine): any limit works, the alert is a ratio. */
const heapLimit = 2_197_815_296;

export const relayRuntimeCases: PromtoolTestCase[] = [
  testCase(
    'the relay heap near its limit: the runtime alert fires for the alert-relay job (critical after 15s)',
    [
      series('v8js_memory_heap_size_limit_bytes', relay, hold(heapLimit, 60)),
      series('v8js_memory_heap_used_bytes', { ...relay, v8js_heap_space_name: 'old_space' }, hold(0.3 * heapLimit, 12), hold(0.93 * heapLimit, 48)),
    ],
    [
      { eval_time: at(70), alertname: 'NodeHeapNearLimit', exp_alerts: [] },
      {
        eval_time: at(80),
        alertname: 'NodeHeapNearLimit',
        exp_alerts: [firing('NodeHeapNearLimit', 'critical', relay, 'Heap used on 127.0.0.1:9095 is 93% of the V8 heap limit (threshold 90%); at 100% the process dies with an out-of-memory error.')],
      },
    ],
  ),
  testCase(
    'the relay event loop stalled: a p99 delay of 800ms pages for the alert-relay job',
    [series('nodejs_eventloop_delay_p99_seconds', relay, hold(0.002, 12), hold(0.8, 40))],
    [
      { eval_time: at(85), alertname: 'NodeEventLoopDelayHigh', exp_alerts: [] },
      { eval_time: at(95), alertname: 'NodeEventLoopDelayHigh', exp_alerts: [firing('NodeEventLoopDelayHigh', 'critical', relay, 'Event-loop delay p99 on 127.0.0.1:9095 is 800ms (threshold 0.5s).')] },
    ],
  ),
  testCase(
    'a job outside the runtime jobs (not on the telemetry module) is not selected',
    [
      series('v8js_memory_heap_size_limit_bytes', { job: 'some-other-job', instance: '10.9.9.9:1' }, hold(heapLimit, 60)),
      series('v8js_memory_heap_used_bytes', { job: 'some-other-job', instance: '10.9.9.9:1', v8js_heap_space_name: 'old_space' }, hold(0.99 * heapLimit, 60)),
    ],
    [{ eval_time: at(120), alertname: 'NodeHeapNearLimit', exp_alerts: [] }],
  ),
];
