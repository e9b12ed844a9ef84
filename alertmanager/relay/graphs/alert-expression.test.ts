import { describe, expect, it } from 'vitest';
import { exprFromGeneratorUrl, graphExpression } from './alert-expression.ts';
import { chartUnit, formatValue } from './chart-units.ts';

describe('what an alert graph plots', () => {
  it('reads g0.expr from a Prometheus generatorURL', () => {
    expect(exprFromGeneratorUrl('http://127.0.0.1:9090/graph?g0.expr=rate%28x_total%5B5m%5D%29+%3E+0.9&g0.tab=1')).toBe('rate(x_total[5m]) > 0.9');
    expect(exprFromGeneratorUrl('http://127.0.0.1:9090/graph')).toBeUndefined();
    expect(exprFromGeneratorUrl('not a url')).toBeUndefined();
    expect(exprFromGeneratorUrl(undefined)).toBeUndefined();
  });

  it('splits a top-level comparison with a number into the query and the threshold', () => {
    expect(graphExpression('rate(x_total[5m]) > 0.9')).toEqual({ expr: 'rate(x_total[5m]) > 0.9', query: 'rate(x_total[5m])', threshold: { op: '>', value: 0.9 } });
    expect(graphExpression('a / b >= 1e3').threshold).toEqual({ op: '>=', value: 1000 });
    // Number on the left: the comparison is turned around.
    expect(graphExpression('0.5 > up')).toMatchObject({ query: 'up', threshold: { op: '<', value: 0.5 } });
  });

  it('leaves alone comparisons inside parentheses, label matchers and strings, and series-to-series comparisons', () => {
    for (const expr of ['max by (a) (x > 1)', 'x{le="0.5",a!="b"}', 'x{a=~">3"}', 'a > b', 'up', 'a > 1 and b < 2']) {
      expect(graphExpression(expr)).toEqual({ expr, query: expr, threshold: undefined });
    }
  });

  it('knows the unit from the metric names or the graph_unit annotation', () => {
    expect(chartUnit('process_resident_memory_bytes', undefined)).toBe('bytes');
    expect(chartUnit('nodejs_heap_size_used_bytes / nodejs_heap_size_total_bytes', undefined)).toBe('ratio');
    expect(chartUnit('histogram_quantile(0.99, rate(http_server_duration_seconds_bucket[5m]))', undefined)).toBe('seconds');
    expect(chartUnit('rate(http_requests_total[5m])', undefined)).toBe('per_second');
    expect(chartUnit('up', 'percent')).toBe('percent');
    expect(chartUnit('up', undefined)).toBe('none');
    expect(formatValue(0.912, 'ratio')).toBe('91.2%');
    expect(formatValue(470_000_000, 'bytes')).toBe('448 MiB');
    expect(formatValue(0.25, 'seconds')).toBe('250 ms');
  });
});
