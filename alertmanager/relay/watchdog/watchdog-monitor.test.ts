// The dead man's switch: no heartbeat from Alertmanager's Watchdog within the limit pages on-call; the heartbeat's
// return resolves it; the state survives in the outbox.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { parsePrometheusText, sumOf } from '../../../test/support/prometheus-text.ts';
import { waitFor } from '../../../common/wait-for.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import { watchdogAlertName } from './watchdog-monitor.ts';

let slack: SlackStandIn;
let relay: InProcessRelay;

beforeAll(async () => {
  slack = await startSlackStandIn();
  relay = await startInProcessRelay({ slackUrl: slack.url, overrides: { watchdog: { receiver: 'watchdog', missingAfterSeconds: 1, slack: ['oncall'] } } });
});
afterAll(async () => {
  await relay?.stop();
  await slack?.close();
});

const pages = (status: 'FIRING' | 'RESOLVED'): unknown[] =>
  slack.delivered().filter((p) => (p as { text: string }).text.includes(watchdogAlertName) && (p as { text: string }).text.includes(status === 'FIRING' ? '[FIRING:1]' : '[RESOLVED]'));

it('pages when the Watchdog heartbeat stops arriving, and resolves when it is back', async () => {
  const firing = await waitFor(() => pages('FIRING')[0], { what: 'the missing-heartbeat page' });
  expect(JSON.stringify(firing)).toContain('no other alert will page');
  expect(pages('RESOLVED')).toHaveLength(0);

  const heartbeat = webhookPayload({ receiver: 'watchdog', alertname: 'Watchdog', severity: 'none' });
  expect((await postWebhook(relay.webhookUrl, relay.token, heartbeat)).status).toBe(200);
  await waitFor(() => pages('RESOLVED').length === 1, { what: 'the resolution' });
  // One alarm per outage: exactly one firing page before the resolution (the check runs several times a second).
  const texts = slack.delivered().map((p) => (p as { text: string }).text).filter((t) => t.includes(watchdogAlertName));
  const resolvedAt = texts.findIndex((t) => t.includes('[RESOLVED]'));
  expect(texts.slice(0, resolvedAt).filter((t) => t.includes('[FIRING:1]'))).toHaveLength(1);
  const text = await relay.relay.metrics.registry.metrics();
  expect(sumOf(parsePrometheusText(text), 'alert_relay_watchdog_last_heartbeat_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
});
