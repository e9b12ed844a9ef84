// Bound histograms against the SDK's own: the same values recorded in both, collected by real metric readers
// (cumulative as Prometheus reads, delta as an OTLP exporter may), must give the same points.
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { BoundHistograms, bindingMeter, histogramFamily } from './bound-histograms.ts';

class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality, metricProducers: MetricProducer[]) {
    super({ aggregationTemporalitySelector: () => temporality, metricProducers });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const boundaries = [0.005, 0.01, 0.1, 1];
/** On a boundary, between, past the last, zero; negative and NaN are dropped by both. */
const values = [0.005, 0.007, 0.01, 0.5, 1, 3, 0, -1, Number.NaN];

function setUp() {
  const bound = new BoundHistograms({ name: 'test' });
  const cumulative = new TestReader(AggregationTemporality.CUMULATIVE, [bound.producer(AggregationTemporality.CUMULATIVE)]);
  const delta = new TestReader(AggregationTemporality.DELTA, [bound.producer(AggregationTemporality.DELTA)]);
  const provider = new MeterProvider({ readers: [cumulative, delta] });
  const meter = bindingMeter(provider.getMeter('test'), bound);
  const sdk = meter.createHistogram('sdk.duration', { unit: 's', advice: { explicitBucketBoundaries: boundaries } });
  const family = histogramFamily(meter, 'bound.duration', { description: 'd', unit: 's', boundaries });
  const record = (value: number, attributes: Attributes) => {
    sdk.record(value, attributes);
    family.bind(attributes).record(value);
  };
  /** Each histogram's points, by name, attributes and value as the reader collected them. */
  const collect = async (reader: MetricReader) => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const byName = new Map<string, HistogramMetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric as HistogramMetricData);
    const points = (name: string) =>
      (byName.get(name)?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value })).sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
    return { byName, sdk: points('sdk.duration'), bound: points('bound.duration') };
  };
  return { bound, family, record, collect, cumulative, delta, provider };
}

describe('bound histograms', () => {
  it('give the points the SDK histogram gives for the same records: buckets, sum, count, min and max, cumulative', async () => {
    const { record, collect, cumulative, family } = setUp();
    for (const value of values) record(value, { route: '/a', status: 200 });
    record(0.2, { status: 500, route: '/a' });
    // The same attributes in another key order are the same series.
    expect(family.bind({ status: 200, route: '/a' })).toBe(family.bind({ route: '/a', status: 200 }));

    const first = await collect(cumulative);
    expect(first.bound).toHaveLength(2);
    expect(first.bound).toEqual(first.sdk);
    expect(first.bound.find((p) => p.attributes.status === 200)?.value).toMatchObject({ count: 7, buckets: { boundaries, counts: [2, 2, 0, 2, 1] } });
    const metric = first.byName.get('bound.duration')!;
    expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(metric.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(metric.descriptor).toMatchObject({ name: 'bound.duration', unit: 's', description: 'd' });

    record(0.05, { route: '/a', status: 200 });
    const second = await collect(cumulative);
    expect(second.bound).toEqual(second.sdk);
    expect(second.bound.find((p) => p.attributes.status === 200)?.value.count).toBe(8);
  });

  it('give a delta reader what was recorded since its last collection, and nothing for a series with nothing new', async () => {
    const { record, collect, delta, cumulative } = setUp();
    for (const value of values) record(value, { route: '/a' });
    record(2, { route: '/b' });
    // A delta point has no min and max here, and its sum is a difference of running sums: equal to the last digits.
    const withoutMinMax = (points: Array<{ attributes: Attributes; value: HistogramMetricData['dataPoints'][number]['value'] }>) =>
      points.map((p) => ({ attributes: p.attributes, buckets: p.value.buckets, sum: Number(p.value.sum?.toFixed(9)), count: p.value.count }));

    const first = await collect(delta);
    expect(withoutMinMax(first.bound)).toEqual(withoutMinMax(first.sdk));
    expect(first.byName.get('bound.duration')?.aggregationTemporality).toBe(AggregationTemporality.DELTA);

    record(0.05, { route: '/a' });
    record(0.05, { route: '/a' });
    const second = await collect(delta);
    expect(withoutMinMax(second.bound)).toEqual(withoutMinMax(second.sdk));
    expect(withoutMinMax(second.bound)).toEqual([{ attributes: { route: '/a' }, buckets: { boundaries, counts: [0, 0, 2, 0, 0] }, sum: 0.1, count: 2 }]);
    expect(second.bound[0]?.value).not.toHaveProperty('min');
    // Each reader keeps its own state: the cumulative one still sees everything.
    expect((await collect(cumulative)).bound.map((p) => p.value.count)).toEqual([9, 1]);
    expect((await collect(delta)).bound).toEqual([]);
  });

  it('put series past the cardinality limit in the overflow series, as the SDK does', async () => {
    const { record, collect, cumulative } = setUp();
    for (let i = 0; i < 2100; i++) record(1, { id: i });
    const { bound, sdk } = await collect(cumulative);
    expect(bound).toEqual(sdk);
    expect(bound).toHaveLength(2000);
    expect(bound.find((p) => p.attributes['otel.metric.overflow'] === true)?.value.count).toBe(101);
  });

  it('record into the meter own histogram when the meter makes no bound histograms', async () => {
    const reader = new TestReader(AggregationTemporality.CUMULATIVE, []);
    const provider = new MeterProvider({ readers: [reader] });
    histogramFamily(provider.getMeter('plain'), 'plain.duration', { description: 'd', unit: 's', boundaries }).bind({ route: '/a' }).record(0.5);
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'plain.duration') as HistogramMetricData;
    expect(metric.dataPoints.map((p) => [p.attributes, p.value.count, p.value.buckets.boundaries])).toEqual([[{ route: '/a' }, 1, boundaries]]);
  });
});
