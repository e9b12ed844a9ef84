// The last links of the chain for real: alerts posted to a real Alertmanager (0.25), routed by severity, sent as
// webhooks to the real relay process (running the example config npm start uses), delivered to the Slack stand-in
// and a real SMTP server; then resolved.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAlertmanager, type AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { startSlackStandIn, type SlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { startSmtpSink, type SmtpSink } from './support/stand-ins/smtp-sink.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

let dir: string;
let slack: SlackStandIn;
let smtp: SmtpSink;
let relay: RelayProcess;
let alertmanager: AlertmanagerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-alertmanager-'));
  slack = await startSlackStandIn();
  smtp = await startSmtpSink();
  relay = await startRelay({ slackWebhookUrl: slack.url, smtp: { host: smtp.host, port: smtp.port }, env: { RELAY_DIGEST_SECONDS: '1' } });
  // Short waits so the test does not sit out Alertmanager's production timers; the routes are those of
  // alertmanager/alertmanager.yml (critical pages, warning digest), pointed at this relay with its token.
  const webhook = (maxAlerts: number) => ({
    url: relay.webhookUrl,
    send_resolved: true,
    max_alerts: maxAlerts,
    http_config: { authorization: { type: 'Bearer', credentials_file: relay.tokenFile } },
  });
  const config = {
    route: {
      receiver: 'email-team',
      group_by: ['alertname', 'service'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
      routes: [
        { receiver: 'slack-oncall', matchers: ['severity="critical"'] },
        { receiver: 'email-team', matchers: ['severity="warning"'] },
      ],
    },
    receivers: [
      { name: 'slack-oncall', webhook_configs: [webhook(20)] },
      { name: 'email-team', webhook_configs: [webhook(100)] },
    ],
  };
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, JSON.stringify(config));
  alertmanager = await startAlertmanager({ configFile });
});

afterAll(async () => {
  await alertmanager?.stop();
  await relay?.stop();
  await slack?.close();
  await smtp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function postAlerts(alerts: unknown[]): Promise<void> {
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  expect(response.status).toBe(200);
}

const alert = (alertname: string, severity: string, endsAt?: string) => ({
  labels: { alertname, severity, service: 'order-service', instance: '127.0.0.1:9464' },
  annotations: {
    summary: `${alertname} fired.`,
    description: 'Heap used is 93% of the 448 MiB limit on 127.0.0.1:9464 <b>&</b>.',
    runbook_url: 'https://example.org/runbook#heap-near-limit',
  },
  generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up',
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  ...(endsAt ? { endsAt } : {}),
});

it('pages a critical alert in Slack and mails a warning in the digest, then posts the resolution', async () => {
  await postAlerts([alert('RelayE2ECritical', 'critical'), alert('RelayE2EWarning', 'warning')]);

  const page = await waitFor(() => slack.delivered().find((p) => JSON.stringify(p).includes('RelayE2ECritical')), { what: 'the Slack page', timeoutMs: 60_000 });
  const raw = JSON.stringify(page);
  expect((page as { text: string }).text).toContain('[FIRING:1] RelayE2ECritical (critical)');
  expect(raw).toContain('&lt;b&gt;&amp;&lt;/b&gt;'); // the description's markup escaped
  expect(raw).toContain(`<${alertmanager.url}/#/silences/new?filter=`); // the prefilled silence link, from externalURL
  expect(raw).toContain('|Runbook>');

  const mail = await waitFor(() => smtp.received.find((m) => (m.parsed.text ?? '').includes('RelayE2EWarning')), { what: 'the digest email', timeoutMs: 60_000 });
  expect(mail.parsed.subject).toMatch(/\[digest\] Digest: 1 firing, 0 resolved/);
  expect(mail.parsed.html).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
  expect(mail.to).toEqual(['team@example.org']);

  await postAlerts([alert('RelayE2ECritical', 'critical', new Date().toISOString())]);
  const resolved = await waitFor(() => slack.delivered().find((p) => JSON.stringify(p).includes('RelayE2ECritical') && (p as { text: string }).text.includes('[RESOLVED]')), {
    what: 'the resolved page',
    timeoutMs: 60_000,
  });
  expect((resolved as { attachments: Array<{ color: string }> }).attachments[0]!.color).toBe('#2EB67D');

  const { samples } = await scrape(relay.metricsUrl);
  expect(sumOf(samples, 'alert_relay_notifications_delivered_total', { channel: 'slack' })).toBeGreaterThanOrEqual(2);
  expect(sumOf(samples, 'alert_relay_notifications_delivered_total', { channel: 'email' })).toBeGreaterThanOrEqual(1);
  expect(sumOf(samples, 'alert_relay_webhooks_received_total', { outcome: 'unauthorized' })).toBe(0);
  expect(sumOf(samples, 'alert_relay_webhooks_received_total', { outcome: 'invalid' })).toBe(0);
});
