// promtool cases for the order service's user-facing alerts: 5xx ratio, latency, stuck and failing orders, and
// a traffic surge; each with the healthy data that looks like it (a burst, one slow batch, a small service).
import { at, counter, firing, hold, quiet, ramp, series, testCase, type PromtoolTestCase } from './promtool-test.ts';

const target = { job: 'order-service', instance: '10.0.0.1:9464' };
const quietTarget = { job: 'order-service', instance: '10.0.0.2:9464' };
const smallTarget = { job: 'order-service', instance: '10.0.0.3:9464' };
const orders = { http_request_method: 'POST', http_route: '/orders' };
const requests = (instance: Record<string, string>, status: string, ...parts: string[][]) =>
  series('http_server_request_duration_seconds_count', { ...instance, ...orders, http_response_status_code: status }, ...parts);
const latencyBuckets = ['0.1', '0.5', '1', '2.5', '5', '+Inf'];
const bucket = (le: string, ...parts: string[][]) =>
  series('http_server_request_duration_seconds_bucket', { ...target, ...orders, http_response_status_code: '201', le }, ...parts);
const admitted = (instance: Record<string, string>, ...parts: string[][]) => series('http_server_admission_admitted_total', { ...instance, priority: 'write' }, ...parts);
const shedding = (instance: Record<string, string>, ...parts: string[][]) =>
  series('http_server_admission_shed_total', { ...instance, priority: 'write', reason: 'concurrency_limit' }, ...parts);
/** One request a minute. */
const onePerMinute = (minutes: number): Array<[number, number]> => Array.from({ length: minutes }, (): Array<[number, number]> => [[0, 11], [1, 1]]).flat();

export const orderServiceCases: PromtoolTestCase[] = [
  testCase('every order request answers 500 from t=60s (10 requests a second)', [requests(target, '201', counter([[50, 12], [0, 40]])), requests(target, '500', counter([[0, 12], [50, 40]]))], [
    { eval_time: at(75), alertname: 'HTTPServerErrorRatioHigh', exp_alerts: [] },
    {
      eval_time: at(85),
      alertname: 'HTTPServerErrorRatioHigh',
      exp_alerts: [firing('HTTPServerErrorRatioHigh', 'critical', target, '41.67% of HTTP requests to 10.0.0.1:9464 answered 5xx over the last minute (threshold 5%).')],
    },
    {
      eval_time: at(190),
      alertname: 'HTTPServerErrorRatioHigh',
      exp_alerts: [
        firing('HTTPServerErrorRatioHigh', 'critical', target, '100% of HTTP requests to 10.0.0.1:9464 answered 5xx over the last minute (threshold 5%).'),
        firing('HTTPServerErrorRatioHigh', 'warning', target, '100% of HTTP requests to 10.0.0.1:9464 answered 5xx over the last minute (threshold 1%).'),
      ],
    },
  ]),
  testCase(
    'a burst of 30 errors in one scrape, and a small instance whose one request a minute fails: no alert',
    [
      requests(target, '201', counter([[50, 70]])),
      requests(target, '500', counter([[0, 30], [30, 1], [0, 39]])),
      requests(quietTarget, '500', counter(onePerMinute(6))),
    ],
    quiet(['HTTPServerErrorRatioHigh'], [155, 165, 180, 200, 240, 300, 340]),
  ),
  testCase(
    'every request takes 1 to 2.5s from t=60s',
    [
      requests(target, '201', counter([[50, 52]])),
      ...latencyBuckets.map((le) => bucket(le, Number(le) <= 1 ? counter([[50, 12], [0, 40]]) : counter([[50, 52]]))),
    ],
    [
      { eval_time: at(90), alertname: 'HTTPServerLatencyHigh', exp_alerts: [] },
      {
        eval_time: at(125),
        alertname: 'HTTPServerLatencyHigh',
        exp_alerts: [firing('HTTPServerLatencyHigh', 'critical', target, 'p99 HTTP request duration on 10.0.0.1:9464 is 2.485s over the last minute (threshold 1.5s).')],
      },
      {
        eval_time: at(190),
        alertname: 'HTTPServerLatencyHigh',
        exp_alerts: [
          firing('HTTPServerLatencyHigh', 'critical', target, 'p99 HTTP request duration on 10.0.0.1:9464 is 2.485s over the last minute (threshold 1.5s).'),
          firing('HTTPServerLatencyHigh', 'warning', target, 'p99 HTTP request duration on 10.0.0.1:9464 is 2.485s over the last minute (threshold 0.5s).'),
        ],
      },
    ],
  ),
  testCase(
    'five slow requests in one scrape among 600 a minute: no alert',
    [
      requests(target, '201', counter([[50, 30], [55, 1], [50, 39]])),
      ...latencyBuckets.map((le) => bucket(le, Number(le) <= 2.5 ? counter([[50, 70]]) : counter([[50, 30], [55, 1], [50, 39]]))),
    ],
    quiet(['HTTPServerLatencyHigh'], [155, 165, 180, 200, 240, 300]),
  ),
  testCase('an order stuck in PROCESSING ages', [series('orders_processing_oldest_age_seconds', target, hold(0, 12), ramp(0, 5, 80))], [
    { eval_time: at(240), alertname: 'OrdersStuckProcessing', exp_alerts: [] },
    {
      eval_time: at(250),
      alertname: 'OrdersStuckProcessing',
      exp_alerts: [firing('OrdersStuckProcessing', 'warning', target, 'The oldest order in PROCESSING seen by 10.0.0.1:9464 has been there for 3m 10s (threshold 120s).')],
    },
    {
      eval_time: at(400),
      alertname: 'OrdersStuckProcessing',
      exp_alerts: [
        firing('OrdersStuckProcessing', 'critical', target, 'The oldest order in PROCESSING seen by 10.0.0.1:9464 has been there for 5m 40s (threshold 300s).'),
        firing('OrdersStuckProcessing', 'warning', target, 'The oldest order in PROCESSING seen by 10.0.0.1:9464 has been there for 5m 40s (threshold 120s).'),
      ],
    },
  ]),
  testCase(
    'the reconciler finishes PROCESSING orders within 30s: no alert',
    [series('orders_processing_oldest_age_seconds', target, ...Array.from({ length: 12 }, () => ramp(0, 5, 7)))],
    quiet(['OrdersStuckProcessing'], [60, 120, 180, 240, 300, 400]),
  ),
  testCase(
    'half the orders fail from t=60s',
    [series('orders_created_total', target, counter([[10, 60]])), series('orders_failed_total', { ...target, reason: 'payment_declined' }, counter([[0, 12], [5, 48]]))],
    [
      // While the 2-minute window is not yet full (before t=120s) the ratio is of what it holds: 20% is passed at t=105s.
      { eval_time: at(130), alertname: 'OrderFailureRatioHigh', exp_alerts: [] },
      {
        eval_time: at(185),
        alertname: 'OrderFailureRatioHigh',
        exp_alerts: [firing('OrderFailureRatioHigh', 'critical', target, 'Orders failed on 10.0.0.1:9464 over the last 2 minutes are 50% of the orders created (threshold 20%).')],
      },
      {
        eval_time: at(200),
        alertname: 'OrderFailureRatioHigh',
        exp_alerts: [
          firing('OrderFailureRatioHigh', 'critical', target, 'Orders failed on 10.0.0.1:9464 over the last 2 minutes are 50% of the orders created (threshold 20%).'),
          firing('OrderFailureRatioHigh', 'warning', target, 'Orders failed on 10.0.0.1:9464 over the last 2 minutes are 50% of the orders created (threshold 5%).'),
        ],
      },
    ],
  ),
  testCase(
    'one failed order among hundreds: no alert',
    [series('orders_created_total', target, counter([[10, 70]])), series('orders_failed_total', { ...target, reason: 'payment_declined' }, counter([[0, 30], [1, 1], [0, 39]]))],
    quiet(['OrderFailureRatioHigh'], [155, 180, 240, 300]),
  ),
  testCase('traffic jumps tenfold after 40 quiet minutes', [requests(target, '201', counter([[10, 480], [100, 30]]))], [
    { eval_time: at(2470), alertname: 'OrderTrafficSurge', exp_alerts: [] },
    {
      eval_time: at(2490),
      alertname: 'OrderTrafficSurge',
      exp_alerts: [
        firing('OrderTrafficSurge', 'warning', target, '10.0.0.1:9464 serves 10.0 times its average request rate of the 30m before (threshold 3 times): check that capacity keeps up.'),
      ],
    },
  ]),
  testCase(
    'traffic doubles, and a small instance goes from 0.2 to 1 request a second: no alert',
    [requests(target, '201', counter([[10, 480], [20, 60]])), requests(smallTarget, '201', counter([[1, 480], [5, 60]]))],
    quiet(['OrderTrafficSurge'], [2460, 2520, 2580, 2640, 2695]),
  ),
  testCase(
    'the service sheds 60% of order requests from t=60s (2 admitted and 3 shed a second)',
    [admitted(target, counter([[10, 160]])), shedding(target, counter([[0, 12], [15, 148]]))],
    [
      { eval_time: at(75), alertname: 'OrderRequestsShed', exp_alerts: [] },
      {
        eval_time: at(200),
        alertname: 'OrderRequestsShed',
        exp_alerts: [firing('OrderRequestsShed', 'critical', target, '10.0.0.1:9464 refused 60% of order requests with 503 over the last minute (threshold 50%): it is past its capacity; see the shed reasons on the dashboard.')],
      },
      {
        eval_time: at(450),
        alertname: 'OrderRequestsShed',
        exp_alerts: [
          firing('OrderRequestsShed', 'critical', target, '10.0.0.1:9464 refused 60% of order requests with 503 over the last minute (threshold 50%): it is past its capacity; see the shed reasons on the dashboard.'),
          firing('OrderRequestsShed', 'warning', target, '10.0.0.1:9464 refused 60% of order requests with 503 over the last minute (threshold 5%): it is past its capacity; see the shed reasons on the dashboard.'),
        ],
      },
    ],
  ),
  testCase(
    'a 2-minute burst shedding 20%, a steady 3% shed, and a small instance refusing its one request a minute: no alert',
    [
      admitted(target, counter([[40, 100]])),
      shedding(target, counter([[0, 20], [10, 24], [0, 56]])),
      admitted(quietTarget, counter([[97, 100]])),
      shedding(quietTarget, counter([[3, 100]])),
      shedding(smallTarget, counter(onePerMinute(8))),
      admitted(smallTarget, hold(0, 100)),
    ],
    quiet(['OrderRequestsShed'], [120, 180, 240, 300, 360, 420, 480]),
  ),
];
