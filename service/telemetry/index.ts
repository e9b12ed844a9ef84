// Telemetry for any Node service: the OpenTelemetry SDK for Node configured by the standard OTEL_* variables,
// getNodeAutoInstrumentations() limited to what the service loads, the JVM-style runtime metrics, and metrics on
// a Prometheus /metrics endpoint and/or pushed over OTLP. The public API is this file; docs/telemetry.md shows it.
import type pg from 'pg';
import type { Piscina } from 'piscina';
import { nothingToStop, type Collector, type StopCollector } from './collector.ts';
import type { PgPoolTelemetryOptions } from './db-pool.ts';
import { readTelemetryEnv } from './telemetry-env.ts';
import type { WorkerPoolTelemetryOptions } from './worker-pool-metrics.ts';

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
  // The SDK would stay off by itself; leaving before anything is loaded also keeps the SDK's modules, the endpoint,
  // the loader hook and the patches away, so a disabled telemetry costs nothing.
  if (otel.disabled) return disabledTelemetry;
  const { startEnabledTelemetry } = await import('./enabled-telemetry.ts');
  return startEnabledTelemetry(options, otel, env);
}
