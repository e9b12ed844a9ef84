// The standard OTEL_* variables, each proved on a real order service process (embedded PostgreSQL), a real scrape
// of its /metrics and a real OTLP/HTTP receiver decoding what the process pushes (test/support/otlp-receiver.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../common/wait-for.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { metricTypes, scrape } from './support/prometheus-text.ts';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.ts';
import { prometheusMetricName } from '../service/telemetry/unit-suffixes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function placeOrder(service: OrderServiceProcess, customer: string): Promise<void> {
  const response = await fetch(`${service.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ sku: 'SKU-1', quantity: 1, price: 2.5 }] }),
  });
  await response.arrayBuffer();
  expect(response.status).toBe(201);
}

/** Families on a scrape, target_info left out. */
const families = (text: string): Set<string> => new Set([...metricTypes(text).keys()].filter((f) => f !== 'target_info'));

const scopesOf = (receiver: OtlpReceiver): Set<string> => new Set(receiver.spans.map((s) => s.scope));
/** The HTTP server span of a POST /orders, carrying the route the express instrumentation matched. */
const routedOrderSpan = (receiver: OtlpReceiver): boolean =>
  receiver.spans.some((s) => s.scope === '@opentelemetry/instrumentation-http' && s.attributes['http.route'] === '/orders' && s.attributes['http.request.method'] === 'POST');

describe('OpenTelemetry environment variables on the order service', () => {
  // Every standard variable at once on one service (pushing metrics and spans), the switches on others.
  let full: OrderServiceProcess;
  let noPg: OrderServiceProcess;
  let disabled: OrderServiceProcess;
  let otlpOnly: OrderServiceProcess;
  let spanFree: OrderServiceProcess;
  const receivers: Record<'full' | 'noPg' | 'disabled' | 'otlpOnly', OtlpReceiver | undefined> = { full: undefined, noPg: undefined, disabled: undefined, otlpOnly: undefined };

  beforeAll(async () => {
    const [a, b, c, d] = await Promise.all([startOtlpReceiver(), startOtlpReceiver(), startOtlpReceiver(), startOtlpReceiver()]);
    Object.assign(receivers, { full: a, noPg: b, disabled: c, otlpOnly: d });
    const push = (receiver: OtlpReceiver): Record<string, string> => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '500', OTEL_BSP_SCHEDULE_DELAY: '200' });
    const started = await Promise.all([
      startOrderService({
        name: 'otel-full',
        env: {
          ...push(a!),
          OTEL_METRICS_EXPORTER: 'prometheus,otlp',
          OTEL_SERVICE_NAME: 'orders-under-test',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=otel-test,service.namespace=shop',
          OTEL_TRACES_SAMPLER: 'always_on',
        },
      }),
      startOrderService({ name: 'otel-no-pg', env: { ...push(b!), OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg', OTEL_TRACES_SAMPLER: 'always_on' } }),
      startOrderService({ name: 'otel-disabled', env: { ...push(c!), OTEL_SDK_DISABLED: 'true', OTEL_METRICS_EXPORTER: 'prometheus,otlp' } }),
      startOrderService({
        name: 'otel-otlp-only',
        env: { ...push(d!), OTEL_METRICS_EXPORTER: 'otlp', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,runtime-node', OTEL_TRACES_SAMPLER: 'always_off' },
      }),
      // The default: metrics on /metrics, no span exported.
      startOrderService({ name: 'otel-span-free' }),
    ]);
    [full, noPg, disabled, otlpOnly, spanFree] = started;
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([full, noPg, disabled, otlpOnly, spanFree].map((s) => s?.stop()));
    await Promise.allSettled(Object.values(receivers).map((r) => r?.close()));
  });

  it('OTEL_METRICS_EXPORTER=prometheus,otlp pushes the runtime metrics over OTLP/HTTP with their units, under names that translate to exactly what /metrics serves', async () => {
    const receiver = receivers.full!;
    await placeOrder(full, 'otlp-metrics');
    const wanted = {
      'v8js.memory.heap.used': 'By',
      'v8js.memory.heap.size_limit': 'By',
      'v8js.gc.duration': 's',
      'nodejs.eventloop.delay.p99': 's',
      'nodejs.eventloop.utilization': '1',
      'process.memory.usage': 'By',
      'process.cpu.time': 's',
      'http.server.request.duration': 's',
      'db.client.connection.count': '{connection}',
      'worker_pool.thread.count': '{thread}',
    };
    await waitFor(() => Object.keys(wanted).every((name) => receiver.metrics.some((m) => m.name === name && m.points > 0)), {
      what: `OTLP metrics ${Object.keys(wanted).join(', ')}`,
      timeoutMs: 30_000,
    });
    expect(receiver.errors).toEqual([]);
    for (const [name, unit] of Object.entries(wanted)) expect(receiver.metrics.find((m) => m.name === name)?.unit, name).toBe(unit);
    expect(receiver.metrics.find((m) => m.name === 'v8js.gc.duration')?.kind).toBe('histogram');
    expect(receiver.metrics.find((m) => m.name === 'process.cpu.time')?.kind).toBe('counter');

    // The same metrics either way: every pushed metric, translated as Prometheus's OTLP receiver does, is served on
    // /metrics, and everything /metrics serves was pushed.
    const pushed = new Set(receiver.metrics.map((m) => prometheusMetricName(m.name, m.unit, m.kind)));
    const served = families((await scrape(full.metricsUrl)).text);
    expect([...pushed].filter((name) => !served.has(name)), 'pushed but not served').toEqual([]);
    await waitFor(
      async () => {
        const pushedNow = new Set(receiver.metrics.map((m) => prometheusMetricName(m.name, m.unit, m.kind)));
        return [...families((await scrape(full.metricsUrl)).text)].every((name) => pushedNow.has(name));
      },
      { what: 'every served family pushed', timeoutMs: 20_000 },
    );
  });

  it('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES show in target_info and on what is pushed', async () => {
    const { samples } = await scrape(full.metricsUrl);
    const target = samples.find((s) => s.name === 'target_info');
    expect(target?.labels).toMatchObject({ service_name: 'orders-under-test', deployment_environment_name: 'otel-test', service_namespace: 'shop' });
    await waitFor(() => receivers.full!.metrics.length > 0, { what: 'pushed metrics' });
    expect(receivers.full!.metrics[0]!.resource).toMatchObject({ 'service.name': 'orders-under-test', 'deployment.environment.name': 'otel-test' });
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_TRACES_SAMPLER=always_on exports HTTP spans with the express route, and pg spans', async () => {
    await placeOrder(full, 'otlp-spans');
    await waitFor(() => routedOrderSpan(receivers.full!) && scopesOf(receivers.full!).has('@opentelemetry/instrumentation-pg'), {
      what: 'an HTTP span with its route, and pg spans',
      timeoutMs: 30_000,
    });
    expect(receivers.full!.spans.find((s) => s.scope === '@opentelemetry/instrumentation-pg')?.resource['service.name']).toBe('orders-under-test');
  });

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg removes the pg spans and the pg metrics, and nothing else', async () => {
    await placeOrder(noPg, 'no-pg');
    await waitFor(() => routedOrderSpan(receivers.noPg!), { what: 'an HTTP span with its route', timeoutMs: 30_000 });
    const served = families((await scrape(noPg.metricsUrl)).text);
    expect([...served].filter((f) => f.startsWith('db_client_'))).toEqual([]);
    expect(served).toContain('http_server_request_duration_seconds');
    expect(served).toContain('worker_pool_thread_count');
    expect(served).toContain('v8js_memory_heap_used_bytes');
    // Flush: a graceful stop shuts the SDK down, which exports every span still buffered.
    await noPg.stop();
    expect(scopesOf(receivers.noPg!)).not.toContain('@opentelemetry/instrumentation-pg');
    expect(scopesOf(receivers.noPg!)).toContain('@opentelemetry/instrumentation-http');
  });

  it('OTEL_SDK_DISABLED=true serves no telemetry: no /metrics listener, nothing pushed, and the service works', async () => {
    await placeOrder(disabled, 'disabled');
    await expect(fetch(disabled.metricsUrl)).rejects.toThrow();
    await disabled.stop();
    expect(receivers.disabled!.requests.size).toBe(0);
  });

  it('OTEL_METRICS_EXPORTER=otlp alone pushes without serving /metrics; OTEL_NODE_ENABLED_INSTRUMENTATIONS keeps only what it names; OTEL_TRACES_SAMPLER=always_off samples nothing', async () => {
    await placeOrder(otlpOnly, 'otlp-only');
    await expect(fetch(otlpOnly.metricsUrl)).rejects.toThrow();
    const receiver = receivers.otlpOnly!;
    await waitFor(() => receiver.metrics.some((m) => m.name === 'http.server.request.duration') && receiver.metrics.some((m) => m.name === 'v8js.memory.heap.used'), {
      what: 'pushed http and runtime metrics',
      timeoutMs: 30_000,
    });
    await otlpOnly.stop();
    const names = new Set(receiver.metrics.map((m) => m.name));
    // pg is not enabled: neither its query metric nor the pool metrics that follow its switch.
    expect(names).not.toContain('db.client.operation.duration');
    expect(names).not.toContain('db.client.connection.count');
    expect(receiver.spans).toEqual([]);
    expect(receiver.requests.get('/v1/traces') ?? 0).toBe(0);
  });

  it('HTTP and query durations are the same series with spans exported or not (span-free recorders), labelled as the instrumentations label them', async () => {
    // The same requests to the span-free (default) service and to the one running the instrumentations with spans.
    const exercise = async (service: OrderServiceProcess): Promise<void> => {
      const created = await fetch(`${service.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer: 'parity', items: [{ sku: 'SKU-1', quantity: 1, price: 2.5 }] }) });
      const { id } = (await created.json()) as { id: string };
      expect(created.status).toBe(201);
      const statuses = [];
      for (const path of [`/orders/${id}`, '/orders/00000000-0000-4000-8000-000000000000', '/no-such-route']) statuses.push((await fetch(`${service.apiUrl}${path}`).then(async (r) => (await r.arrayBuffer(), r.status))));
      const malformed = await fetch(`${service.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customer":' });
      await malformed.arrayBuffer();
      expect([...statuses, malformed.status]).toEqual([200, 404, 404, 400]);
    };
    await Promise.all([exercise(spanFree), exercise(full)]);
    /** Each series of a family as its labels (server_port aside: each service has its own database), sorted. */
    const seriesOf = async (service: OrderServiceProcess, family: string, keep: (labels: Record<string, string>) => boolean = () => true): Promise<string[]> => {
      const { samples } = await scrape(service.metricsUrl);
      const series = samples.filter((s) => s.name === `${family}_count` && keep(s.labels)).map(({ labels: { server_port: _port, ...labels } }) => JSON.stringify(Object.entries(labels).sort()));
      return [...new Set(series)].sort();
    };
    // Queries on the pool's database (the embedded server's own setup runs on another, outside any pool).
    const ordersDb = (labels: Record<string, string>): boolean => labels.db_namespace === 'orders';
    const families: Array<[string, (labels: Record<string, string>) => boolean]> = [['http_server_request_duration_seconds', () => true], ['db_client_operation_duration_seconds', ordersDb]];
    for (const [family, keep] of families) {
      // The orders are processed in the background: wait until both services have run the same statements.
      const same = async () => JSON.stringify(await seriesOf(spanFree, family, keep)) === JSON.stringify(await seriesOf(full, family, keep));
      await waitFor(same, { what: `the same ${family} series on both services`, timeoutMs: 20_000 }).catch(() => undefined);
      expect(await seriesOf(spanFree, family, keep), family).toEqual(await seriesOf(full, family, keep));
    }
    // instrumentation-http's attributes, http.route as instrumentation-express gives it (none when no route matched).
    const request = (method: string, status: number, route?: string): string =>
      JSON.stringify(Object.entries({ http_request_method: method, url_scheme: 'http', network_protocol_version: '1.1', http_response_status_code: String(status), ...(route ? { http_route: route } : {}) }).sort());
    expect(await seriesOf(spanFree, 'http_server_request_duration_seconds')).toEqual(
      expect.arrayContaining([request('POST', 201, '/orders'), request('GET', 200, '/orders/:id'), request('GET', 404, '/orders/:id'), request('GET', 404), request('POST', 400)]),
    );
    const db = await seriesOf(spanFree, 'db_client_operation_duration_seconds', ordersDb);
    for (const operation of ['INSERT', 'SELECT', 'UPDATE', 'BEGIN', 'COMMIT']) expect(db.some((s) => s.includes(`"db_operation_name","${operation}"`)), operation).toBe(true);
  });

  it('refuses an OTEL_* value it cannot use, naming the variable, before starting anything', () => {
    const result = spawnSync(process.execPath, ['service/main.ts'], {
      cwd: root,
      env: { ...process.env, OTEL_METRICS_EXPORTER: 'prometheus,statsd', OTEL_TRACES_SAMPLER_ARG: 'half', PORT: '0', METRICS_PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/OTEL_METRICS_EXPORTER[.0-9]*: expected a comma-separated list of prometheus, otlp, console, none/);
    expect(result.stderr).toMatch(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
