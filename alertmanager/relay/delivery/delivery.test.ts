// Delivery against the Slack stand-in and a real SMTP server: what is retried, what is final, exactly once, in order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/support/stand-ins/smtp-sink.ts';
import { parsePrometheusText, sumOf } from '../../../test/support/prometheus-text.ts';
import { waitFor } from '../../../common/wait-for.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload, type FixtureOptions } from '../../../test/support/relay/webhook-fixtures.ts';

let slack: SlackStandIn;
let smtp: SmtpSink;
const running: InProcessRelay[] = [];

beforeAll(async () => {
  slack = await startSlackStandIn();
  smtp = await startSmtpSink();
});
afterEach(async () => {
  slack.setOutage(undefined);
  smtp.setOutage(undefined);
  smtp.rejectRecipients(undefined);
  await Promise.all(running.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await slack?.close();
  await smtp?.close();
});

async function relayWith(options: Parameters<typeof startInProcessRelay>[0] = {}): Promise<InProcessRelay> {
  const relay = await startInProcessRelay({ slackUrl: slack.url, smtp: { host: smtp.host, port: smtp.port }, ...options });
  running.push(relay);
  return relay;
}

async function send(relay: InProcessRelay, options: FixtureOptions): Promise<void> {
  const answer = await postWebhook(relay.webhookUrl, relay.token, webhookPayload(options));
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body).status).toBe('accepted');
}

async function metric(relay: InProcessRelay, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumOf(parsePrometheusText(await relay.relay.metrics.registry.metrics()), name, labels);
}

/** The `sequence` label of each Slack message that reached the channel (and only for this test's alert name). */
function slackSequences(alertname: string): number[] {
  return slack
    .delivered()
    .map((p) => JSON.stringify(p))
    .filter((t) => t.includes(alertname))
    .map((t) => Number(/\*sequence\*\\n(\d+)/.exec(t)?.[1]));
}

function mailsFor(alertname: string): typeof smtp.received {
  return smtp.received.filter((m) => (m.parsed.text ?? '').includes(alertname));
}

const drained = (relay: InProcessRelay) => async () => relay.relay.store.totalPending() === 0;

describe('Slack answers', () => {
  it('waits out 429 Retry-After and delivers once', async () => {
    const relay = await relayWith();
    slack.script({ status: 429, retryAfterSeconds: 1 });
    await send(relay, { alertname: 'SlackRateLimited', sequence: 1 });
    await waitFor(() => slackSequences('SlackRateLimited').length === 1, { what: 'the page after the 429' });
    await waitFor(drained(relay), { what: 'outbox drained' });
    const attempts = slack.received.filter((r) => r.raw.includes('SlackRateLimited'));
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    // Retry-After was honoured: the second attempt came no earlier than the server asked.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(await metric(relay, 'alert_relay_notifications_failed_total', { channel: 'slack', reason: 'rate_limited' })).toBe(1);
    expect(await metric(relay, 'alert_relay_rate_limit_waits_total', { channel: 'slack' })).toBeGreaterThanOrEqual(1);
    expect(await metric(relay, 'alert_relay_notifications_delivered_total', { channel: 'slack' })).toBe(1);
  });

  it('retries 5xx and dropped connections, then delivers once', async () => {
    const relay = await relayWith();
    slack.script({ status: 500 }, { status: 503 }, { status: 200, dropConnection: true });
    await send(relay, { alertname: 'SlackFlaky', sequence: 1 });
    await waitFor(() => slackSequences('SlackFlaky').length === 1, { what: 'the page after the failures' });
    await waitFor(drained(relay), { what: 'outbox drained' });
    expect(slackSequences('SlackFlaky')).toEqual([1]);
    expect(await metric(relay, 'alert_relay_notifications_failed_total', { channel: 'slack', reason: 'server_error' })).toBe(2);
    expect(await metric(relay, 'alert_relay_notifications_failed_total', { channel: 'slack', reason: 'network' })).toBe(1);
    expect(await metric(relay, 'alert_relay_dead_letters_total')).toBe(0);
  });

  it('keeps 400 invalid_payload and 404 channel_not_found as dead letters, and the queue moves on', async () => {
    const relay = await relayWith();
    slack.script({ status: 400, body: 'invalid_payload' }, { status: 404, body: 'channel_not_found' });
    await send(relay, { alertname: 'SlackFinal', sequence: 1 });
    await send(relay, { alertname: 'SlackFinal', sequence: 2 });
    await send(relay, { alertname: 'SlackFinal', sequence: 3 });
    await waitFor(() => slackSequences('SlackFinal').length === 1, { what: 'the third page' });
    await waitFor(drained(relay), { what: 'outbox drained' });
    expect(slackSequences('SlackFinal')).toEqual([3]);
    const dead = relay.relay.store.deadLetters();
    expect(dead.map((d) => d.reason.split(':')[0])).toEqual(['invalid_payload', 'channel_not_found']);
    expect(await metric(relay, 'alert_relay_dead_letters_total', { channel: 'slack', reason: 'invalid_payload' })).toBe(1);
    expect(await metric(relay, 'alert_relay_dead_letters_total', { channel: 'slack', reason: 'channel_not_found' })).toBe(1);
    // Only one attempt each: a final error is not retried.
    expect(slack.received.filter((r) => r.raw.includes('SlackFinal'))).toHaveLength(3);
    expect(relay.logs.some((l) => l.includes('dead letter'))).toBe(true);
  });
});

describe('SMTP answers', () => {
  it('retries 4yz replies and delivers once', async () => {
    const relay = await relayWith();
    smtp.failNext({ stage: 'rcpt', code: 451 }, { stage: 'data', code: 452 });
    await send(relay, { receiver: 'email-team', alertname: 'MailTemporary', sequence: 1 });
    await waitFor(() => mailsFor('MailTemporary').length === 1, { what: 'the email after two 4yz' });
    await waitFor(drained(relay), { what: 'outbox drained' });
    expect(mailsFor('MailTemporary')).toHaveLength(1);
    expect(await metric(relay, 'alert_relay_notifications_failed_total', { channel: 'email', reason: 'smtp_4xx' })).toBe(2);
  });

  it('keeps 5yz replies and all-recipients-rejected as dead letters', async () => {
    const relay = await relayWith();
    smtp.failNext({ stage: 'data', code: 554 });
    await send(relay, { receiver: 'email-team', alertname: 'MailPermanent', sequence: 1 });
    await waitFor(async () => (await metric(relay, 'alert_relay_dead_letters_total', { channel: 'email', reason: 'smtp_5xx' })) === 1, { what: 'a 5yz dead letter' });
    smtp.rejectRecipients(/@example\.org$/);
    await send(relay, { receiver: 'email-team', alertname: 'MailPermanent', sequence: 2 });
    await waitFor(async () => (await metric(relay, 'alert_relay_dead_letters_total', { channel: 'email', reason: 'recipients_rejected' })) === 1, { what: 'a rejected-recipients dead letter' });
    smtp.rejectRecipients(undefined);
    await send(relay, { receiver: 'email-team', alertname: 'MailPermanent', sequence: 3 });
    await waitFor(() => mailsFor('MailPermanent').length === 1, { what: 'the third email' });
    expect(mailsFor('MailPermanent')[0]!.parsed.text).toContain('sequence: 3');
  });

  it('keeps an authentication failure as a dead letter, and never logs the password', async () => {
    const authSink = await startSmtpSink({ auth: { user: 'relay', pass: 'the-right-password' } });
    try {
      const relay = await startInProcessRelay({ smtp: { host: authSink.host, port: authSink.port, user: 'relay', password: 'a-wrong-password-42' } });
      running.push(relay);
      await send(relay, { receiver: 'email-team', alertname: 'MailAuth', sequence: 1 });
      await waitFor(async () => (await metric(relay, 'alert_relay_dead_letters_total', { channel: 'email', reason: 'auth' })) === 1, { what: 'an auth dead letter' });
      expect(relay.logs.join('\n')).not.toContain('a-wrong-password-42');
      expect(JSON.stringify(relay.relay.store.deadLetters())).not.toContain('a-wrong-password-42');
    } finally {
      await authSink.close();
    }
  });
});

describe('email content', () => {
  it('sends multipart HTML and text, HTML-escaped, with stable Message-IDs and one thread per alert group', async () => {
    const relay = await relayWith();
    const hostile = '<script>alert("x")</script> & <!channel>';
    await send(relay, { receiver: 'email-team', alertname: 'MailContent', sequence: 1, labels: { pod: hostile }, annotations: { description: hostile } });
    await send(relay, { receiver: 'email-team', alertname: 'MailContent', sequence: 1, status: 'resolved' });
    await waitFor(() => mailsFor('MailContent').length === 2, { what: 'firing and resolved emails' });
    const [firing, resolved] = mailsFor('MailContent');
    expect(firing!.parsed.html).toBeTruthy();
    expect(firing!.parsed.text).toContain(hostile); // plain text carries the value as it is
    expect(firing!.parsed.html).not.toContain('<script>');
    expect(firing!.parsed.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!channel&gt;');
    expect(firing!.parsed.html).toContain('href="https://example.org/runbook#heap-near-limit"');
    expect(firing!.parsed.subject).toContain('[FIRING:1] MailContent');
    expect(resolved!.parsed.subject).toContain('[RESOLVED] MailContent');
    expect(firing!.parsed.messageId).not.toBe(resolved!.parsed.messageId);
    expect(firing!.parsed.messageId).toMatch(/^<notification\.[0-9a-f]+@example\.org>$/);
    expect(firing!.parsed.inReplyTo).toBe(resolved!.parsed.inReplyTo);
    expect(firing!.parsed.references).toEqual(resolved!.parsed.references);
  });

  it('collects a digest destination into one email per interval with counts and a timeline', async () => {
    const relay = await relayWith({ emailMode: 'digest', digestIntervalSeconds: 2 });
    for (let i = 1; i <= 3; i++) await send(relay, { receiver: 'email-team', alertname: 'MailDigest', sequence: i });
    await send(relay, { receiver: 'email-team', alertname: 'MailDigest', sequence: 1, status: 'resolved' });
    await waitFor(() => mailsFor('MailDigest').length === 1, { what: 'the digest' });
    await waitFor(drained(relay), { what: 'outbox drained' });
    const digest = mailsFor('MailDigest')[0]!;
    expect(mailsFor('MailDigest')).toHaveLength(1);
    expect(digest.parsed.subject).toContain('3 firing, 1 resolved in 4 notifications');
    expect(digest.parsed.text).toContain('Timeline');
    for (let i = 1; i <= 3; i++) expect(digest.parsed.text).toContain(`sequence: ${i}`);
    expect(await metric(relay, 'alert_relay_notifications_delivered_total', { channel: 'email' })).toBe(4);
  });
});

describe('outages', () => {
  it('delivers everything after a Slack 429 storm and an SMTP outage: once, in order per group', async () => {
    const relay = await relayWith({ slackRatePerSecond: 20, slackBurst: 5 });
    slack.setOutage({ status: 429, retryAfterSeconds: 1 });
    smtp.setOutage({ stage: 'mail', code: 421, message: 'Service not available' });
    const groups = ['StormA', 'StormB', 'StormC'];
    for (let i = 1; i <= 4; i++) for (const g of groups) await send(relay, { receiver: 'both', alertname: g, sequence: i });
    await waitFor(async () => (await metric(relay, 'alert_relay_notifications_failed_total', { channel: 'slack', reason: 'rate_limited' })) >= 2 && (await metric(relay, 'alert_relay_notifications_failed_total', { channel: 'email', reason: 'smtp_4xx' })) >= 2, { what: 'failed attempts during the outage' });
    expect(slack.delivered().filter((p) => JSON.stringify(p).includes('Storm'))).toHaveLength(0);
    slack.setOutage(undefined);
    smtp.setOutage(undefined);
    await waitFor(drained(relay), { what: 'everything delivered after recovery', timeoutMs: 60_000 });
    for (const g of groups) {
      expect(slackSequences(g)).toEqual([1, 2, 3, 4]);
      expect(mailsFor(g).map((m) => Number(/sequence: (\d+)/.exec(m.parsed.text ?? '')?.[1]))).toEqual([1, 2, 3, 4]);
    }
    expect(await metric(relay, 'alert_relay_dead_letters_total')).toBe(0);
  });
});
