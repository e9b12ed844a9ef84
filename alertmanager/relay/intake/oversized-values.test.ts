// A valid page is never refused for its size below the body limit (a 400 makes Alertmanager drop it): over-long
// label and annotation values are cut with a visible "… (truncated)" and the page is delivered, to Slack within
// its limits and by email at a sane size. Real relay (in-process), real SMTP server, Slack stand-in.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slackPayloadError, startSlackStandIn, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/support/stand-ins/smtp-sink.ts';
import { waitFor } from '../../../common/wait-for.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import { truncatedMarker } from '../truncate-text.ts';

let slack: SlackStandIn;
let smtp: SmtpSink;
let relay: InProcessRelay;

beforeAll(async () => {
  slack = await startSlackStandIn();
  smtp = await startSmtpSink();
  // The default body limit (1 MiB): the payload below is far inside it.
  relay = await startInProcessRelay({ slackUrl: slack.url, smtp: { host: smtp.host, port: smtp.port }, emailMode: 'immediate', maxBodyBytes: 1_048_576 });
});
afterAll(async () => {
  await relay?.stop();
  await smtp?.close();
  await slack?.close();
});

it('delivers a page whose description, summary and a label are far over 64 KiB, cut and marked', async () => {
  const description = `Heap dump follows. ${'0123456789abcdef'.repeat(8 * 1024)}`; // 128 KiB
  const payload = webhookPayload({
    receiver: 'both',
    alerts: 3,
    sequence: 1,
    labels: { stack: 'x'.repeat(70 * 1024) },
    annotations: { summary: `Heap near limit ${'s'.repeat(20 * 1024)}`, description },
  });
  const body = JSON.stringify(payload);
  expect(body.length).toBeGreaterThan(600 * 1024);
  expect(body.length).toBeLessThan(1_048_576);

  const answer = await postWebhook(relay.webhookUrl, relay.token, payload);
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body).status).toBe('accepted');

  // Slack: the stand-in answers 200 only to a message within Slack's limits; the cut is marked.
  const page = await waitFor(() => slack.delivered().find((p) => JSON.stringify(p).includes('Heap near limit')), { what: 'the Slack page', timeoutMs: 30_000 });
  expect(slackPayloadError(page)).toBeUndefined();
  expect(JSON.stringify(page)).toContain(truncatedMarker);
  expect(slack.received.filter((r) => r.status !== 200)).toEqual([]);

  // Email: delivered, every alert's description and label cut and marked, a sane size.
  const mail = await waitFor(() => smtp.received.find((m) => (m.parsed.text ?? '').includes('Heap dump follows.')), { what: 'the email', timeoutMs: 30_000 });
  const text = mail.parsed.text ?? '';
  expect(text.split('Heap dump follows.')).toHaveLength(4); // all three alerts shown
  expect(text.split(truncatedMarker).length - 1).toBeGreaterThanOrEqual(9); // summary, description, label, per alert
  expect(mail.raw.length).toBeLessThan(200 * 1024);
  expect(relay.relay.store.deadLetters()).toEqual([]);
});
