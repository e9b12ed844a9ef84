// The relay process's lifecycle: SIGHUP reloads the config (an invalid one is refused and the running one kept),
// SIGTERM drains what it can and keeps the rest in the outbox for the next start; while it stops it keeps
// listening, answering new webhooks and /readyz 503 with Retry-After and finishing the requests in flight.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writeTestRelayConfig } from './support/relay/relay-config-file.ts';
import { postWebhook, webhookPayload } from './support/relay/webhook-fixtures.ts';
import { freePort } from '../common/free-port.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { startSlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const clean of cleanups.reverse()) await clean();
});

it('reloads on SIGHUP, keeps the old config when the new one is invalid, and keeps undelivered work across SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-reload-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const slack = await startSlackStandIn();
  cleanups.push(() => slack.close());
  const port = await freePort();
  const oldToken = 'old-token-0123456789';
  const newToken = 'new-token-9876543210';
  const configFile = writeTestRelayConfig({ dir, tokens: [oldToken], slackUrl: slack.url });
  const start = (): Promise<RelayProcess> => startRelay({ configFile, port, outboxDir: dir, bearerToken: oldToken, env: { LOG_LEVEL: 'info' } });
  let relay = await start();
  cleanups.push(() => relay.stop());
  expect((await postWebhook(relay.webhookUrl, oldToken, webhookPayload({ sequence: 1 }))).status).toBe(200);

  // An invalid config (an inline secret): refused, logged with the key, the running config kept.
  writeFileSync(configFile, `auth:\n  bearerTokens: ["${newToken}"]\noutbox: { path: outbox.sqlite }\nreceivers: {}\n`);
  relay.process.child.kill('SIGHUP');
  await waitFor(() => relay.process.output().includes('config reload failed'), { what: 'the reload error in the log' });
  expect(relay.process.output()).toContain('auth.bearerTokens.0');
  expect(relay.process.output()).not.toContain(newToken);
  expect((await postWebhook(relay.webhookUrl, oldToken, webhookPayload({ sequence: 2 }))).status).toBe(200);

  // A valid config with a new token: the new token is accepted, the old one no longer.
  writeTestRelayConfig({ dir, tokens: [newToken], slackUrl: slack.url });
  relay.process.child.kill('SIGHUP');
  await waitFor(async () => (await postWebhook(relay.webhookUrl, newToken, webhookPayload({ sequence: 3 }))).status === 200, { what: 'the new token accepted' });
  expect((await postWebhook(relay.webhookUrl, oldToken, webhookPayload({ sequence: 4 }))).status).toBe(401);
  await waitFor(() => slack.delivered().length === 3, { what: 'three pages delivered' });

  // SIGTERM while Slack is down: the relay stops within its grace period, the page stays in the outbox...
  slack.setOutage({ status: 503 });
  expect((await postWebhook(relay.webhookUrl, newToken, webhookPayload({ sequence: 5 }))).status).toBe(200);
  await waitFor(() => slack.received.some((r) => r.status === 503), { what: 'a failed attempt' });
  const exit = relay.process.stop(30_000);
  expect(await exit).toBe(0);
  expect(relay.process.output()).toContain('alert relay stopped');

  // ...and is delivered, once, by the next start.
  slack.setOutage(undefined);
  relay = await start();
  await waitFor(() => slack.delivered().length === 4, { what: 'the kept page delivered after the restart' });
  const sequences = slack.delivered().map((p) => Number(/\*sequence\*\\n(\d+)/.exec(JSON.stringify(p))?.[1]));
  expect(sequences).toEqual([1, 2, 3, 5]);
  await waitFor(async () => sumOf((await scrape(relay.metricsUrl)).samples, 'alert_relay_outbox_depth') === 0, { what: 'the outbox empty' });
});

/**
 * A webhook whose headers the relay has taken (it answered 100 Continue, so its handler runs) but whose body is
 * still to come: a request in flight, for as long as the test wants.
 */
async function startWebhookInFlight(url: string, token: string, body: string): Promise<{ finish(): Promise<{ status: number; body: string }> }> {
  const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  response.catch(() => {}); // awaited in finish()
  req.flushHeaders();
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
  });
  return {
    async finish() {
      req.end(body);
      const answer = await response;
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      return { status: answer.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
    },
  };
}

it('keeps listening while it stops: 503 with Retry-After to new webhooks and /readyz, requests in flight answered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-shutdown-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const slack = await startSlackStandIn();
  cleanups.push(() => slack.close());
  const port = await freePort();
  const token = 'shutdown-token-0123456789';
  // A long grace period, so the shutdown lasts as long as the request in flight keeps it busy (the test decides).
  const configFile = writeTestRelayConfig({ dir, tokens: [token], slackUrl: slack.url, overrides: { delivery: { backoffBaseSeconds: 0.05, backoffMaxSeconds: 0.5, shutdownGraceSeconds: 60 } } });
  const start = (): Promise<RelayProcess> => startRelay({ configFile, port, outboxDir: dir, bearerToken: token, env: { LOG_LEVEL: 'info' } });
  let relay = await start();
  cleanups.push(() => relay.stop());
  expect((await postWebhook(relay.webhookUrl, token, webhookPayload({ sequence: 1 }))).status).toBe(200);
  await waitFor(() => slack.delivered().length === 1, { what: 'the first page delivered' });

  const inFlight = await startWebhookInFlight(relay.webhookUrl, token, JSON.stringify(webhookPayload({ sequence: 2 })));
  relay.process.child.kill('SIGTERM');

  // /readyz turns 503 once the signal is handled; a refused connection fails the test at once.
  const readyz = await waitFor(
    async () => {
      try {
        const response = await fetch(`${relay.url}/readyz`);
        return response.status === 200 ? undefined : { status: response.status, retryAfter: response.headers.get('retry-after') };
      } catch (error) {
        return { status: 0, retryAfter: null, error: String((error as Error).cause ?? error) };
      }
    },
    { what: '/readyz to answer 503 after SIGTERM' },
  );
  expect(readyz).toEqual({ status: 503, retryAfter: '5' });

  const refused = await fetch(relay.webhookUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(webhookPayload({ sequence: 3 })) });
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect((await refused.json()) as unknown).toEqual({ error: 'shutting down, retry later' });

  // The webhook that arrived before the signal is stored and answered; then the relay stops.
  const answered = await inFlight.finish();
  expect(answered).toEqual({ status: 200, body: JSON.stringify({ status: 'accepted' }) });
  expect(await relay.process.exited).toBe(0);
  expect(relay.process.output()).toContain('alert relay stopped');

  // Its page is delivered once (the drain was over: it waited in the outbox for the next start); the refused one
  // was never taken (Alertmanager sends it again).
  relay = await start();
  await waitFor(() => slack.delivered().length === 2, { what: 'the in-flight page delivered after the restart' });
  await waitFor(async () => sumOf((await scrape(relay.metricsUrl)).samples, 'alert_relay_outbox_depth') === 0, { what: 'the outbox empty' });
  const sequences = slack.delivered().map((p) => Number(/\*sequence\*\\n(\d+)/.exec(JSON.stringify(p))?.[1]));
  expect(sequences).toEqual([1, 2]);
});
