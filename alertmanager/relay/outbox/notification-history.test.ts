// GET /api/v1/notifications: the relay's history for incident reports, behind the webhook's bearer token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/wait-for.ts';
import { startSlackStandIn, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import type { NotificationRecord } from './notification-history.ts';

let slack: SlackStandIn;
let relay: InProcessRelay;
let before: number;

beforeAll(async () => {
  slack = await startSlackStandIn();
  relay = await startInProcessRelay({ slackUrl: slack.url });
  before = Date.now();
  expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'NodeDBPoolExhausted', sequence: 1 }))).status).toBe(200);
  expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ alertname: 'NodeDBPoolExhausted', status: 'resolved', sequence: 1 }))).status).toBe(200);
  await waitFor(() => slack.received.length >= 2, { what: 'both notifications in Slack' });
});

afterAll(async () => {
  await relay?.stop();
  await slack?.close();
});

/** token null: no Authorization header. */
const history = (query: string, token: string | null = relay.token): Promise<Response> =>
  fetch(`${relay.relay.url}/api/v1/notifications?${query}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

describe('GET /api/v1/notifications', () => {
  it('lists every notification of the range with its alerts and what became of each delivery', async () => {
    const response = await waitFor(
      async () => {
        const r = (await (await history(`from=${before}&to=${Date.now()}`)).json()) as { notifications: NotificationRecord[] };
        return r.notifications.length === 2 && r.notifications.every((n) => n.deliveries.every((d) => d.state === 'delivered')) ? r : undefined;
      },
      { what: 'both notifications delivered in the history' },
    );
    expect(response.notifications.map((n) => [n.status, n.alertnames, n.severities])).toEqual([
      ['firing', ['NodeDBPoolExhausted'], ['critical']],
      ['resolved', ['NodeDBPoolExhausted'], ['critical']],
    ]);
    for (const n of response.notifications) {
      expect(n.deliveries.length).toBeGreaterThan(0);
      for (const d of n.deliveries) expect(d.finishedAt).toBeGreaterThanOrEqual(n.receivedAt);
    }
    const empty = (await (await history(`from=0&to=${before - 1}`)).json()) as { notifications: unknown[] };
    expect(empty.notifications).toEqual([]);
  });

  it('answers 401 without the bearer token and 400 naming from/to for a bad range', async () => {
    expect((await history(`from=${before}`, null)).status).toBe(401);
    expect((await history(`from=${before}`, 'wrong-token-000000000')).status).toBe(401);
    const bad = await history('from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('from and to');
    expect((await history(`from=${Date.now()}&to=1`)).status).toBe(400);
  });
});
