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

  // What is asserted holds however loaded the machine is: lower bounds on time only (a stall can only delay a send,
  // never bring one forward) and counts, not "zero 429s", which hangs on two real-time buckets agreeing.
  it('sends a burst then at most one a second (within Slack\'s pace), waits out any 429, delivers each page once, in order', async () => {
    const rate = { perSecond: 1, burst: 3 };
    // Nothing can be sent before the first webhook; the relay's bucket holds at most `burst` tokens by then.
    const t0 = Date.now();
    for (let i = 1; i <= 6; i++) expect((await postWebhook(relay.webhookUrl, relay.token, webhookPayload({ sequence: i }))).status).toBe(200);
    await waitFor(() => slack.delivered().length === 6, { what: 'six pages', timeoutMs: 60_000 });

    // The pace, as Slack saw it: the k-th request (retries included, each takes a token) came no earlier than the
    // bucket allows, t0 + (k - burst) / perSecond. Sending all six at once would put requests 4 to 6 at about t0.
    const requests = slack.received;
    requests.forEach((r, i) => {
      const earliest = t0 + ((i + 1 - rate.burst) / rate.perSecond) * 1000;
      expect({ request: i + 1, atOrAfterEarliest: r.at >= earliest - 5 }).toEqual({ request: i + 1, atOrAfterEarliest: true });
    });
    // Any 429 was waited out before the next request (the stand-in's Retry-After is at least 1 s), and was retried.
    requests.forEach((r, i) => {
      if (r.status !== 429) return;
      const next = requests[i + 1];
      expect(next).toBeDefined();
      expect(next!.at - r.at).toBeGreaterThanOrEqual(1000 - 5);
    });
    expect(requests.filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
    const sequences = slack.delivered().map((p) => Number(/\*sequence\*\\n(\d+)/.exec(JSON.stringify(p))?.[1]));
    expect(sequences).toEqual([1, 2, 3, 4, 5, 6]);
    expect(relay.relay.store.deadLetters()).toEqual([]);
    const samples = parsePrometheusText(await relay.relay.metrics.registry.metrics());
    expect(sumOf(samples, 'alert_relay_rate_limit_waits_total', { channel: 'slack' })).toBeGreaterThanOrEqual(3);
  });
});
