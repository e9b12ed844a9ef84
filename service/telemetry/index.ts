// Telemetry for any Node service: the OpenTelemetry SDK for Node configured by the standard OTEL_* variables,
// getNodeAutoInstrumentations() limited to what the service loads, the JVM-style runtime metrics, and metrics on
// a Prometheus /metrics endpoint and/or pushed over OTLP. The public API is this file; docs/telemetry.md shows it.
import { metrics } from '@opentelemetry/api';
import { envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type pg from 'pg';
import type { Piscina } from 'piscina';
import { nothingToStop, type Collector, type StopCollector } from './collector.ts';
import { pgPoolMetrics, type PgPoolTelemetryOptions } from './db-pool.ts';
import { registerEsmHooks } from './esm-hooks.ts';
import { autoInstrumentations, enabledNames, instrumentationViews, patchedPackages, quietPgPoolCounters } from './instrumentations.ts';
import { pushReaders } from './metric-readers.ts';
import { createPrometheusEndpoint, type PrometheusEndpoint } from './prometheus-exporter.ts';
import { runtimeCollectors } from './runtime-collectors.ts';
import { readTelemetryEnv } from './telemetry-env.ts';
import { workerPoolMetrics, type WorkerPoolTelemetryOptions } from './worker-pool-metrics.ts';

export type { Collector, StopCollector } from './collector.ts';
export { pgPoolMetrics, type PgPoolTelemetryOptions } from './db-pool.ts';
export { workerPoolMetrics, type WorkerPoolTelemetryOptions } from './worker-pool-metrics.ts';
export { TelemetryConfigError } from './telemetry-env.ts';

export interface TelemetryOptions {
  /** service.name unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  serviceName: string;
  serviceVersion?: string;
  /**
   * Where to serve /metrics (when OTEL_METRICS_EXPORTER includes prometheus, its default). Leave it out to serve
   * nothing and answer scrapes on an endpoint of your own with `renderMetrics()`.
   */
  metricsServer?: { host: string; port: number; path?: string };
  /**
   * Instrumentations on unless the environment says otherwise, by the short names OTEL_NODE_ENABLED_INSTRUMENTATIONS
   * uses: list only what the service loads. Default: `runtime-node` alone.
   */
  instrumentations?: readonly string[];
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  /** False under OTEL_SDK_DISABLED=true: then nothing was started and every method is a no-op. */
  readonly enabled: boolean;
  /** The /metrics URL, when served. */
  readonly metricsUrl: string | undefined;
  /** Short names of the instrumentations running (after the env switches). */
  readonly instrumentations: ReadonlySet<string>;
  /** One scrape's body in the Prometheus text format ('' without the prometheus exporter). */
  renderMetrics(): Promise<string>;
  /** Runs a `(meter) => stop` collector on the telemetry's meter; shutdown stops it too. */
  instrument(collector: Collector): StopCollector;
  /** HikariCP-style pool metrics; nothing when the pg instrumentation is switched off. */
  instrumentPgPool(pool: pg.Pool, options: PgPoolTelemetryOptions): StopCollector;
  /** Executor-style piscina metrics. */
  instrumentWorkerPool(piscina: Piscina, options: WorkerPoolTelemetryOptions): StopCollector;
  /** Stops every collector, the endpoint and the SDK (flushing pending spans and pushed metrics). Idempotent. */
  shutdown(): Promise<void>;
}

const disabledTelemetry: Telemetry = {
  enabled: false,
  metricsUrl: undefined,
  instrumentations: new Set(),
  renderMetrics: async () => '',
  instrument: () => nothingToStop,
  instrumentPgPool: () => nothingToStop,
  instrumentWorkerPool: () => nothingToStop,
  shutdown: async () => {},
};

/**
 * Starts telemetry. Call it before the service imports the packages it instruments (express, pg...; import the
 * service dynamically after this resolves), so the instrumentations can patch them as they load.
 * Throws TelemetryConfigError naming any OTEL_* variable it cannot use.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  const otel = readTelemetryEnv(env);
  // The SDK would stay off by itself; leaving before anything is built also keeps the endpoint, the loader hook
  // and the patches away, so a disabled telemetry costs nothing.
  if (otel.disabled) return disabledTelemetry;

  const endpoint: PrometheusEndpoint | undefined = otel.metricsExporters.has('prometheus')
    ? createPrometheusEndpoint({ host: options.metricsServer?.host ?? '127.0.0.1', port: options.metricsServer?.port ?? 0, path: options.metricsServer?.path })
    : undefined;
  const instrumentations = autoInstrumentations({
    defaults: options.instrumentations ?? ['runtime-node'],
    isScrape: (request) => endpoint?.isScrape(request) ?? false,
    tracing: otel.traces,
    env,
  });
  const enabled = enabledNames(instrumentations);
  const esmPackages = patchedPackages(instrumentations);
  if (esmPackages.length > 0) registerEsmHooks(esmPackages);

  const metricReaders = [...(endpoint ? [endpoint.reader] : []), ...pushReaders(otel)];
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}) }),
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, merged over ours; OTEL_NODE_RESOURCE_DETECTORS, when set, is the SDK's to read.
    ...((env.OTEL_NODE_RESOURCE_DETECTORS ?? '') === '' ? { resourceDetectors: [envDetector] } : {}),
    metricReaders,
    views: instrumentationViews,
    instrumentations,
    logRecordProcessors: [],
    // No span export configured: no tracer provider at all (the instrumentations still record their metrics).
    // Otherwise the SDK builds exporters and sampler from OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_* and OTEL_TRACES_SAMPLER(_ARG).
    ...(otel.traces ? {} : { spanProcessors: [] }),
  });
  sdk.start();
  quietPgPoolCounters(instrumentations);

  // Taken once, here, from the provider sdk.start() just registered, and handed to every collector.
  const meter = metrics.getMeter('node-telemetry');
  const stops = new Set<StopCollector>();
  const instrument = (collector: Collector): StopCollector => {
    const stop = collector(meter);
    stops.add(stop);
    return () => {
      if (stops.delete(stop)) stop();
    };
  };
  for (const collector of runtimeCollectors) instrument(collector);
  const served = endpoint && options.metricsServer ? await endpoint.listen() : undefined;

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    metricsUrl: served?.url,
    instrumentations: enabled,
    renderMetrics: async () => (endpoint ? endpoint.render() : ''),
    instrument,
    instrumentPgPool: (pool, poolOptions) => (enabled.has('pg') ? instrument(pgPoolMetrics(pool, poolOptions)) : nothingToStop),
    instrumentWorkerPool: (piscina, poolOptions) => instrument(workerPoolMetrics(piscina, poolOptions)),
    shutdown: () =>
      (stopped ??= (async () => {
        for (const stop of [...stops]) stop();
        stops.clear();
        await endpoint?.close();
        await sdk.shutdown();
      })()),
  };
}
