// Recording rules (`level:metric:operations`) that the alerts and the dashboards share: request rate, error ratio
// and latency quantiles per instance and route, heap used over its limit, GC time share, pool utilization.
// Every aggregation names the labels it keeps, so alerts carry job and instance (and the pool) and nothing else.
import { selectors } from '../alerting-config.ts';
import type { RecordingRule, RuleGroup } from './rule-types.ts';

const sel = selectors.orderService;
/** Heap, GC, memory and restarts: every Node service on the telemetry module (the pools are the order service's). */
const runtimeSel = selectors.runtime;
const instance = 'job, instance';
const dbPool = 'job, instance, db_client_connection_pool_name';
const workerPool = 'job, instance, worker_pool_name';

export const runtimeRecords: RuleGroup<RecordingRule> = {
  name: 'order-service-runtime.records',
  rules: [
    { record: 'instance:v8js_memory_heap_used_bytes:sum', expr: `sum by (${instance}) (v8js_memory_heap_used_bytes{${runtimeSel}})` },
    {
      record: 'instance:v8js_memory_heap_utilization:ratio',
      expr: `instance:v8js_memory_heap_used_bytes:sum / on (${instance}) max by (${instance}) (v8js_memory_heap_size_limit_bytes{${runtimeSel}})`,
    },
    {
      record: 'instance:v8js_memory_heap_after_gc_utilization:ratio',
      expr: `max by (${instance}) (v8js_memory_heap_used_after_gc_bytes{${runtimeSel}}) / on (${instance}) max by (${instance}) (v8js_memory_heap_size_limit_bytes{${runtimeSel}})`,
    },
    { record: 'instance:v8js_gc_time:ratio_rate1m', expr: `sum by (${instance}) (rate(v8js_gc_duration_seconds_sum{${runtimeSel}}[1m]))` },
    {
      record: 'instance:process_memory_utilization:ratio',
      expr: `max by (${instance}) (process_memory_usage_bytes{${runtimeSel}}) / on (${instance}) max by (${instance}) (process_memory_limit_bytes{${runtimeSel}})`,
    },
    { record: 'instance:process_start_time_seconds:max', expr: `max by (${instance}) (process_start_time_seconds{${runtimeSel}})` },
    {
      record: 'instance_pool:db_client_connection_utilization:ratio',
      expr: `sum by (${dbPool}) (db_client_connection_count{${sel}, db_client_connection_state="used"}) / on (${dbPool}) max by (${dbPool}) (db_client_connection_max{${sel}})`,
    },
    {
      record: 'instance_pool:db_client_connection_pending_requests:sum',
      expr: `sum by (${dbPool}) (db_client_connection_pending_requests{${sel}})`,
    },
    {
      record: 'instance_pool:db_client_connection_timeouts:rate1m',
      expr: `sum by (${dbPool}) (rate(db_client_connection_timeouts_total{${sel}}[1m]))`,
    },
    {
      record: 'instance_pool:db_client_connection_wait_time_seconds:p99_rate1m',
      expr: `histogram_quantile(0.99, sum by (${dbPool}, le) (rate(db_client_connection_wait_time_seconds_bucket{${sel}}[1m])))`,
    },
    {
      record: 'instance_pool:worker_pool_thread_utilization:ratio',
      expr: `sum by (${workerPool}) (worker_pool_thread_count{${sel}, worker_pool_thread_state="busy"}) / on (${workerPool}) max by (${workerPool}) (worker_pool_thread_max{${sel}})`,
    },
    { record: 'instance_pool:worker_pool_queue_depth:sum', expr: `sum by (${workerPool}) (worker_pool_queue_depth{${sel}})` },
    {
      record: 'instance_pool:worker_pool_tasks_rejected:rate1m',
      expr: `sum by (${workerPool}) (rate(worker_pool_tasks_rejected_total{${sel}}[1m]))`,
    },
  ],
};

const requests = 'http_server_request_duration_seconds_count';
const serverErrors = `${requests}{${sel}, http_response_status_code=~"5.."}`;
const buckets = `http_server_request_duration_seconds_bucket{${sel}}`;
const route = 'job, http_route';

export const trafficRecords: RuleGroup<RecordingRule> = {
  name: 'order-service-traffic.records',
  rules: [
    { record: 'instance:http_server_requests:rate1m', expr: `sum by (${instance}) (rate(${requests}{${sel}}[1m]))` },
    {
      record: 'instance:http_server_request_errors:ratio_rate1m',
      expr: `sum by (${instance}) (rate(${serverErrors}[1m])) / on (${instance}) instance:http_server_requests:rate1m`,
    },
    {
      record: 'instance:http_server_request_duration_seconds:p99_rate1m',
      expr: `histogram_quantile(0.99, sum by (${instance}, le) (rate(${buckets}[1m])))`,
    },
    // Admission control (issue 9): requests refused at once by the order service, and their share of all
    // requests that reached admission (admitted + shed).
    { record: 'instance:http_server_admission_shed:rate1m', expr: `sum by (${instance}) (rate(http_server_admission_shed_total{${sel}}[1m]))` },
    {
      record: 'instance:http_server_admission_shed:ratio_rate1m',
      expr:
        `instance:http_server_admission_shed:rate1m / on (${instance}) ` +
        `(instance:http_server_admission_shed:rate1m + on (${instance}) sum by (${instance}) (rate(http_server_admission_admitted_total{${sel}}[1m])))`,
    },
    { record: 'job:http_server_requests:rate1m', expr: `sum by (job) (rate(${requests}{${sel}}[1m]))` },
    { record: 'job_route:http_server_requests:rate1m', expr: `sum by (${route}) (rate(${requests}{${sel}}[1m]))` },
    {
      record: 'job_route:http_server_request_errors:ratio_rate1m',
      expr: `sum by (${route}) (rate(${serverErrors}[1m])) / on (${route}) job_route:http_server_requests:rate1m`,
    },
    {
      record: 'job_route:http_server_request_duration_seconds:p50_rate1m',
      expr: `histogram_quantile(0.5, sum by (${route}, le) (rate(${buckets}[1m])))`,
    },
    {
      record: 'job_route:http_server_request_duration_seconds:p99_rate1m',
      expr: `histogram_quantile(0.99, sum by (${route}, le) (rate(${buckets}[1m])))`,
    },
    {
      record: 'instance:orders_failed:ratio_rate2m',
      expr: `sum by (${instance}) (rate(orders_failed_total{${sel}}[2m])) / on (${instance}) sum by (${instance}) (rate(orders_created_total{${sel}}[2m]))`,
    },
  ],
};
