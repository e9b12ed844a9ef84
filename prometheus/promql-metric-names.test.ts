import { describe, expect, it } from 'vitest';
import { metricNamesIn } from './promql-metric-names.ts';

describe('metricNamesIn', () => {
  it('finds the metrics of selectors, leaving out functions, aggregations, label lists, ranges and offsets', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (job, instance, le) (rate(http_server_request_duration_seconds_bucket{job="order-service", code=~"5.."}[1m])))',
      ),
    ).toEqual(['http_server_request_duration_seconds_bucket']);
    expect(
      metricNamesIn(
        'instance:http_server_requests:rate1m / on (job, instance) avg_over_time(instance:http_server_requests:rate1m[30m] offset 5m) > 3 and on (job, instance) up == 0',
      ),
    ).toEqual(['instance:http_server_requests:rate1m', 'up']);
    expect(metricNamesIn('predict_linear(max by (job) (v8js_memory_heap_used_after_gc_bytes{a="b"})[5m:], 600) >= 1e3 and vector(1)')).toEqual([
      'v8js_memory_heap_used_after_gc_bytes',
    ]);
  });

  it('reads a name inside a label value as text, not as a metric', () => {
    expect(metricNamesIn('x_total{reason="up or down"}')).toEqual(['x_total']);
  });
});

describe('metricNamesIn', () => {
  it('finds the metrics of a histogram quantile, not its functions, labels or grouping', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="a", instance=~"$instance"}[$__rate_interval])))')).toEqual([
      'http_server_request_duration_seconds_bucket',
    ]);
  });

  it('finds both sides of a binary expression and of a zero fallback, and recording-rule names', () => {
    expect(metricNamesIn('sum(a_total{x="or"}) / max(b_bytes) or (sum(rate(c_total[1m]))) * 0 + job:d:rate1m')).toEqual(['a_total', 'b_bytes', 'c_total', 'job:d:rate1m']);
  });

  it('ignores keywords, numbers, strings and on/ignoring lists', () => {
    expect(metricNamesIn('a unless on (instance) b offset 5m > bool 1e3 and ignoring (job) c{l="sum(x)"}')).toEqual(['a', 'b', 'c']);
    expect(metricNamesIn('time() - process_start_time_seconds{job="x"}')).toEqual(['process_start_time_seconds']);
  });
});
