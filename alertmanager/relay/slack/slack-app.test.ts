// Slack app mode against the stand-in's Web API: one thread per incident, the parent updated to the group's
// latest state, threading kept across a restart, Slack's errors classified, the bot token never logged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackApiMessage, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';

const botToken = 'xoxb-1234-5678-SECRETBOTTOKEN';
const channel = 'C0ONCALL';
let slack: SlackStandIn;
let relay: InProcessRelay | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  slack = await startSlackStandIn({ app: { botToken, channels: [channel] } });
});
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});
afterAll(async () => {
  await slack.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const start = (options: { token?: string; channel?: string; dir?: string } = {}) =>
  startInProcessRelay({ slackApp: { botToken: options.token ?? botToken, channel: options.channel ?? channel, apiUrl: slack.apiUrl }, ...(options.dir ? { dir: options.dir } : {}) });

const messagesOf = (alertname: string): SlackApiMessage[] => slack.messages.filter((m) => JSON.stringify(m.versions[0]).includes(alertname));
const deadLetters = (r: InProcessRelay) => r.relay.store.deadLetters();

describe('Slack app mode', () => {
  it('posts the first notification, threads the later ones and updates the parent, RESOLVED in green at the end', async () => {
    relay = await start();
    const post = (p: unknown) => postWebhook(relay!.webhookUrl, relay!.token, p);
    const firing = webhookPayload({ alertname: 'Threaded', alerts: 1 });
    expect((await post(firing)).status).toBe(200);
    const parent = await until(() => messagesOf('Threaded')[0], 'the parent message');
    expect(parent.threadTs).toBeUndefined();
    expect(parent.text).toContain('[FIRING:1] Threaded');

    expect((await post({ ...webhookPayload({ alertname: 'Threaded', alerts: 2 }) })).status).toBe(200);
    await until(() => messagesOf('Threaded').length === 2 && parent.versions.length === 2, 'the reply and the parent update');
    expect(messagesOf('Threaded')[1]!.threadTs).toBe(parent.ts);
    expect(parent.text).toContain('[FIRING:2] Threaded');

    expect((await post(webhookPayload({ alertname: 'Threaded', alerts: 2, status: 'resolved' }))).status).toBe(200);
    await until(() => messagesOf('Threaded').length === 3 && parent.versions.length === 3, 'the resolved reply and the parent update');
    const resolvedReply = messagesOf('Threaded')[2]!;
    expect(resolvedReply.threadTs).toBe(parent.ts);
    expect(resolvedReply.text).toContain('[RESOLVED]');
    expect(parent.text).toContain('[RESOLVED]');
    expect(JSON.stringify(parent.blocks[0])).toContain('RESOLVED');
    expect((parent.attachments[0] as { color: string }).color).toBe('#2EB67D');

    // The group fires again later: a new incident, a new parent.
    expect((await post(webhookPayload({ alertname: 'Threaded', alerts: 1, sequence: 2 }))).status).toBe(200);
    const second = await until(() => messagesOf('Threaded')[3], 'the new incident');
    expect(second.threadTs).toBeUndefined();
    expect(deadLetters(relay)).toEqual([]);
  });

  it('keeps threading across a restart (the parent ts is in the outbox)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slack-app-restart-'));
    dirs.push(dir);
    relay = await start({ dir });
    expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'Restarted' }))).status).toBe(200);
    const parent = await until(() => messagesOf('Restarted')[0], 'the parent');
    await relay.stop();
    relay = await start({ dir });
    expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'Restarted', status: 'resolved' }))).status).toBe(200);
    const reply = await until(() => messagesOf('Restarted')[1], 'the resolved reply after the restart');
    expect(reply.threadTs).toBe(parent.ts);
    await until(() => parent.text.includes('[RESOLVED]'), 'the parent updated after the restart');
  });

  it('waits out ratelimited (429 Retry-After), retries a failed parent update without posting the reply twice', async () => {
    relay = await start();
    const post = (p: unknown) => postWebhook(relay!.webhookUrl, relay!.token, p);
    slack.scriptApi({ retryAfterSeconds: 1 });
    expect((await post(webhookPayload({ alertname: 'Paced' }))).status).toBe(200);
    const parent = await until(() => messagesOf('Paced')[0], 'the parent after the 429');
    const calls = slack.apiCalls.filter((c) => JSON.stringify(c.args).includes('Paced'));
    expect(calls.map((c) => [c.status, c.answer.error])).toEqual([
      [429, 'ratelimited'],
      [200, undefined],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900); // Retry-After honoured

    // The reply goes out, then chat.update fails (internal_error): the retry only updates the parent.
    const before = slack.apiCalls.length;
    slack.scriptApi({ pass: true }, { error: 'internal_error' });
    expect((await post(webhookPayload({ alertname: 'Paced', status: 'resolved' }))).status).toBe(200);
    await until(() => parent.text.includes('[RESOLVED]'), 'the parent updated on retry');
    const later = slack.apiCalls.slice(before).map((c) => c.method);
    expect(later.filter((m) => m === 'chat.postMessage')).toHaveLength(1);
    expect(messagesOf('Paced').filter((m) => m.threadTs === parent.ts)).toHaveLength(1);
    expect(deadLetters(relay)).toEqual([]);
  });

  it('dead-letters what cannot succeed (invalid_auth, channel_not_found) and never logs the bot token', async () => {
    relay = await start({ token: 'xoxb-wrong-token-SECRETWRONG' });
    expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'BadAuth' }))).status).toBe(200);
    await until(() => deadLetters(relay!).length === 1, 'the dead letter');
    expect(deadLetters(relay)[0]!.reason).toMatch(/^invalid_auth/);
    expect(relay.logs.join('\n')).not.toContain('SECRETWRONG');
    await relay.stop();
    relay = await start({ channel: 'C0NOWHERE' });
    expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'NoChannel' }))).status).toBe(200);
    await until(() => deadLetters(relay!).length === 1, 'the dead letter');
    expect(deadLetters(relay)[0]!.reason).toMatch(/^channel_not_found/);
    expect(relay.logs.join('\n')).not.toContain('SECRETBOTTOKEN');
  });
});
