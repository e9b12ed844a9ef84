// The retry delays and the per-destination pace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { parsePrometheusText, sumOf } from '../../../test/support/prometheus-text.ts';
import { waitFor } from '../../../common/wait-for.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import { backoffDelayMs } from './backoff.ts';
import { RateLimiter } from './rate-limiter.ts';

describe('backoff', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  it('doubles per attempt up to the cap, each delay between half and all of its step', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const step = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      expect(backoffDelayMs(policy, attempt, () => 0)).toBe(step / 2);
      expect(backoffDelayMs(policy, attempt, () => 1)).toBe(step);
    }
    expect(backoffDelayMs(policy, 1_000, () => 1)).toBe(60_000);
  });
});

describe('rate limiter', () => {
  it('allows a burst, then one per interval, and says how long to wait', () => {
    const limiter = new RateLimiter(1, 3, 0);
    expect([limiter.tryTake(0), limiter.tryTake(0), limiter.tryTake(0)]).toEqual([0, 0, 0]);
    expect(limiter.tryTake(0)).toBe(1000);
    expect(limiter.tryTake(500)).toBe(500);
    expect(limiter.tryTake(1000)).toBe(0);
    limiter.drain(1000);
    expect(limiter.tryTake(1000)).toBe(1000);
  });
});

describe('pacing against Slack', () => {
  let slack: SlackStandIn;
  let relay: InProcessRelay;
  beforeAll(async () => {
    // The stand-in enforces Slack's own pace (answering 429 above it); the relay is configured at that pace.
    slack = await startSlackStandIn({ rateLimit: { perSecond: 1.2, burst: 3 } });
    relay = await startInProcessRelay({ slackUrl: slack.url, slackRatePerSecond: 1, slackBurst: 3 });
  });
  afterAll(async () => {
    await relay?.stop();
    await slack?.close();
  });

  it('sends a burst then one a second, so Slack never has to answer 429', async () => {
    for (let i = 1; i <= 6; i++) expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ sequence: i }))).status).toBe(200);
    await waitFor(() => slack.delivered().length === 6, { what: 'six pages', timeoutMs: 60_000 });
    expect(slack.received.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const samples = parsePrometheusText(await relay.relay.metrics.registry.metrics());
    expect(sumOf(samples, 'alert_relay_rate_limit_waits_total', { channel: 'slack' })).toBeGreaterThanOrEqual(3);
  });
});
