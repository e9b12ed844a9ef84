// The push readers hand the bound histograms over with the temporality their exporter asks for histograms
// (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE), the same as the SDK's own histograms get.
import { AggregationTemporality, MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundHistograms, bindingMeter, histogramFamily } from './bound-histograms.ts';
import { pushReaders } from './metric-readers.ts';
import { readTelemetryEnv } from './telemetry-env.ts';

afterEach(() => void vi.unstubAllEnvs());

async function temporalitiesFor(preference: string | undefined): Promise<Map<string, AggregationTemporality>> {
  // The OTLP exporter reads its own variables from process.env. Nothing listens on port 1 and nothing is pushed
  // before shutdown, whose last push gives up after the exporter's timeout.
  vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'http://127.0.0.1:1/v1/metrics');
  vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', '200');
  if (preference) vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', preference);
  const bound = new BoundHistograms({ name: 'test' });
  const readers = pushReaders(readTelemetryEnv({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_TIMEOUT: '200' }), bound);
  expect(readers).toHaveLength(1);
  const provider = new MeterProvider({ readers });
  try {
    const meter = bindingMeter(provider.getMeter('test'), bound);
    meter.createHistogram('sdk.duration', { unit: 's' }).record(0.1);
    histogramFamily(meter, 'bound.duration', { description: 'd', unit: 's', boundaries: [1] }).bind({}).record(0.1);
    const { resourceMetrics } = await readers[0]!.collect();
    return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m.aggregationTemporality]));
  } finally {
    await provider.shutdown().catch(() => {});
  }
}

describe('push readers', () => {
  it('collect the bound histograms cumulative by default, and delta when the exporter prefers delta, as the SDK histograms', async () => {
    const byDefault = await temporalitiesFor(undefined);
    expect(byDefault.get('bound.duration')).toBe(AggregationTemporality.CUMULATIVE);
    expect(byDefault.get('sdk.duration')).toBe(AggregationTemporality.CUMULATIVE);
    for (const preference of ['delta', 'lowmemory']) {
      const delta = await temporalitiesFor(preference);
      expect(delta.get('sdk.duration'), preference).toBe(AggregationTemporality.DELTA);
      expect(delta.get('bound.duration'), preference).toBe(AggregationTemporality.DELTA);
    }
  });
});
