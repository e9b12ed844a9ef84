// An OTLP/HTTP receiver for tests and benches: accepts http/protobuf exports on /v1/metrics and /v1/traces (on a
// free 127.0.0.1 port) and decodes them with protobufjs against the fields of opentelemetry-proto we read.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

// The subset of opentelemetry-proto (common, resource, metrics, trace; field numbers as published) the tests
// read; protobuf skips the fields left out.
const schema = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message NumberDataPoint { repeated KeyValue attributes = 7; double as_double = 4; sfixed64 as_int = 6; }
message HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 count = 4; double sum = 5; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; } }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message Span { bytes trace_id = 1; bytes span_id = 2; string name = 5; int32 kind = 6; repeated KeyValue attributes = 9; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;
const root = protobuf.parse(schema, { keepCase: true }).root;
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const toObject = { longs: Number, defaults: false, oneofs: true } as const;

type Attributes = Record<string, string | number | boolean>;
interface RawKeyValue { key: string; value?: { string_value?: string; bool_value?: boolean; int_value?: number; double_value?: number } }
const attributes = (list: RawKeyValue[] | undefined): Attributes =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, value?.string_value ?? value?.int_value ?? value?.double_value ?? value?.bool_value ?? '']));

export type OtlpMetricKind = 'gauge' | 'counter' | 'non-monotonic-counter' | 'histogram';

export interface ReceivedMetric {
  name: string;
  unit: string;
  kind: OtlpMetricKind;
  scope: string;
  resource: Attributes;
  points: number;
}

export interface ReceivedSpan {
  name: string;
  scope: string;
  resource: Attributes;
  attributes: Attributes;
}

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/metrics, /v1/traces). */
  url: string;
  metrics: ReceivedMetric[];
  spans: ReceivedSpan[];
  /** Export requests answered, by path. */
  requests: Map<string, number>;
  /** Bodies that failed to decode (a test should expect none). */
  errors: string[];
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

interface RawMetric { name: string; unit?: string; gauge?: { data_points?: unknown[] }; sum?: { data_points?: unknown[]; is_monotonic?: boolean }; histogram?: { data_points?: unknown[] } }

function decodeMetrics(bytes: Buffer): Omit<ReceivedMetric, never>[] {
  const request = MetricsRequest.toObject(MetricsRequest.decode(bytes), toObject) as {
    resource_metrics?: Array<{ resource?: { attributes?: RawKeyValue[] }; scope_metrics?: Array<{ scope?: { name?: string }; metrics?: RawMetric[] }> }>;
  };
  return (request.resource_metrics ?? []).flatMap((rm) =>
    (rm.scope_metrics ?? []).flatMap((sm) =>
      (sm.metrics ?? []).map((m) => {
        const kind: OtlpMetricKind = m.histogram ? 'histogram' : m.sum ? (m.sum.is_monotonic ? 'counter' : 'non-monotonic-counter') : 'gauge';
        const points = (m.histogram ?? m.sum ?? m.gauge)?.data_points?.length ?? 0;
        return { name: m.name, unit: m.unit ?? '', kind, scope: sm.scope?.name ?? '', resource: attributes(rm.resource?.attributes), points };
      }),
    ),
  );
}

function decodeSpans(bytes: Buffer): ReceivedSpan[] {
  const request = TraceRequest.toObject(TraceRequest.decode(bytes), toObject) as {
    resource_spans?: Array<{ resource?: { attributes?: RawKeyValue[] }; scope_spans?: Array<{ scope?: { name?: string }; spans?: Array<{ name: string; attributes?: RawKeyValue[] }> }> }>;
  };
  return (request.resource_spans ?? []).flatMap((rs) =>
    (rs.scope_spans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({ name: s.name, scope: ss.scope?.name ?? '', resource: attributes(rs.resource?.attributes), attributes: attributes(s.attributes) })),
    ),
  );
}

/**
 * Starts the receiver. `keep: false` only counts the exports (a benchmark: decoding would take CPU from the process
 * measured, on the same machine); every request is answered 200 with an empty (protobuf) export response.
 */
export async function startOtlpReceiver(options: { keep?: boolean } = {}): Promise<OtlpReceiver> {
  const keep = options.keep ?? true;
  const receiver: Omit<OtlpReceiver, 'url' | 'close'> = { metrics: [], spans: [], requests: new Map(), errors: [] };
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    body(request)
      .then((bytes) => {
        if (request.method !== 'POST' || (path !== '/v1/metrics' && path !== '/v1/traces')) {
          response.writeHead(404).end();
          return;
        }
        receiver.requests.set(path, (receiver.requests.get(path) ?? 0) + 1);
        if (!keep) {
          response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          return;
        }
        try {
          if (path === '/v1/metrics') {
            receiver.metrics.push(...decodeMetrics(bytes));
          } else {
            receiver.spans.push(...decodeSpans(bytes));
          }
        } catch (error) {
          receiver.errors.push(`${path}: ${(error as Error).message}`);
        }
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      })
      .catch(() => response.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    ...receiver,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
