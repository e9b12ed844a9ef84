import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

/**
 * Auto-instrumentation of http (server spans and http.server.request.duration), express (the matched route,
 * which http then puts on its metric as http.route) and pg (query spans, db.client.operation.duration).
 * Scrapes of our own /metrics are left out.
 */
export function autoInstrumentations(isScrape: (request: IncomingMessage) => boolean): Instrumentation[] {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isScrape }),
    new ExpressInstrumentation(),
    new PgInstrumentation(),
  ];
}

/**
 * Where spans go: over OTLP (http/protobuf) when an endpoint is configured; otherwise nowhere, and the SDK
 * builds no TracerProvider at all (the instrumentations then still propagate context and record metrics).
 */
export function spanExport(otlpEndpoint: string | undefined): Partial<Pick<NodeSDKConfiguration, 'spanProcessors' | 'traceExporter'>> {
  if (otlpEndpoint === undefined) return { spanProcessors: [] };
  const url = new URL('v1/traces', otlpEndpoint.endsWith('/') ? otlpEndpoint : `${otlpEndpoint}/`).href;
  return { traceExporter: new OTLPTraceExporter({ url }) };
}

/**
 * The pg instrumentation also reports connection count, max and pending requests, labelled with a pool name it
 * derives from the connection string; instrumentPgPool reports those and the rest under the configured name.
 */
export const tracingViews: ViewOptions[] = [
  { meterName: '@opentelemetry/instrumentation-pg', instrumentName: 'db.client.connection.*', aggregation: { type: AggregationType.DROP } },
];
