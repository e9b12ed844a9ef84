// The relay process's lifecycle: SIGHUP reloads the config (an invalid one is refused and the running one kept),
// SIGTERM drains what it can and keeps the rest in the outbox for the next start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
