// Telemetry for any Node service of ours: OpenTelemetry SDK with traces over OTLP (when configured) and
// metrics for Prometheus on /metrics, with the JVM-style runtime metrics and pool instrumentation.
import { metrics } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Collector, StopCollector } from './collector.ts';
import { registerEsmHooks } from './esm-hooks.ts';
import { heapAfterGc } from './heap-after-gc.ts';
import { heapSizeLimit } from './heap-size-limit.ts';
import { memoryLimit } from './memory-limit.ts';
import { oldGenerationAfterGc } from './old-generation-after-gc.ts';
import { oldGenerationLimit } from './old-generation-limit.ts';
import { oldGenerationUsed } from './old-generation-used.ts';
import { createPrometheusEndpoint } from './prometheus-exporter.ts';
import { processCpu } from './process-cpu.ts';
import { processFiles } from './process-files.ts';
import { processMemory } from './process-memory.ts';
import { processStartTime } from './process-start-time.ts';
import { runtimeNodeInstrumentation, runtimeNodeViews } from './runtime-node.ts';
import { autoInstrumentations, spanExport, tracingViews } from './tracing.ts';

export { instrumentPgPool, type PgPoolTelemetryOptions } from './db-pool.ts';
export { instrumentWorkerPool, type WorkerPoolTelemetryOptions } from './worker-pool.ts';

export interface TelemetryConfig {
  serviceName: string;
  serviceVersion: string;
  metricsHost: string;
  metricsPort: number;
  /** OTLP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); traces are exported only when set. */
  otlpEndpoint: string | undefined;
}

export interface Telemetry {
  metricsUrl: string;
  shutdown(): Promise<void>;
}

/** The runtime collectors of this module, beside those instrumentation-runtime-node provides. */
export const runtimeCollectors: Collector[] = [
  heapSizeLimit,
  oldGenerationLimit,
  oldGenerationUsed,
  oldGenerationAfterGc,
  heapAfterGc,
  processMemory,
  memoryLimit,
  processCpu,
  processStartTime,
  processFiles,
];

/** Packages whose ESM import the auto-instrumentations must see. */
const instrumentedPackages = ['express', 'router', 'pg', 'pg-pool'];

/**
 * Starts telemetry. Call it before the service imports express or pg (import the service dynamically after
 * this resolves), so the instrumentations can patch them as they load.
 */
export async function startTelemetry(config: TelemetryConfig): Promise<Telemetry> {
  registerEsmHooks(instrumentedPackages);
  const endpoint = createPrometheusEndpoint({ host: config.metricsHost, port: config.metricsPort });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, [ATTR_SERVICE_VERSION]: config.serviceVersion }),
    autoDetectResources: false,
    metricReaders: [endpoint.reader],
    views: [...runtimeNodeViews, ...tracingViews],
    instrumentations: [...autoInstrumentations(endpoint.isScrape), runtimeNodeInstrumentation()],
    logRecordProcessors: [],
    ...spanExport(config.otlpEndpoint),
  });
  sdk.start();
  const meter = metrics.getMeter('telemetry.runtime');
  const stops: StopCollector[] = runtimeCollectors.map((collect) => collect(meter));
  const { url } = await endpoint.listen();
  let stopped: Promise<void> | undefined;
  return {
    metricsUrl: url,
    shutdown: () =>
      (stopped ??= (async () => {
        for (const stop of stops) stop();
        await endpoint.close();
        await sdk.shutdown();
      })()),
  };
}
