import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { AggregationTemporality, ConsoleMetricExporter, InstrumentType, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { BoundHistograms } from './bound-histograms.ts';
import type { TelemetryEnv } from './telemetry-env.ts';

/**
 * The push readers OTEL_METRICS_EXPORTER asks for besides `prometheus` (our own /metrics endpoint): `otlp` and
 * `console`, built as the NodeSDK would build them from the environment (it cannot mix its env readers with ours).
 * Each OTLP exporter reads its own OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT, HEADERS, TIMEOUT, COMPRESSION and
 * TEMPORALITY_PREFERENCE. The metrics pushed are the ones served on /metrics, under their OpenTelemetry names and
 * units, which Prometheus's OTLP receiver (or a Collector's prometheus exporter) turns into the same names. Each
 * reader also collects the bound histograms, with the temporality its exporter asks for histograms.
 */
export function pushReaders(env: TelemetryEnv, boundHistograms: BoundHistograms): IMetricReader[] {
  const reader = (exporter: PushMetricExporter, options: { exportIntervalMillis?: number; exportTimeoutMillis?: number } = {}): IMetricReader => {
    const temporality = exporter.selectAggregationTemporality?.(InstrumentType.HISTOGRAM);
    return new PeriodicExportingMetricReader({ exporter, ...options, metricProducers: [boundHistograms.producer(temporality ?? AggregationTemporality.CUMULATIVE)] });
  };
  const readers: IMetricReader[] = [];
  if (env.metricsExporters.has('otlp')) {
    const { protocol, intervalMs, timeoutMs } = env.otlpMetrics;
    const exporter = protocol === 'grpc' ? new OtlpGrpcMetricExporter() : protocol === 'http/json' ? new OtlpJsonMetricExporter() : new OtlpProtoMetricExporter();
    readers.push(reader(exporter, { exportIntervalMillis: intervalMs, exportTimeoutMillis: timeoutMs }));
  }
  if (env.metricsExporters.has('console')) readers.push(reader(new ConsoleMetricExporter()));
  return readers;
}
