// Escalation survives SIGKILL and never takes a step twice: a real Alertmanager pages through the relay process
// (real, as `npm start` runs it), which is killed right after the page, again while the first escalation email is held up by the mail server (the step
// taken, its email still in the outbox), and again after the second email went out. Each step's email arrives
// exactly once, the outbox shows each step stored once and the escalation done.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writeTestRelayConfig } from './support/relay/relay-config-file.ts';
import { startAlertmanager } from '../stack/alertmanager-process.ts';
import { freePort } from '../common/free-port.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { startSlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { startSmtpSink } from './support/stand-ins/smtp-sink.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const clean of cleanups.reverse()) await clean();
});

it('escalates each step exactly once across relay SIGKILLs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-escalation-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const botToken = 'xoxb-crash-BOTSECRET';
  const slack = await startSlackStandIn({ app: { botToken, channels: ['C0PAGER'] } });
  cleanups.push(() => slack.close());
  const smtp = await startSmtpSink();
  cleanups.push(() => smtp.close());
  const token = 'escalation-crash-token-0123456789';
  const port = await freePort();
  const configFile = writeTestRelayConfig({
    dir,
    tokens: [token],
    slackApp: { botToken, channel: 'C0PAGER', apiUrl: slack.apiUrl },
    smtp: { host: smtp.host, port: smtp.port },
    overrides: {
      receivers: { 'slack-oncall': [{ slack: ['oncall'], escalation: { afterSeconds: 3, steps: [{ email: ['team'] }, { email: ['team'] }] } }], watchdog: [] },
      logLevel: 'warn',
    },
  });
  const start = (): Promise<RelayProcess> => startRelay({ configFile, port, outboxDir: dir, bearerToken: token, env: { LOG_LEVEL: 'warn' } });
  let relay = await start();
  cleanups.push(() => relay.stop());
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => sumOf((await scrape(relay.metricsUrl)).samples, name, labels);
  const escalationMails = (step: number) => smtp.received.filter((m) => (m.parsed.subject ?? '').includes(`ESCALATED ${step}/2`));

  // Alertmanager pages the relay on its fixed port (and retries while the relay is down).
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    JSON.stringify({
      route: { receiver: 'slack-oncall', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [{ name: 'slack-oncall', webhook_configs: [{ url: relay.webhookUrl, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials_file: relay.tokenFile } } }] }],
    }),
  );
  const alertmanager = await startAlertmanager({ configFile: join(dir, 'alertmanager.yml') });
  cleanups.push(() => alertmanager.stop());
  const fired = await fetch(`${alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ labels: { alertname: 'NobodyHome', severity: 'critical', service: 'order-service', instance: '127.0.0.1:9464' }, annotations: { summary: 'Nobody is home.' }, generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up' }]),
  });
  expect(fired.status).toBe(200);
  await waitFor(() => slack.messages.find((m) => m.text.includes('NobodyHome')), { what: 'the page', timeoutMs: 60_000 });
  // Kill 1: the escalation is only scheduled. (After the page is recorded as delivered: a kill between Slack's
  // answer and that commit would post the page twice, the in-flight window relay-crash-safety.test.ts covers.)
  await waitFor(async () => (await metric('alert_relay_notifications_delivered_total', { channel: 'slack' })) >= 1, { what: 'the page recorded as delivered' });
  await relay.kill();
  relay = await start();

  // Kill 2: step 1 taken, its email refused for now (421) and waiting in the outbox.
  smtp.setOutage({ stage: 'mail', code: 421 });
  await waitFor(async () => (await metric('alert_relay_notifications_failed_total', { channel: 'email' })) >= 1, { what: 'the step-1 email tried', timeoutMs: 60_000 });
  expect(await metric('alert_relay_escalations_total', { step: '1' })).toBe(1);
  // (The step's re-page in the thread is recorded first, so the kill lands in the email's wait, not in a send.)
  await waitFor(async () => (await metric('alert_relay_notifications_delivered_total', { channel: 'slack' })) >= 1, { what: 'the step-1 re-page delivered' });
  await relay.kill();
  smtp.setOutage(undefined);
  relay = await start();

  await waitFor(() => escalationMails(1).length >= 1, { what: 'the step-1 email', timeoutMs: 60_000 });
  await waitFor(() => escalationMails(2).length >= 1, { what: 'the step-2 email', timeoutMs: 60_000 });
  // Kill 3: after the step-2 email is recorded as delivered.
  await waitFor(async () => (await metric('alert_relay_notifications_delivered_total', { channel: 'email' })) >= 1 && escalationMails(2).length >= 1, { what: 'delivery recorded' });
  await waitFor(async () => (await metric('alert_relay_outbox_depth')) === 0, { what: 'the outbox drained' });
  await relay.kill();
  relay = await start();
  await waitFor(async () => (await metric('alert_relay_outbox_depth')) === 0, { what: 'the outbox drained after the restart' });
  await relay.stop();

  expect(escalationMails(1)).toHaveLength(1);
  expect(escalationMails(2)).toHaveLength(1);
  const db = new DatabaseSync(join(dir, 'outbox.sqlite'), { readOnly: true });
  try {
    const steps = db.prepare(`SELECT json_extract(payload, '$.escalation.step') AS step, count(*) AS n FROM notifications WHERE json_extract(payload, '$.escalation.step') IS NOT NULL GROUP BY step ORDER BY step`).all();
    expect(steps).toEqual([
      { step: 1, n: 1 },
      { step: 2, n: 1 },
    ]);
    expect(db.prepare('SELECT next_step, state FROM escalations').all()).toEqual([{ next_step: 3, state: 'done' }]);
  } finally {
    db.close();
  }
  // The re-pages went to the page's thread, once per step.
  const parent = slack.messages.find((m) => m.threadTs === undefined && m.versions[0]!.text.includes('NobodyHome'))!;
  expect(slack.messages.filter((m) => m.threadTs === parent.ts).map((m) => /ESCALATED (\d)\/2/.exec(m.text)?.[1])).toEqual(['1', '2']);
});
