// A real sdk-metrics MeterProvider for testing a `(meter) => stop` collector: collect on demand, read totals and
// histogram points by name.
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type Histogram, type MetricReader } from '@opentelemetry/sdk-metrics';

export interface HistogramPoint {
  attributes: Attributes;
  count: number;
  sum: number;
}

export interface MeterUnderTest {
  provider: MeterProvider;
  reader: MetricReader;
  /** The sum of a counter's (or gauge's) points. */
  total(name: string): Promise<number>;
  /** One histogram's points (cumulative), by attribute set. */
  histogram(name: string): Promise<HistogramPoint[]>;
}

export function meterUnderTest(): MeterUnderTest {
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const points = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
    return metric?.dataPoints ?? [];
  };
  return {
    provider,
    reader,
    async total(name) {
      return (await points(name)).reduce((sum, p) => sum + (p.value as number), 0);
    },
    async histogram(name) {
      return (await points(name)).map((p) => ({ attributes: p.attributes, count: (p.value as Histogram).count, sum: (p.value as Histogram).sum ?? 0 }));
    },
  };
}
