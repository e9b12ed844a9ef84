// The chain for real: the order service (fault injection on), real Prometheus and real Alertmanager with the
// repository's configs and shipped intervals, and a webhook receiver in the relay's place. A real fault (every
// order request answered 500; then every DB pool connection held while orders queue) must arrive as the right
// page (HTTPServerErrorRatioHigh; NodeDBPoolExhausted), critical, to the slack-oncall receiver, with the instance,
// the bearer token, runbook and dashboard links. The Watchdog must
// arrive at its own receiver. The time from fault to webhook is printed (README "Time to page") and held under a
// generous bound (the goal is 30 s; a minute still catches a regression to minutes on a loaded machine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, dashboardUrl, grafana, runbookUrl } from '../prometheus/alerting-config.ts';
import { startAlertmanager, type AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startPrometheus, type PrometheusProcess } from '../stack/prometheus-process.ts';
import { startOrderTraffic, type OrderTraffic } from './support/order-traffic.ts';
import { waitFor } from '../common/wait-for.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const token = 'chain-test-token';
/** Fault to page, at most: twice the 30-second goal (measured 15-25 s), far below the minutes a regression costs. */
const timeToPageBoundSeconds = 60;

async function query(prometheusUrl: string, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query ${expr} failed`);
  return body.data.result;
}

describe('fault to page through real Prometheus and Alertmanager', () => {
  let receiver: WebhookReceiver;
  let secrets: string;
  /** Replica A takes the error fault, replica B the DB pool fault; Prometheus finds both through file discovery. */
  let service: OrderServiceProcess;
  let replicaB: OrderServiceProcess;
  let alertmanager: AlertmanagerProcess;
  let prometheus: PrometheusProcess;
  let traffic: OrderTraffic | undefined;
  let trafficB: OrderTraffic | undefined;
  let instance: string;
  let instanceB: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    secrets = mkdtempSync(join(tmpdir(), 'alert-chain-secrets-'));
    writeFileSync(join(secrets, 'relay-token'), `${token}\n`, { mode: 0o600 });
    [service, replicaB, alertmanager] = await Promise.all([
      startOrderService({ env: { FAULT_INJECTION: 'true' }, name: 'replica-a' }),
      // The service's query timeout (5 s by default) would end the db-hold's pg_sleep early.
      startOrderService({ env: { FAULT_INJECTION: 'true' }, name: 'replica-b' }),
      startAlertmanager({ configFile: join(root, 'alertmanager/alertmanager.yml'), webhookOrigin: receiver.origin, credentialsFile: join(secrets, 'relay-token') }),
    ]);
    instance = new URL(service.metricsUrl).host;
    instanceB = new URL(replicaB.metricsUrl).host;
    prometheus = await startPrometheus({
      configFile: join(root, 'prometheus/prometheus.yml'),
      targets: { 'order-service': [instance], alertmanager: [new URL(alertmanager.url).host], 'alert-relay': [] },
      alertmanagers: [new URL(alertmanager.url).host],
    });
  });

  afterAll(async () => {
    await Promise.allSettled([traffic?.stop(), trafficB?.stop()]);
    await Promise.allSettled([prometheus?.stop(), alertmanager?.stop(), service?.stop(), replicaB?.stop(), receiver?.close()]);
    rmSync(secrets, { recursive: true, force: true });
  });

  it('discovers a replica added to the targets file, without a config change, and scrapes both', async () => {
    await waitFor(async () => (await query(prometheus.url, `up{job="order-service"} == 1`)).some((r) => r.metric.instance === instance), {
      what: 'Prometheus scraping replica A',
      timeoutMs: 60_000,
    });
    prometheus.setTargets('order-service', [instance, instanceB]);
    const up = await waitFor(
      async () => {
        const result = await query(prometheus.url, `up{job="order-service"} == 1`);
        return result.length === 2 ? result.map((r) => r.metric.instance).sort() : undefined;
      },
      { what: 'Prometheus scraping both replicas', timeoutMs: 90_000 },
    );
    expect(up).toEqual([instance, instanceB].sort());
  }, 180_000);

  it('pages slack-oncall with HTTPServerErrorRatioHigh when every order request fails', async () => {
    traffic = startOrderTraffic(service.apiUrl, { perSecond: 10 });
    // A baseline of successful requests in Prometheus first, as on a running system.
    await waitFor(async () => (await query(prometheus.url, `instance:http_server_requests:rate1m{instance="${instance}"} > 1`)).length > 0, {
      what: 'the request rate recorded',
      timeoutMs: 90_000,
    });
    expect(receiver.received.filter((r) => r.payload.commonLabels.alertname === 'HTTPServerErrorRatioHigh')).toEqual([]);

    // Replica A only; while the ratio is 1 the service answers 500 to its admin endpoints too (they sit behind the
    // orders router), so this fault stays on until the test ends.
    const fault = await fetch(`${service.apiUrl}/admin/faults/errors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ratio: 1 }) });
    expect(fault.status).toBe(200);
    const faultAt = Date.now();

    const page = await waitFor(
      () => receiver.received.find((r) => r.payload.receiver === 'slack-oncall' && r.payload.alerts.some((a) => a.labels.alertname === 'HTTPServerErrorRatioHigh' && a.labels.instance === instance)),
      { what: 'the HTTPServerErrorRatioHigh page at the webhook', timeoutMs: 180_000, intervalMs: 200 },
    );
    const seconds = (page.at - faultAt) / 1000;
    console.log(`fault to webhook: ${seconds.toFixed(1)} s (HTTPServerErrorRatioHigh, critical)`);
    expect(seconds).toBeLessThan(timeToPageBoundSeconds);

    expect(page.path).toBe('/alertmanager/webhook');
    expect(page.authorization).toBe(`Bearer ${token}`);
    expect(page.payload.status).toBe('firing');
    expect(page.payload.groupLabels).toEqual({ alertname: 'HTTPServerErrorRatioHigh', service: 'order-service' });
    const alert = page.payload.alerts.find((a) => a.labels.alertname === 'HTTPServerErrorRatioHigh' && a.labels.instance === instance)!;
    expect(alert.labels).toEqual({ alertname: 'HTTPServerErrorRatioHigh', severity: 'critical', service: 'order-service', job: 'order-service', instance });
    expect(alert.annotations.summary).toBe('Many HTTP requests fail with a server error (5xx).');
    expect(alert.annotations.description).toMatch(new RegExp(`^[\\d.]+% of HTTP requests to ${instance.replace(/\./g, '\\.')} answered 5xx over the last minute \\(threshold 5%\\)\\.$`));
    expect(alert.annotations.runbook_url).toBe(runbookUrl('HTTPServerErrorRatioHigh'));
    expect(alert.annotations.dashboard_url).toBe(dashboardUrl('orderService', { panelId: alerts.HTTPServerErrorRatioHigh.panel }).replace('{{ $labels.instance }}', instance));
    expect(alert.annotations.dashboard_url?.startsWith(`${grafana.baseUrl}/d/order-service?`)).toBe(true);
    expect(alert.generatorURL.startsWith(prometheus.url)).toBe(true);
    expect(traffic.statuses.get(500) ?? 0).toBeGreaterThan(0);
  }, 300_000);

  it('pages slack-oncall with NodeDBPoolExhausted when every pool connection is held and orders queue', async () => {
    trafficB = startOrderTraffic(replicaB.apiUrl, { perSecond: 10 });
    await waitFor(async () => (await query(prometheus.url, `instance:http_server_requests:rate1m{instance="${instanceB}"} > 1`)).length > 0, {
      what: 'the request rate of replica B recorded',
      timeoutMs: 90_000,
    });
    expect(receiver.received.filter((r) => r.payload.alerts.some((a) => a.labels.alertname === 'NodeDBPoolExhausted'))).toEqual([]);
    const held = await fetch(`${replicaB.apiUrl}/admin/faults/db-hold`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: 10, seconds: 120 }),
    });
    expect(held.status).toBeLessThan(300);
    const faultAt = Date.now();

    const page = await waitFor(
      () => receiver.received.find((r) => r.payload.receiver === 'slack-oncall' && r.payload.alerts.some((a) => a.labels.alertname === 'NodeDBPoolExhausted')),
      { what: 'the NodeDBPoolExhausted page at the webhook', timeoutMs: 180_000, intervalMs: 200 },
    );
    const seconds = (page.at - faultAt) / 1000;
    console.log(`fault to webhook: ${seconds.toFixed(1)} s (NodeDBPoolExhausted, critical)`);
    expect(seconds).toBeLessThan(timeToPageBoundSeconds);
    const alert = page.payload.alerts.find((a) => a.labels.alertname === 'NodeDBPoolExhausted')!;
    expect(alert.labels).toEqual({
      alertname: 'NodeDBPoolExhausted',
      severity: 'critical',
      service: 'order-service',
      job: 'order-service',
      instance: instanceB,
      db_client_connection_pool_name: expect.any(String),
    });
    expect(alert.annotations.description).toContain(` on ${instanceB} has 100% of its connections in use and requests waiting for one.`);
    expect(alert.annotations.runbook_url).toBe(runbookUrl('NodeDBPoolExhausted'));
    expect(alert.annotations.dashboard_url).toBe(dashboardUrl('runtime', { panelId: alerts.NodeDBPoolExhausted.panel }).replace('{{ $labels.instance }}', instanceB));
  }, 300_000);

  it('delivers the Watchdog to its own receiver', async () => {
    const watchdog = await waitFor(() => receiver.received.find((r) => r.payload.receiver === 'watchdog'), { what: 'the Watchdog at the webhook', timeoutMs: 120_000 });
    expect(watchdog.payload.alerts.map((a) => a.labels.alertname)).toEqual(['Watchdog']);
    expect(watchdog.authorization).toBe(`Bearer ${token}`);
  }, 180_000);
});
