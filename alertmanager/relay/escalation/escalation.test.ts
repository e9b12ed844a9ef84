// Escalation in one relay: a critical page nobody acknowledges is re-paged in its thread and sent to the next
// step's destinations, step by step, then stops; they hear of the resolution; acknowledging or resolving stops it; warnings do not escalate.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackApiMessage, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/support/stand-ins/smtp-sink.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';

const botToken = 'xoxb-escalation-BOTSECRET';
const signingSecret = 'escalation-signing-SECRET';
const channel = 'C0PAGER';
let slack: SlackStandIn;
let smtp: SmtpSink;
let relay: InProcessRelay | undefined;

beforeAll(async () => {
  slack = await startSlackStandIn({ app: { botToken, channels: [channel], signingSecret } });
  smtp = await startSmtpSink();
});
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});
afterAll(async () => {
  await slack.close();
  await smtp.close();
});

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const start = (afterSeconds: number) =>
  startInProcessRelay({
    slackApp: { botToken, channel, apiUrl: slack.apiUrl },
    slackSigningSecret: signingSecret,
    smtp: { host: smtp.host, port: smtp.port },
    overrides: {
      receivers: {
        'slack-oncall': [{ slack: ['oncall'], escalation: { afterSeconds, steps: [{ email: ['team'] }, { email: ['team'] }] } }],
        watchdog: [],
      },
    },
  });

const parentOf = (alertname: string) => (): SlackApiMessage | undefined => slack.messages.find((m) => m.threadTs === undefined && JSON.stringify(m.versions[0]).includes(alertname));
const mailsOf = (alertname: string) => smtp.received.filter((m) => (m.parsed.subject ?? '').includes(alertname));
const threadIdOf = (r: InProcessRelay, parent: SlackApiMessage): number => r.relay.store.threadByMessage(parent.channel, parent.ts)!.id;

describe('escalation', () => {
  it('re-pages in the thread and notifies each step once when nobody acknowledges, then stops', async () => {
    relay = await start(0.5);
    expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'Unanswered' }))).status).toBe(200);
    const parent = await until(parentOf('Unanswered'), 'the page');
    const id = threadIdOf(relay, parent);
    await until(() => relay!.relay.store.escalationOf(id)?.state === 'done', 'both steps taken');
    await until(() => mailsOf('Unanswered').length === 2, 'the two escalation emails');
    expect(mailsOf('Unanswered').map((m) => m.parsed.subject)).toEqual([
      expect.stringMatching(/ESCALATED 1\/2: not acknowledged for \d+s: \[FIRING:1\] Unanswered/),
      expect.stringMatching(/ESCALATED 2\/2: not acknowledged for \d+s: \[FIRING:1\] Unanswered/),
    ]);
    const replies = await until(() => {
      const r = slack.messages.filter((m) => m.threadTs === parent.ts);
      return r.length === 2 && r;
    }, 'the two re-pages in the thread');
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining('ESCALATED 1/2'), expect.stringContaining('ESCALATED 2/2')]);
    // The resolution reaches the thread and, once, the destinations the incident was escalated to.
    expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'Unanswered', status: 'resolved' }))).status).toBe(200);
    await until(() => mailsOf('Unanswered').length === 3, 'the resolution email to the escalation list');
    expect(mailsOf('Unanswered')[2]!.parsed.subject).toMatch(/\[RESOLVED\] Unanswered/);
    await until(() => parent.text.includes('[RESOLVED]'), 'the parent resolved');
    const text = (await (await fetch(`${relay.relay.url}/metrics`)).text()).split('\n');
    expect(text).toContain('alert_relay_escalations_total{step="1"} 1');
    expect(text).toContain('alert_relay_escalations_total{step="2"} 1');
  });

  it('stops when acknowledged, or resolved, and never starts for a warning', async () => {
    relay = await start(3_600); // far away: only the stop is checked
    const post = (p: unknown) => postWebhook(relay!.webhookUrl, relay!.token, p);
    expect((await post(webhookPayload({ alertname: 'Answered' }))).status).toBe(200);
    const answered = await until(parentOf('Answered'), 'the page');
    expect(relay.relay.store.escalationOf(threadIdOf(relay, answered))?.state).toBe('pending');
    expect(await slack.pressButton({ url: `${relay.relay.url}/slack/interactions`, message: answered, actionId: 'incident_acknowledge', user: { id: 'U0BOB', username: 'bob' } })).toBe(200);
    await until(() => relay!.relay.store.escalationOf(threadIdOf(relay!, answered))?.state === 'stopped', 'escalation stopped by the acknowledgement');

    expect((await post(webhookPayload({ alertname: 'Cleared' }))).status).toBe(200);
    const cleared = await until(parentOf('Cleared'), 'the page');
    expect((await post(webhookPayload({ alertname: 'Cleared', status: 'resolved' }))).status).toBe(200);
    await until(() => relay!.relay.store.escalationOf(threadIdOf(relay!, cleared))?.state === 'stopped', 'escalation stopped by the resolution');

    expect((await post(webhookPayload({ alertname: 'JustAWarning', severity: 'warning' }))).status).toBe(200);
    const warning = await until(parentOf('JustAWarning'), 'the warning page');
    expect(relay.relay.store.escalationOf(threadIdOf(relay, warning))).toBeUndefined();
  });
});
