// A real Alertmanager (0.25) and the real relay process: an alert that fires, resolves and fires again within the
// relay's dedup window pages twice. The second firing carries the same receiver, group, fingerprint and status as
// the first; only its startsAt differs, and it must not be taken for a retransmission of the first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeTestRelayConfig } from './support/relay/relay-config-file.ts';
import { startAlertmanager, type AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { startSlackStandIn, type SlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

let dir: string;
let slack: SlackStandIn;
let relay: RelayProcess;
let alertmanager: AlertmanagerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-refire-'));
  slack = await startSlackStandIn();
  const token = 'refire-test-token-0123456789';
  // The default dedup window (300 s): the whole test runs well inside it.
  const relayConfig = writeTestRelayConfig({ dir, tokens: [token], slackUrl: slack.url, dedupWindowSeconds: 300 });
  relay = await startRelay({ configFile: relayConfig, outboxDir: dir, bearerToken: token });
  const config = {
    route: { receiver: 'slack-oncall', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
    receivers: [
      {
        name: 'slack-oncall',
        webhook_configs: [{ url: relay.webhookUrl, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials_file: relay.tokenFile } } }],
      },
    ],
  };
  const alertmanagerConfig = join(dir, 'alertmanager.yml');
  writeFileSync(alertmanagerConfig, JSON.stringify(config));
  alertmanager = await startAlertmanager({ configFile: alertmanagerConfig });
});

afterAll(async () => {
  await alertmanager?.stop();
  await relay?.stop();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function postAlert(startsAt: Date, endsAt?: Date): Promise<void> {
  const alert = {
    labels: { alertname: 'RelayRefire', severity: 'critical', service: 'order-service', instance: '127.0.0.1:9464' },
    annotations: { summary: 'RelayRefire fired.', description: 'Fires, resolves and fires again.' },
    startsAt: startsAt.toISOString(),
    ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
  };
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
  expect(response.status).toBe(200);
}

const pages = (kind: 'FIRING' | 'RESOLVED'): unknown[] =>
  slack.delivered().filter((p) => JSON.stringify(p).includes('RelayRefire') && (p as { text: string }).text.includes(kind === 'FIRING' ? '[FIRING:1]' : '[RESOLVED]'));

it('pages a second firing of the same alert after its resolution, inside the dedup window', async () => {
  const firstStart = new Date(Date.now() - 60_000);
  await postAlert(firstStart);
  await waitFor(() => pages('FIRING').length === 1, { what: 'the first firing page', timeoutMs: 60_000 });

  await postAlert(firstStart, new Date());
  await waitFor(() => pages('RESOLVED').length === 1, { what: 'the resolved page', timeoutMs: 60_000 });

  // Fires again: a new startsAt, after the resolution.
  await postAlert(new Date());
  await waitFor(() => pages('FIRING').length === 2, { what: 'the second firing page (not taken for a duplicate)', timeoutMs: 60_000 });

  const { samples } = await scrape(relay.metricsUrl);
  expect(sumOf(samples, 'alert_relay_webhooks_received_total', { outcome: 'accepted' })).toBe(3);
  expect(sumOf(samples, 'alert_relay_notifications_deduplicated_total')).toBe(0);
  expect(pages('FIRING')).toHaveLength(2);
  expect(pages('RESOLVED')).toHaveLength(1);
});
