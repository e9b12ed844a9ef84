// On-call in Slack, end to end with a real Alertmanager (0.25): a critical alert pages in the Slack app's channel
// (the stand-in's Web API); Acknowledge and Silence 1h are pressed as Slack sends presses (signed); the silence
// appears in Alertmanager's API with the alert's labels as matchers, the user as creator and a link to the
// message; the alert is suppressed and stops paging while another keeps paging; removing the silence is told in
// the thread; forged, stale and replayed presses are refused 401 and counted; the resolution arrives in the
// firing message's thread and the parent shows RESOLVED.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcessRelay, type InProcessRelay } from './support/relay/in-process-relay.ts';
import { startAlertmanager, type AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { startSlackStandIn, type SlackApiMessage, type SlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

const botToken = 'xoxb-oncall-e2e-BOTTOKENSECRET';
const signingSecret = 'signing-secret-e2e-SIGNSECRET';
const channel = 'C0ONCALL';
const user = { id: 'U0ALICE', username: 'alice' };
let dir: string;
let slack: SlackStandIn;
let relay: InProcessRelay;
let alertmanager: AlertmanagerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-oncall-'));
  slack = await startSlackStandIn({ app: { botToken, channels: [channel], signingSecret } });
  // Alertmanager's port first: the relay creates silences through its API.
  const { freePort } = await import('../common/free-port.ts');
  const amPort = await freePort();
  relay = await startInProcessRelay({
    slackApp: { botToken, channel, apiUrl: slack.apiUrl },
    slackSigningSecret: signingSecret,
    // Every repeat of a notification is delivered (a reply in the thread), so "stops paging" is visible.
    dedupWindowSeconds: 0,
    overrides: { alertmanagerUrl: `http://127.0.0.1:${amPort}`, slackApp: { signingSecret: { file: 'slack-signing-secret' }, silencePollSeconds: 0.5 } },
  });
  const tokenFile = join(dir, 'relay-token');
  writeFileSync(tokenFile, relay.token);
  const config = {
    route: { receiver: 'slack-oncall', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '2s' },
    receivers: [{ name: 'slack-oncall', webhook_configs: [{ url: relay.webhookUrl, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials_file: tokenFile } } }] }],
  };
  writeFileSync(join(dir, 'alertmanager.yml'), JSON.stringify(config));
  alertmanager = await startAlertmanager({ configFile: join(dir, 'alertmanager.yml'), port: amPort });
});

afterAll(async () => {
  await alertmanager?.stop();
  await relay?.stop();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const labelsOf = (alertname: string) => ({ alertname, severity: 'critical', service: 'order-service', instance: '127.0.0.1:9464' });
async function fire(alertname: string, endsAt?: string): Promise<void> {
  const alert = {
    labels: labelsOf(alertname),
    annotations: { summary: `${alertname} fired.`, runbook_url: 'https://example.org/runbook#heap', dashboard_url: 'https://grafana.example.org/d/runtime' },
    generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up',
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    ...(endsAt ? { endsAt } : {}),
  };
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
  expect(response.status).toBe(200);
}

const messagesOf = (alertname: string): SlackApiMessage[] => slack.messages.filter((m) => JSON.stringify(m.versions[0]).includes(alertname));
const parentOf = (alertname: string) => () => messagesOf(alertname).find((m) => m.threadTs === undefined);
const repliesTo = (parent: SlackApiMessage) => slack.messages.filter((m) => m.threadTs === parent.ts);
const interactivityUrl = () => `${relay.relay.url}/slack/interactions`;
const metrics = async () => (await scrape(`${relay.relay.url}/metrics`)).samples;
interface AmSilence {
  id: string;
  createdBy: string;
  comment: string;
  status: { state: string };
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
}
const silences = async (): Promise<AmSilence[]> => (await (await fetch(`${alertmanager.url}/api/v2/silences`)).json()) as AmSilence[];

it('pages, acknowledges and silences from Slack buttons; the silence is in Alertmanager and the alert stops paging; resolved lands in the thread', async () => {
  await fire('OncallHeap');
  const parent = await waitFor(parentOf('OncallHeap'), { what: 'the page in the channel', timeoutMs: 60_000 });
  expect(parent.text).toContain('[FIRING:1] OncallHeap');
  const buttons = JSON.stringify(parent.blocks);
  for (const label of ['Acknowledge', 'Silence 1h', 'Silence 4h', 'Open runbook', 'Open dashboard']) expect(buttons).toContain(label);
  expect(buttons).toContain('"url":"https://example.org/runbook#heap"');

  // Tampered presses first: each refused 401, counted, and nothing done.
  for (const tamper of ['forged', 'stale'] as const) expect(await slack.pressButton({ url: interactivityUrl(), message: parent, actionId: 'incident_silence_1h', user, tamper })).toBe(401);
  const forgedUnsigned = await fetch(interactivityUrl(), { method: 'POST', body: 'payload={}' });
  expect(forgedUnsigned.status).toBe(401);

  // Acknowledge (pressed once more by accident: recorded once).
  expect(await slack.pressButton({ url: interactivityUrl(), message: parent, actionId: 'incident_acknowledge', user })).toBe(200);
  await waitFor(() => parent.text.includes('acknowledged by <@U0ALICE>'), { what: 'the parent showing the acknowledgement' });
  await waitFor(() => repliesTo(parent).some((r) => r.text.includes('Acknowledged by <@U0ALICE>')), { what: 'the acknowledgement in the thread' });
  expect(JSON.stringify(parent.blocks)).not.toContain('incident_acknowledge'); // the button is gone once pressed

  // Silence 1h, the same press replayed: the replay is refused.
  expect(await slack.pressButton({ url: interactivityUrl(), message: parent, actionId: 'incident_silence_1h', user, tamper: 'replayed' })).toBe(401);
  const silence = await waitFor(async () => (await silences()).find((s) => s.createdBy.includes('alice') && s.status.state === 'active'), { what: 'the silence in Alertmanager' });
  expect(silence.matchers.map(({ name, value, isRegex, isEqual }) => ({ name, value, isRegex, isEqual: isEqual ?? true })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
    Object.entries(labelsOf('OncallHeap'))
      .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
  expect(silence.createdBy).toBe('alice (Slack U0ALICE)');
  expect(silence.comment).toContain(`https://slack.com/archives/${channel}/p${parent.ts.replace('.', '')}`);
  expect((await silences()).filter((s) => s.createdBy.includes('alice'))).toHaveLength(1); // the replay made none
  await waitFor(() => repliesTo(parent).some((r) => r.text.includes('Silenced for 1h by <@U0ALICE>') && r.text.includes(silence.id)), { what: 'the silence in the thread' });

  // Alertmanager suppresses the alert, and stops paging it: another alert is paged and repeated meanwhile.
  await waitFor(
    async () => {
      const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname%3D%22OncallHeap%22`)).json()) as Array<{ status: { state: string; silencedBy: string[] } }>;
      return alerts[0]?.status.state === 'suppressed' && alerts[0].status.silencedBy.includes(silence.id);
    },
    { what: 'the alert suppressed by the silence' },
  );
  const heapMessages = messagesOf('OncallHeap').length;
  await fire('OncallMarker');
  const marker = await waitFor(parentOf('OncallMarker'), { what: 'the marker page', timeoutMs: 60_000 });
  await waitFor(() => repliesTo(marker).length >= 2, { what: 'two repeats of the marker (repeat_interval 2s)', timeoutMs: 60_000 });
  expect(messagesOf('OncallHeap').length).toBe(heapMessages);

  // The silence is removed early in Alertmanager: told in the thread.
  expect((await fetch(`${alertmanager.url}/api/v2/silence/${silence.id}`, { method: 'DELETE' })).status).toBe(200);
  await waitFor(() => repliesTo(parent).some((r) => r.text.includes(`Silence \`${silence.id}\` was removed early`)), { what: 'the removal told in the thread' });

  // Resolved: a reply in the firing message's thread, and the parent shows RESOLVED in green.
  await fire('OncallHeap', new Date().toISOString());
  await waitFor(() => repliesTo(parent).some((r) => r.text.includes('[RESOLVED]')), { what: 'the resolution in the thread', timeoutMs: 60_000 });
  await waitFor(() => parent.text.includes('[RESOLVED]'), { what: 'the parent showing RESOLVED' });
  expect((parent.attachments[0] as { color: string }).color).toBe('#2EB67D');
  expect(JSON.stringify(parent.blocks)).not.toContain('incident_silence_1h'); // no buttons on a resolved incident

  const samples = await metrics();
  expect(sumOf(samples, 'alert_relay_slack_interactions_total', { outcome: 'forged' })).toBe(1);
  expect(sumOf(samples, 'alert_relay_slack_interactions_total', { outcome: 'stale' })).toBe(1);
  expect(sumOf(samples, 'alert_relay_slack_interactions_total', { outcome: 'replayed' })).toBe(1);
  expect(sumOf(samples, 'alert_relay_slack_interactions_total', { outcome: 'missing' })).toBe(1);
  expect(sumOf(samples, 'alert_relay_slack_interactions_total', { outcome: 'accepted' })).toBe(2);
  expect(sumOf(samples, 'alert_relay_acknowledgements_total')).toBe(1);
  expect(sumOf(samples, 'alert_relay_time_to_acknowledge_seconds_count')).toBe(1);
  expect(sumOf(samples, 'alert_relay_silences_total', { outcome: 'created' })).toBe(1);
  const logs = relay.logs.join('\n');
  expect(logs).not.toContain('BOTTOKENSECRET');
  expect(logs).not.toContain('SIGNSECRET');
});
