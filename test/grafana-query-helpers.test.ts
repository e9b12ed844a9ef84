// A helper the live dashboard test relies on: Grafana's variable interpolation (the PromQL metric-name reader is
// tested in prometheus/). If it were wrong, the live test could pass a panel that Grafana would run differently.
import { describe, expect, it } from 'vitest';
import { interpolateQuery, type InterpolationContext } from '../grafana/verification/query-interpolation.ts';

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
