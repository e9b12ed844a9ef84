// The OTEL_* variables this module itself acts on, checked at start. The SDK and the exporters read the rest
// (and these too) themselves: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env resource detector),
// OTEL_TRACES_EXPORTER, OTEL_PROPAGATORS, OTEL_EXPORTER_OTLP_* (each OTLP exporter),
// OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS (getNodeAutoInstrumentations). Nothing here re-reads those; it
// only decides what the SDK is not asked to decide: whether to start at all, which metric readers, whether a
// tracer provider is worth building. One exception: OTEL_TRACES_SAMPLER(_ARG), whose sampler is built here as the
// SDK builds it (request-sampling.ts), because a request's sampling is decided before its span is.
import { z } from 'zod';
import { parseEnv } from '../../common/config-fields.ts';

export class TelemetryConfigError extends Error {
  override name = 'TelemetryConfigError';
}

/** Comma-separated list, as the OpenTelemetry SDKs read one (trimmed, empty entries dropped). */
const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v !== ''))
    .pipe(z.array(z.enum(values, { error: `expected a comma-separated list of ${values.join(', ')}` })));

/** OpenTelemetry's own boolean: only "true" (any case) is true; anything but true/false is an error here. */
const otelBoolean = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['true', 'false'], { error: 'expected true or false' }))
  .transform((s) => s === 'true');

/** The samplers the Node SDK builds from OTEL_TRACES_SAMPLER (it has no jaeger_remote). */
const samplers = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

const envSchema = z.object({
  OTEL_SDK_DISABLED: otelBoolean.default(false),
  /** Ours default to prometheus (a /metrics endpoint), where the SDK alone would default to otlp. */
  OTEL_METRICS_EXPORTER: list(['prometheus', 'otlp', 'console', 'none']).default(['prometheus']),
  OTEL_TRACES_EXPORTER: list(['otlp', 'zipkin', 'console', 'none']).optional(),
  OTEL_TRACES_SAMPLER: z.enum(samplers).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().positive().optional(),
  OTEL_METRIC_EXPORT_TIMEOUT: z.coerce.number().int().positive().optional(),
});

export interface TelemetryEnv {
  /** OTEL_SDK_DISABLED=true: nothing starts, nothing is served, nothing is patched. */
  disabled: boolean;
  /** Metric readers to build; empty (`none`) builds no meter provider. */
  metricsExporters: ReadonlySet<'prometheus' | 'otlp' | 'console'>;
  /** Span export is configured (OTEL_TRACES_EXPORTER, or an OTLP endpoint for traces), so the SDK builds a tracer provider. */
  traces: boolean;
  otlpMetrics: { protocol: 'http/protobuf' | 'http/json' | 'grpc'; intervalMs: number; timeoutMs: number };
  /** OTEL_TRACES_SAMPLER(_ARG), with the SDK's defaults (parentbased_always_on; a ratio of 1). */
  sampler: TraceSampler;
}

export interface TraceSampler {
  name: (typeof samplers)[number];
  ratio: number;
}

/** Validates the variables above; the error names each bad variable and why, never its value. */
export function readTelemetryEnv(env: NodeJS.ProcessEnv = process.env): TelemetryEnv {
  const parsed = parseEnv(envSchema, env);
  if (!parsed.ok) throw new TelemetryConfigError(`invalid OpenTelemetry configuration: ${parsed.problems.join('; ')}`);
  const e = parsed.value;
  const exporters = e.OTEL_METRICS_EXPORTER.includes('none') ? [] : e.OTEL_METRICS_EXPORTER.filter((x) => x !== 'none');
  const tracesExporters = e.OTEL_TRACES_EXPORTER ?? [];
  const traces = tracesExporters.length > 0 ? !tracesExporters.includes('none') : e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  const intervalMs = e.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000;
  return {
    disabled: e.OTEL_SDK_DISABLED,
    metricsExporters: new Set(exporters as Array<'prometheus' | 'otlp' | 'console'>),
    traces,
    otlpMetrics: {
      protocol: e.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
      intervalMs,
      // As the SDK does: a timeout longer than the interval is clamped to it.
      timeoutMs: Math.min(e.OTEL_METRIC_EXPORT_TIMEOUT ?? 30_000, intervalMs),
    },
    sampler: { name: e.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on', ratio: e.OTEL_TRACES_SAMPLER_ARG ?? 1 },
  };
}
