// Histograms whose attribute sets are bound once, for the recorders on every request's path. sdk-metrics hashes the
// attributes of every single record (their sorted keys, as JSON) to find its series: that hashing and lookup was
// half of telemetry's cost on the order path (docs/benchmarks.md, "Telemetry cost"). A bound series is found once,
// when bound, and a record only adds to its buckets. The series reach every metric reader through a MetricProducer,
// the SDK's door for metrics kept outside it, in the same shape the SDK's own histograms have (same buckets, sum,
// count, min and max; cumulative or delta as the reader asks). Bound instruments are being added to the
// OpenTelemetry API (open-telemetry/opentelemetry-specification#4126); once the JS API has them, this goes.
import { ValueType, type Attributes, type HrTime, type Meter } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type CollectionResult, type HistogramMetricData, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';

export interface HistogramOptions {
  description: string;
  unit: string;
  /** Explicit bucket boundaries, ascending; a value falls in the first bucket whose boundary is >= it. */
  boundaries: readonly number[];
}

/** One series of a histogram: its attributes are fixed. */
export interface BoundHistogram {
  record(value: number): void;
}

export interface HistogramFamily {
  /** The series for these attributes; the same series each time the same attributes are bound. */
  bind(attributes: Attributes): BoundHistogram;
}

/** The SDK's default per-instrument cardinality limit, and its overflow series past it. */
const cardinalityLimit = 2000;
const overflowAttributes: Attributes = { 'otel.metric.overflow': true };

/** The SDK's key for an attribute set: its entries by sorted key, as JSON. */
const keyOf = (attributes: Attributes): string =>
  JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((key) => [key, attributes[key]]),
  );

const overflowKey = keyOf(overflowAttributes);

class Series implements BoundHistogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly #boundaries: readonly number[];

  constructor(attributes: Attributes, startTime: HrTime, boundaries: readonly number[]) {
    this.attributes = attributes;
    this.startTime = startTime;
    this.#boundaries = boundaries;
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    // Negative values and NaN are dropped, as the SDK's histogram drops them.
    if (!(value >= 0)) return;
    const boundaries = this.#boundaries;
    let bucket = 0;
    while (bucket < boundaries.length && value > boundaries[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

class Family implements HistogramFamily {
  readonly series = new Map<string, Series>();
  readonly name: string;
  readonly options: HistogramOptions;

  constructor(name: string, options: HistogramOptions) {
    this.name = name;
    this.options = options;
  }

  bind(attributes: Attributes): BoundHistogram {
    const key = keyOf(attributes);
    const known = this.series.get(key);
    if (known) return known;
    // Past the limit, every new attribute set shares the overflow series (one more, as in the SDK).
    const full = this.series.size >= cardinalityLimit - 1;
    const series = full ? this.series.get(overflowKey) : undefined;
    if (series) return series;
    const created = new Series(full ? overflowAttributes : { ...attributes }, hrTime(), this.options.boundaries);
    this.series.set(full ? overflowKey : key, created);
    return created;
  }
}

/** What a delta reader saw of a series at its last collection. */
interface Seen {
  counts: number[];
  sum: number;
  count: number;
  at: HrTime;
}

/** The bound histograms of one telemetry, and the producers that hand them to its readers. */
export class BoundHistograms {
  readonly #families = new Map<string, Family>();
  readonly #scope: { name: string; version?: string };

  /** @param scope the instrumentation scope the series are exported under: the meter's, so they sit with its own. */
  constructor(scope: { name: string; version?: string }) {
    this.#scope = scope;
  }

  /** The histogram of this name; asking again for the same name gives the same one. */
  histogram(name: string, options: HistogramOptions): HistogramFamily {
    let family = this.#families.get(name);
    if (!family) {
      family = new Family(name, { ...options, boundaries: [...options.boundaries] });
      this.#families.set(name, family);
    }
    return family;
  }

  /**
   * A producer for one reader (`metricProducers`), collecting as that reader aggregates histograms: cumulative
   * (Prometheus; OTLP by default), or delta (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta or lowmemory).
   * A delta point carries no min and max: they are the interval's in the SDK, and a series keeps its lifetime's.
   * Its sum is the difference of two running sums, so it may differ from the SDK's in the last digits.
   */
  producer(temporality: AggregationTemporality): MetricProducer {
    const seen = new Map<Series, Seen>();
    return {
      collect: async (): Promise<CollectionResult> => {
        const now = hrTime();
        const metrics: MetricData[] = [];
        for (const family of this.#families.values()) {
          const dataPoints: HistogramMetricData['dataPoints'] = [];
          for (const series of family.series.values()) {
            if (temporality === AggregationTemporality.CUMULATIVE) {
              if (series.count === 0) continue;
              dataPoints.push({
                attributes: series.attributes,
                startTime: series.startTime,
                endTime: now,
                value: { buckets: { boundaries: [...family.options.boundaries], counts: [...series.counts] }, sum: series.sum, count: series.count, min: series.min, max: series.max },
              });
              continue;
            }
            const last = seen.get(series);
            if (series.count === (last?.count ?? 0)) continue;
            dataPoints.push({
              attributes: series.attributes,
              startTime: last?.at ?? series.startTime,
              endTime: now,
              value: {
                buckets: { boundaries: [...family.options.boundaries], counts: series.counts.map((count, i) => count - (last?.counts[i] ?? 0)) },
                sum: series.sum - (last?.sum ?? 0),
                count: series.count - (last?.count ?? 0),
              },
            });
            seen.set(series, { counts: [...series.counts], sum: series.sum, count: series.count, at: now });
          }
          if (dataPoints.length === 0) continue;
          metrics.push({
            descriptor: { name: family.name, description: family.options.description, unit: family.options.unit, valueType: ValueType.DOUBLE },
            aggregationTemporality: temporality,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints,
          } satisfies HistogramMetricData);
        }
        // The reader keeps only the scope metrics of a producer; the resource is the SDK's.
        return { resourceMetrics: { resource: emptyResource(), scopeMetrics: metrics.length > 0 ? [{ scope: this.#scope, metrics }] : [] }, errors: [] };
      },
    };
  }
}

/** A meter that also makes bound histograms: the one telemetry hands its collectors. */
export interface BindingMeter extends Meter {
  readonly boundHistograms: BoundHistograms;
}

/** The meter's own methods, plus its bound histograms. */
export function bindingMeter(meter: Meter, boundHistograms: BoundHistograms): BindingMeter {
  return {
    boundHistograms,
    createGauge: (name, options) => meter.createGauge(name, options),
    createHistogram: (name, options) => meter.createHistogram(name, options),
    createCounter: (name, options) => meter.createCounter(name, options),
    createUpDownCounter: (name, options) => meter.createUpDownCounter(name, options),
    createObservableGauge: (name, options) => meter.createObservableGauge(name, options),
    createObservableCounter: (name, options) => meter.createObservableCounter(name, options),
    createObservableUpDownCounter: (name, options) => meter.createObservableUpDownCounter(name, options),
    addBatchObservableCallback: (callback, observables) => meter.addBatchObservableCallback(callback, observables),
    removeBatchObservableCallback: (callback, observables) => meter.removeBatchObservableCallback(callback, observables),
  };
}

/**
 * A histogram for a recorder on the hot path: bound series when the meter makes them (telemetry's own), else the
 * meter's histogram with the attributes given on each record (any other meter, e.g. a test's).
 */
export function histogramFamily(meter: Meter, name: string, options: HistogramOptions): HistogramFamily {
  const bound = (meter as Partial<BindingMeter>).boundHistograms;
  if (bound) return bound.histogram(name, options);
  const histogram = meter.createHistogram(name, { description: options.description, unit: options.unit, advice: { explicitBucketBoundaries: [...options.boundaries] } });
  return { bind: (attributes) => ({ record: (value) => histogram.record(value, attributes) }) };
}
