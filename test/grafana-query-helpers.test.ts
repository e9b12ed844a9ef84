// The two helpers the live dashboard test relies on: metric names read from PromQL, and Grafana's variable
// interpolation. If either were wrong, the live test could pass a panel that Grafana would run differently.
import { describe, expect, it } from 'vitest';
import { metricNamesOf } from '../grafana/verification/promql-metric-names.ts';
import { interpolateQuery, type InterpolationContext } from '../grafana/verification/query-interpolation.ts';

describe('metricNamesOf', () => {
  it('finds the metrics of a histogram quantile, not its functions, labels or grouping', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="a", instance=~"$instance"}[$__rate_interval])))')).toEqual([
      'http_server_request_duration_seconds_bucket',
    ]);
  });

  it('finds both sides of a binary expression and of a zero fallback, and recording-rule names', () => {
    expect(metricNamesOf('sum(a_total{x="or"}) / max(b_bytes) or (sum(rate(c_total[1m]))) * 0 + job:d:rate1m')).toEqual(['a_total', 'b_bytes', 'c_total', 'job:d:rate1m']);
  });

  it('ignores keywords, numbers, strings and on/ignoring lists', () => {
    expect(metricNamesOf('a unless on (instance) b offset 5m > bool 1e3 and ignoring (job) c{l="sum(x)"}')).toEqual(['a', 'b', 'c']);
    expect(metricNamesOf('time() - process_start_time_seconds{job="x"}')).toEqual(['process_start_time_seconds']);
  });
});

describe('interpolateQuery', () => {
  const context = (variables: InterpolationContext['variables']): InterpolationContext => ({ variables, rangeSeconds: 300, stepSeconds: 5, scrapeIntervalSeconds: 5 });

  it('resolves $__rate_interval as max(interval + scrape, 4 x scrape) and $__range', () => {
    expect(interpolateQuery('rate(x[$__rate_interval]) + changes(y[$__range])', context({}))).toBe('rate(x[20s]) + changes(y[300s])');
    expect(interpolateQuery('rate(x[$__rate_interval])', { ...context({}), stepSeconds: 60 })).toBe('rate(x[65s])');
  });

  it('puts a single-valued variable in as it is, a multi-valued one regex-escaped as Grafana does', () => {
    expect(interpolateQuery('up{instance="$instance"}', context({ instance: { values: ['127.0.0.1:9464'], multi: false } }))).toBe('up{instance="127.0.0.1:9464"}');
    expect(interpolateQuery('up{instance=~"${instance}"}', context({ instance: { values: ['a.b:1', 'c:2'], multi: true } }))).toBe(
      'up{instance=~"(a\\\\.b:1|c:2)"}',
    );
  });

  it('leaves unknown variables in place so that the query fails rather than runs something else', () => {
    expect(interpolateQuery('up{job="$job"}', context({}))).toBe('up{job="$job"}');
  });
});
