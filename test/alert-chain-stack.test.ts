// `npm run stack` end to end: the launcher's own wiring (replicas sharing one database, the relay's bearer token
// in Alertmanager's credentials_file, the Slack stand-in) carries a real fault to a Slack message. Ports are free
// ones and the data dir a temp dir, so it runs beside anything else.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../stack/stack-config.ts';
import type { RunningStack } from '../stack/stack.ts';
import { startOrderTraffic, type OrderTraffic } from './support/order-traffic.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { slackPages } from './support/slack-pages.ts';
import { startTestStack } from './support/test-stack.ts';
import { waitFor } from '../common/wait-for.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm run stack', () => {
  let stack: RunningStack | undefined;
  let traffic: OrderTraffic | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ replicas: 2, faultInjection: true });
  }, 300_000);

  afterAll(async () => {
    await traffic?.stop();
    await stack?.stop();
  }, 120_000);

  it('rejects a bad environment naming the variable, without its value', () => {
    expect(() => loadStackConfig({ PROMETHEUS_PORT: 'ninety', SLACK_WEBHOOK_URL: 'not a url secret-ish' }, root)).toThrow(/PROMETHEUS_PORT/);
    expect(() => loadStackConfig({ SLACK_WEBHOOK_URL: 'not a url secret-ish' }, root)).toThrow(/SLACK_WEBHOOK_URL(?![^]*secret-ish)/);
    expect(() => loadStackConfig({ PORT: '9090' }, root)).toThrow(/port 9090 is given to two components/);
  });

  it('scrapes both replicas, which share one database', async () => {
    const [first, second] = stack!.orderServices;
    const created = await fetch(`${first!.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'stack-test', items: [{ sku: 'SKU-1', quantity: 1, price: 2 }] }),
    });
    expect(created.status).toBe(201);
    const order = (await created.json()) as { id: string };
    expect((await fetch(`${second!.apiUrl}/orders/${order.id}`)).status).toBe(200);
    await waitFor(
      async () => {
        const response = await fetch(`${stack!.prometheus.url}/api/v1/query?query=${encodeURIComponent('count(up{job="order-service"} == 1)')}`);
        const body = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result[0]?.value[1] === '2';
      },
      { what: 'both replicas up in Prometheus', timeoutMs: 60_000 },
    );
  });

  it('carries an injected fault through Alertmanager and the relay to a Slack message', async () => {
    const replica = stack!.orderServices[0]!;
    traffic = startOrderTraffic(replica.apiUrl, { perSecond: 10 });
    const fault = await fetch(`${replica.apiUrl}/admin/faults/errors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ratio: 1 }) });
    expect(fault.status).toBe(200);
    const faultAt = Date.now();
    const instance = new URL(replica.metricsUrl).host;
    const page = await waitFor(() => slackPages(stack!.slackStandIn!, { instance, alertnames: ['HTTPServerErrorRatioHigh'], status: 'firing', after: faultAt })[0], {
      what: 'the HTTPServerErrorRatioHigh page in the Slack stand-in',
      timeoutMs: 180_000,
      intervalMs: 200,
    });
    const seconds = (page.at - faultAt) / 1000;
    console.log(`fault to Slack message through the relay: ${seconds.toFixed(1)} s (HTTPServerErrorRatioHigh)`);
    // The goal is 30 s (measured 20-30 s here); a minute still catches a regression to minutes on a loaded machine.
    expect(seconds).toBeLessThan(60);
    expect(page.text).toContain('HTTPServerErrorRatioHigh (critical)');
    const { samples } = await scrape(stack!.relay.metricsUrl);
    expect(sumOf(samples, 'alert_relay_webhooks_received_total', { outcome: 'accepted' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'alert_relay_webhooks_received_total', { outcome: 'unauthorized' })).toBe(0);
  }, 240_000);
});
