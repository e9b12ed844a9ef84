import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, type MetricData, type MetricProducer, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { prometheusMetricName, prometheusUnit, type PrometheusKind } from './unit-suffixes.ts';

export interface PrometheusEndpointOptions {
  host: string;
  port: number;
  path?: string;
  /** Metrics kept outside the SDK, collected with its own on every scrape (cumulative). */
  metricProducers?: MetricProducer[];
}

export interface PrometheusEndpoint {
  /** The MetricReader to hand to the MeterProvider; collects on every scrape (cumulative). */
  reader: PrometheusExporter;
  /** Answers GET <path> with the text exposition format; resolves once listening. */
  listen(): Promise<{ url: string; port: number }>;
  /** One scrape's body, as GET <path> answers it. */
  render(): Promise<string>;
  /** True for requests to this endpoint (so HTTP instrumentation can leave scrapes out of the API's metrics). */
  isScrape(request: IncomingMessage): boolean;
  close(): Promise<void>;
}

function kindOf(metric: MetricData): PrometheusKind {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'non-monotonic-counter';
    case DataPointType.GAUGE:
      return 'gauge';
    default:
      return 'histogram';
  }
}

/**
 * Renames every metric as Prometheus's OTLP translation would (unit and type suffixes) before the stock
 * serializer writes it: the OpenTelemetry JS exporter itself only swaps dots for underscores and adds `_total`.
 * The `# UNIT` line then carries the Prometheus unit word, consistent with the name.
 */
export function withPrometheusNames(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: resourceMetrics.resource,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map((metric) => ({
        ...metric,
        descriptor: {
          ...metric.descriptor,
          name: prometheusMetricName(metric.descriptor.name, metric.descriptor.unit, kindOf(metric)),
          unit: prometheusUnit(metric.descriptor.unit),
        },
      })) as MetricData[],
    })),
  };
}

/**
 * The `/metrics` endpoint: the OpenTelemetry Prometheus exporter used as a pull reader (its own server off),
 * behind a small HTTP server of ours that serializes with Prometheus names. Scope labels are left out, as
 * Prometheus's OTLP receiver leaves them out by default.
 */
export function createPrometheusEndpoint(options: PrometheusEndpointOptions): PrometheusEndpoint {
  const path = options.path ?? '/metrics';
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, metricProducers: options.metricProducers });
  const serializer = new PrometheusSerializer(undefined, false, undefined, false, true);
  let boundPort = -1;

  const render = async (): Promise<string> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.error('metrics collection errors', ...errors);
    return serializer.serialize(withPrometheusNames(resourceMetrics));
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://metrics');
    if (url.pathname !== path || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    render()
      .then((body) => {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      })
      .catch((error: unknown) => {
        diag.error('metrics collection failed', error);
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      });
  };
  const server: Server = createServer(handle);
  // A scrape is a short request; don't let a stuck client hold the server open.
  server.requestTimeout = 10_000;

  return {
    reader,
    render,
    async listen() {
      server.listen(options.port, options.host);
      await once(server, 'listening');
      boundPort = (server.address() as AddressInfo).port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      return { url: `http://${host}:${boundPort}${path}`, port: boundPort };
    },
    isScrape: (request) => request.socket.localPort === boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
