// `npm start` with ALERTMANAGER_HA=true, through the real rules: Prometheus evaluates the repository's rules and
// sends to both peers of the Alertmanager pair, the relay and the Slack stand-in are behind them. A real fault
// pages exactly once; the peer that paged is then killed and the other carries on notifying (the Watchdog
// heartbeat keeps reaching the relay), and by then a duplicate from the second peer would long have arrived.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../stack/stack-config.ts';
import type { RunningStack } from '../stack/stack.ts';
import { clusterSize, peerPosition } from './support/alertmanager-ha-pipeline.ts';
import { startOrderTraffic, type OrderTraffic } from './support/order-traffic.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { startTestStack } from './support/test-stack.ts';
import { waitFor } from '../common/wait-for.ts';

/** Alertmanager's --cluster.peer-timeout default: the second peer notifies at most this long after the first. */
const peerTimeoutMs = 15_000;

describe('npm start with ALERTMANAGER_HA=true', () => {
  let stack: RunningStack | undefined;
  let traffic: OrderTraffic | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ replicas: 1, faultInjection: true, alertmanagerHa: true, relayEnv: { RELAY_WATCHDOG_MISSING_SECONDS: '3600' } });
  }, 300_000);

  afterAll(async () => {
    await traffic?.stop();
    await stack?.stop();
  }, 120_000);

  it('is validated: a bad value or a port clash names the variable', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    expect(loadStackConfig({ ALERTMANAGER_HA: 'true' }, root).alertmanager.peerPort).toBe(9096);
    expect(loadStackConfig({}, root).alertmanager.peerPort).toBeUndefined();
    expect(() => loadStackConfig({ ALERTMANAGER_HA: 'maybe' }, root)).toThrow(/ALERTMANAGER_HA/);
    expect(() => loadStackConfig({ ALERTMANAGER_HA: 'yes', ALERTMANAGER_PEER_PORT: '9093' }, root)).toThrow(/port 9093 is given to two components/);
  });

  it('runs two clustered peers that Prometheus sends to', async () => {
    expect(stack!.alertmanagers).toHaveLength(2);
    await waitFor(async () => (await Promise.all(stack!.alertmanagers.map(clusterSize))).every((n) => n === 2), { what: 'a cluster of 2 on both peers', timeoutMs: 60_000 });
    await waitFor(
      async () => {
        const body = (await (await fetch(`${stack!.prometheus.url}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: unknown[] } };
        return body.data.activeAlertmanagers.length === 2;
      },
      { what: 'Prometheus to send to both peers', timeoutMs: 60_000 },
    );
  });

  it('pages a real fault exactly once, and the surviving peer carries on after the paging one is killed', async () => {
    const replica = stack!.orderServices[0]!;
    traffic = startOrderTraffic(replica.apiUrl, { perSecond: 10 });
    const fault = await fetch(`${replica.apiUrl}/admin/faults/errors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ratio: 1 }) });
    expect(fault.status).toBe(200);
    const criticalPages = (): unknown[] =>
      stack!.slackStandIn!.delivered().filter((payload) => /\[FIRING[^\]]*\] HTTPServerErrorRatioHigh \(critical\)/.test(String((payload as { text?: unknown }).text)));
    await waitFor(() => criticalPages().length > 0, { what: 'the HTTPServerErrorRatioHigh page', timeoutMs: 180_000, intervalMs: 250 });
    const pagedAt = Date.now();

    // Prometheus sent the alert to both peers, not only to the one that paged.
    for (const peer of stack!.alertmanagers) {
      const alerts = (await (await fetch(`${peer.url}/api/v2/alerts?filter=${encodeURIComponent('alertname="HTTPServerErrorRatioHigh"')}`)).json()) as unknown[];
      expect(alerts.length, `${peer.url} holds the alert`).toBeGreaterThan(0);
    }

    const webhooksSent = async (url: string): Promise<number> =>
      sumOf((await scrape(`${url}/metrics`)).samples, 'alertmanager_notifications_total', { integration: 'webhook' });
    const sentBeforeKill = await Promise.all(stack!.alertmanagers.map((peer) => webhooksSent(peer.url)));
    const positions = await Promise.all(stack!.alertmanagers.map(peerPosition));
    const notifier = stack!.alertmanagers[positions.indexOf(0)]!;
    await notifier.process.kill();
    const killedAt = Date.now();
    const heartbeat = async (): Promise<number> => sumOf((await scrape(stack!.relay.metricsUrl)).samples, 'alert_relay_watchdog_last_heartbeat_timestamp_seconds') * 1000;
    // The Watchdog (group_interval and repeat_interval 1 m) reaches the relay from the survivor alone, late enough
    // that a second copy of the page, had the gossip not stopped it, would already be in Slack.
    await waitFor(async () => {
      const last = await heartbeat();
      return last > killedAt && last > pagedAt + peerTimeoutMs + 5_000;
    }, { what: 'a Watchdog heartbeat from the surviving peer', timeoutMs: 180_000, intervalMs: 1_000 });

    const { samples } = await scrape(stack!.relay.metricsUrl);
    const survivor = stack!.alertmanagers[positions.indexOf(1)]!;
    console.log(
      `[ha-stack] critical pages for the fault: ${criticalPages().length}; relay dropped ${sumOf(samples, 'alert_relay_notifications_deduplicated_total', { receiver: 'slack-oncall' })} duplicate slack-oncall webhooks; ` +
        `webhooks sent before the kill: position 0 ${sentBeforeKill[positions.indexOf(0)]}, position 1 ${sentBeforeKill[positions.indexOf(1)]}; survivor's total at the end ${await webhooksSent(survivor.url)}`,
    );
    expect(criticalPages()).toHaveLength(1);
  }, 420_000);
});
