// The enabled telemetry: the SDK, the instrumentations, the endpoint and the collectors. index.ts imports this
// module only when OTEL_SDK_DISABLED is not true, so a disabled telemetry does not even load the SDK.
import type { IncomingMessage } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { BoundHistograms, bindingMeter } from './bound-histograms.ts';
import { allOf, nothingToStop, type Collector, type StopCollector } from './collector.ts';
import { pgPoolMetrics } from './db-pool.ts';
import { pgQueryDuration } from './db-query-duration.ts';
import { registerEsmHooks } from './esm-hooks.ts';
import type { Telemetry, TelemetryOptions } from './index.ts';
import { httpServerDuration } from './http-server-duration.ts';
import { autoInstrumentations, enabledNames, instrumentationViews, leaveMetricsToRecorders, notRun, patchedPackages, routeOnHttpSpans, routeOnly, spanOnly } from './instrumentations.ts';
import { pushReaders } from './metric-readers.ts';
import { requestSampling, samplerFromEnv } from './request-sampling.ts';
import { createPrometheusEndpoint, type PrometheusEndpoint } from './prometheus-exporter.ts';
import { runtimeCollectors } from './runtime-collectors.ts';
import type { TelemetryEnv } from './telemetry-env.ts';
import { workerPoolMetrics } from './worker-pool-metrics.ts';

/** The scope of every metric the collectors record. */
const meterName = 'node-telemetry';

export async function startEnabledTelemetry(options: TelemetryOptions, otel: TelemetryEnv, env: NodeJS.ProcessEnv): Promise<Telemetry> {

  // The recorders' hot histograms, kept outside the SDK and collected by every reader with its own metrics.
  const boundHistograms = new BoundHistograms({ name: meterName });
  const endpoint: PrometheusEndpoint | undefined = otel.metricsExporters.has('prometheus')
    ? createPrometheusEndpoint({
        host: options.metricsServer?.host ?? '127.0.0.1',
        port: options.metricsServer?.port ?? 0,
        path: options.metricsServer?.path,
        metricProducers: [boundHistograms.producer(AggregationTemporality.CUMULATIVE)],
      })
    : undefined;
  const isScrape = (request: IncomingMessage): boolean => endpoint?.isScrape(request) ?? false;
  // Exported spans: a request's sampling is decided as it arrives, and a dropped one gets no span work at all.
  const sampling = otel.traces ? requestSampling(samplerFromEnv(otel.sampler)) : undefined;
  const ignoreRequest = (request: IncomingMessage): boolean => isScrape(request) || (sampling?.dropped(request) ?? false);
  const built = autoInstrumentations({ defaults: options.instrumentations ?? ['runtime-node'], ignoreRequest, env });
  const enabled = enabledNames(built);
  // HTTP and query durations come from span-free recorders either way; with no span exported, the tracing
  // instrumentations have nothing left to do and are not run.
  const instrumentations = notRun(built, otel.traces ? routeOnly : spanOnly);
  if (otel.traces && enabled.has('express')) routeOnHttpSpans(instrumentations);
  const esmPackages = patchedPackages(instrumentations);
  if (esmPackages.length > 0) registerEsmHooks(esmPackages);

  const metricReaders = [...(endpoint ? [endpoint.reader] : []), ...pushReaders(otel, boundHistograms)];
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}) }),
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, merged over ours; OTEL_NODE_RESOURCE_DETECTORS, when set, is the SDK's to read.
    ...((env.OTEL_NODE_RESOURCE_DETECTORS ?? '') === '' ? { resourceDetectors: [envDetector] } : {}),
    metricReaders,
    views: instrumentationViews,
    instrumentations,
    logRecordProcessors: [],
    // No span export configured: no tracer provider at all (the instrumentations still record their metrics).
    // Otherwise the SDK builds the exporters from OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_*; the sampler is the
    // door's (request-sampling.ts), built from OTEL_TRACES_SAMPLER(_ARG).
    ...(sampling ? { sampler: sampling.sampler } : { spanProcessors: [] }),
  });
  sdk.start();
  leaveMetricsToRecorders(instrumentations);

  // Taken once, here, from the provider sdk.start() just registered, and handed to every collector with the bound
  // histograms.
  const meter = bindingMeter(metrics.getMeter(meterName), boundHistograms);
  const stops = new Set<StopCollector>();
  const instrument = (collector: Collector): StopCollector => {
    const stop = collector(meter);
    stops.add(stop);
    return () => {
      if (stops.delete(stop)) stop();
    };
  };
  for (const collector of runtimeCollectors) instrument(collector);
  if (enabled.has('http')) instrument(httpServerDuration({ isScrape, withRoute: enabled.has('express') }));
  const served = endpoint && options.metricsServer ? await endpoint.listen() : undefined;

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    metricsUrl: served?.url,
    instrumentations: enabled,
    renderMetrics: async () => (endpoint ? endpoint.render() : ''),
    instrument,
    instrumentPgPool: (pool, poolOptions) => {
      if (!enabled.has('pg')) return nothingToStop;
      return instrument(allOf(pgPoolMetrics(pool, poolOptions), pgQueryDuration(pool)));
    },
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
