// The webhook endpoint against a real relay (in-process, real SQLite outbox, real Slack stand-in).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../test/support/stand-ins/slack-stand-in.ts';
import { parsePrometheusText, sumOf } from '../../../test/support/prometheus-text.ts';
import { waitFor } from '../../../common/wait-for.ts';
import { startInProcessRelay, type InProcessRelay } from '../../../test/support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';

let slack: SlackStandIn;
let relay: InProcessRelay;
const oldToken = 'old-token-abcdefghijkl';
const newToken = 'new-token-mnopqrstuvwx';

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumOf(parsePrometheusText(await relay.relay.metrics.registry.metrics()), name, labels);
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  relay = await startInProcessRelay({ tokens: [oldToken, newToken], slackUrl: slack.url, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await relay?.stop();
  await slack?.close();
});

describe('authorization', () => {
  it('answers 401 without a token or with a wrong one, and accepts every configured token (rotation)', async () => {
    expect((await postWebhook(relay.webhookUrl, undefined, webhookPayload())).status).toBe(401);
    expect((await postWebhook(relay.webhookUrl, 'wrong-token', webhookPayload())).status).toBe(401);
    expect((await postWebhook(relay.webhookUrl, `${oldToken}x`, webhookPayload())).status).toBe(401);
    const basic = await fetch(relay.webhookUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`u:${oldToken}`).toString('base64')}` }, body: '{}' });
    expect(basic.status).toBe(401);
    expect((await postWebhook(relay.webhookUrl, oldToken, webhookPayload({ sequence: 1 }))).status).toBe(200);
    expect((await postWebhook(relay.webhookUrl, newToken, webhookPayload({ sequence: 2 }))).status).toBe(200);
    expect(await metric('alert_relay_webhooks_received_total', { outcome: 'unauthorized' })).toBeGreaterThanOrEqual(4);
  });
});

describe('validation', () => {
  it('answers 400 naming the wrong field by its path', async () => {
    const payload = webhookPayload();
    const broken = { ...payload, alerts: [{ ...payload.alerts[0], labels: { severity: 42 } }] };
    const answer = await postWebhook(relay.webhookUrl, oldToken, broken);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toContain('alerts.0.labels.severity');
    const wrongVersion = await postWebhook(relay.webhookUrl, oldToken, { ...payload, version: '3' });
    expect(wrongVersion.status).toBe(400);
    expect(JSON.parse(wrongVersion.body).error).toContain('version');
    const notJson = await postWebhook(relay.webhookUrl, oldToken, '{"version": "4",');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error).toMatch(/not JSON/);
  });

  it('answers 400, not 500, for deeply nested JSON, naming where it is too deep', async () => {
    const deepArray = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const answer = await postWebhook(relay.webhookUrl, oldToken, deepArray);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/^invalid webhook payload: 0\.0\.0\.0\.0\.0\.\.\.\(64 levels\): nested deeper than 64 levels$/);
    const payload = webhookPayload();
    const inLabel = JSON.stringify({ ...payload, alerts: [{ ...payload.alerts[0], labels: { instance: 'PLACEHOLDER' } }] }).replace('"PLACEHOLDER"', `${'{"a":'.repeat(9000)}1${'}'.repeat(9000)}`);
    const nested = await postWebhook(relay.webhookUrl, oldToken, inLabel);
    expect(nested.status).toBe(400);
    expect(JSON.parse(nested.body).error).toMatch(/alerts\.0\.labels\.instance\.a\.a\.\.\.\(64 levels\): nested deeper than 64 levels/);
    expect((await fetch(`${relay.relay.url}/healthz`)).status).toBe(200);
  });

  it('answers 400 for a receiver the relay has no route for', async () => {
    const answer = await postWebhook(relay.webhookUrl, oldToken, webhookPayload({ receiver: 'nobody' }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toContain('"nobody"');
  });

  it('answers 413 for a body over the limit', async () => {
    const huge = webhookPayload({ annotations: { description: 'x'.repeat(100 * 1024) } });
    const answer = await postWebhook(relay.webhookUrl, oldToken, huge);
    expect(answer.status).toBe(413);
    expect(await metric('alert_relay_webhooks_received_total', { outcome: 'too_large' })).toBeGreaterThanOrEqual(1);
  });
});

describe('deduplication', () => {
  it('drops a notification already seen (retry, HA peer with another externalURL) and counts it', async () => {
    const payload = webhookPayload({ sequence: 100 });
    const before = slack.delivered().length;
    expect(JSON.parse((await postWebhook(relay.webhookUrl, oldToken, payload)).body).status).toBe('accepted');
    expect(JSON.parse((await postWebhook(relay.webhookUrl, oldToken, payload)).body).status).toBe('duplicate');
    const peer = { ...payload, externalURL: 'http://alertmanager-2:9093' };
    expect(JSON.parse((await postWebhook(relay.webhookUrl, oldToken, peer)).body).status).toBe('duplicate');
    // A change of status is a new notification.
    const resolved = webhookPayload({ sequence: 100, status: 'resolved' });
    expect(JSON.parse((await postWebhook(relay.webhookUrl, oldToken, resolved)).body).status).toBe('accepted');
    expect(await metric('alert_relay_notifications_deduplicated_total', { receiver: 'slack-oncall' })).toBeGreaterThanOrEqual(2);
    await waitFor(() => slack.delivered().length >= before + 2, { what: 'both distinct notifications in Slack' });
    const sequences = slack.delivered().map((p) => JSON.stringify(p)).filter((t) => t.includes('sequence') && t.includes('100'));
    expect(sequences).toHaveLength(2);
  });
});

describe('fuzzing', () => {
  it('never answers 5xx nor crashes on thousands of malformed and hostile bodies', async () => {
    const hostile = fc.oneof(
      fc.constantFrom('<!channel>', '<!here>', '<@U123>', '&lt;', '<script>alert(1)</script>', '"><img src=x onerror=1>', '\u0000', '\uD800', '{{ .Foo }}', '${jndi:ldap://x}', '__proto__', 'constructor'),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    const labelSet = fc.dictionary(fc.oneof(fc.constantFrom('alertname', 'severity', '__proto__', 'instance'), hostile), fc.oneof(hostile, fc.integer(), fc.constant(null)), { maxKeys: 5 });
    const alert = fc.record(
      {
        status: fc.oneof(fc.constantFrom('firing', 'resolved'), hostile),
        labels: labelSet,
        annotations: labelSet,
        startsAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostile),
        endsAt: fc.oneof(fc.constant('0001-01-01T00:00:00Z'), hostile),
        generatorURL: fc.oneof(fc.webUrl(), hostile, fc.constant('javascript:alert(1)')),
        fingerprint: hostile,
      },
      { requiredKeys: [] },
    );
    const payload = fc.record(
      {
        version: fc.oneof(fc.constant('4'), hostile, fc.integer()),
        groupKey: hostile,
        truncatedAlerts: fc.oneof(fc.nat(), fc.integer(), hostile),
        status: fc.oneof(fc.constantFrom('firing', 'resolved'), hostile),
        receiver: fc.oneof(fc.constantFrom('slack-oncall', 'watchdog'), hostile),
        groupLabels: labelSet,
        commonLabels: labelSet,
        commonAnnotations: labelSet,
        externalURL: hostile,
        alerts: fc.oneof(fc.array(alert, { maxLength: 4 }), hostile, fc.constant(null)),
      },
      { requiredKeys: [] },
    );
    // Well-formed payloads whose every value is hostile text: these must be accepted and rendered safely.
    const stringSet = fc.dictionary(fc.oneof(fc.constantFrom('instance', 'pod', 'summary', 'description', 'runbook_url'), hostile), hostile, { maxKeys: 5 });
    const hostileButValid = fc.tuple(fc.nat(), stringSet, stringSet, hostile).map(([seq, labels, annotations, groupKey]) => {
      const p = webhookPayload({ sequence: seq, labels, annotations });
      return JSON.stringify({ ...p, groupKey: groupKey || 'k', receiver: seq % 2 === 0 ? 'slack-oncall' : 'watchdog' });
    });
    // Deep nesting of arrays and objects, as the whole body or inside a payload, past any depth a stack can take.
    // (Up to 10 000 levels of objects, 30 000 of arrays: just under the 64 KiB body limit of this relay.)
    const deep = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{"k":'), fc.boolean()).map(([levels, open, inside]) => {
      const depth = open === '[' ? levels : Math.ceil(levels / 3);
      const nest = `${open.repeat(depth)}0${(open === '[' ? ']' : '}').repeat(depth)}`;
      return inside ? JSON.stringify(webhookPayload({ sequence: depth })).replace('"order-service"', nest) : nest;
    });
    const body = fc.oneof(
      { weight: 3, arbitrary: hostileButValid },
      { weight: 1, arbitrary: deep },
      { weight: 6, arbitrary: payload.map((p) => JSON.stringify(p)) },
      { weight: 1, arbitrary: fc.json() },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      { weight: 1, arbitrary: payload.map((p) => JSON.stringify(p).slice(0, -3)) },
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const answer = await postWebhook(relay.webhookUrl, oldToken, text);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status).toBeLessThan(500);
        expect([200, 400]).toContain(answer.status);
      }),
      { numRuns: 2000 },
    );
    // The relay is still healthy, and the fuzzing reached both the rejection and the acceptance paths.
    expect((await fetch(`${relay.relay.url}/healthz`)).status).toBe(200);
    expect(statuses.get(400)).toBeGreaterThan(100);
    expect(statuses.get(200)).toBeGreaterThan(0);
  });

  it('escapes injection strings in every Slack message that reached the channel', async () => {
    const injection = fc.constantFrom('<!channel>', '<!here|here>', '<@U024BE7LH>', '<https://evil.example|click>', '&', '<>', '<!subteam^S123>');
    await fc.assert(
      fc.asyncProperty(fc.array(injection, { minLength: 1, maxLength: 4 }), fc.nat(1_000_000), async (values, seq) => {
        const text = values.join(' ');
        const payload = webhookPayload({ sequence: 10_000 + seq, labels: { instance: text, pod: text }, annotations: { summary: text, description: text } });
        payload.groupLabels = { alertname: text };
        payload.commonLabels = { ...payload.commonLabels, alertname: text };
        const answer = await postWebhook(relay.webhookUrl, oldToken, payload);
        expect([200]).toContain(answer.status);
      }),
      { numRuns: 60 },
    );
    await waitFor(async () => (await metric('alert_relay_outbox_depth', { channel: 'slack' })) === 0, { what: 'outbox drained', timeoutMs: 60_000 }).catch((error: unknown) => {
      // Show why deliveries are stuck: the relay's last warnings and errors.
      throw new Error(`${(error as Error).message}\n${relay.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-5).join('\n')}`);
    });
    // Every hostile payload became a message Slack accepted: none broke its limits or our rendering.
    expect(relay.relay.store.deadLetters()).toEqual([]);
    for (const message of slack.delivered()) {
      const raw = JSON.stringify(message);
      // Only the relay's own links (<http...|Label>) may use angle brackets; no mention or foreign link survives.
      const brackets = raw.match(/<[^>]*>/g) ?? [];
      for (const b of brackets) expect(b).toMatch(/^<https?:\/\/[^|<>]+\|(Runbook|Dashboard|Graph|Silence)>$/);
    }
  });
});

describe('backpressure', () => {
  it('answers 503 (never 429) when the outbox is full, and accepts again once it drains', async () => {
    const tight = await startInProcessRelay({ slackUrl: slack.url, maxOutboxDepth: 3 });
    try {
      slack.setOutage({ status: 503 });
      const answers: number[] = [];
      for (let i = 0; i < 6; i++) answers.push((await postWebhook(tight.webhookUrl, tight.token, webhookPayload({ sequence: 5000 + i }))).status);
      expect(answers).not.toContain(429);
      expect(answers.slice(0, 3)).toEqual([200, 200, 200]);
      expect(answers.slice(3)).toContain(503);
      slack.setOutage(undefined);
      await waitFor(async () => (await postWebhook(tight.webhookUrl, tight.token, webhookPayload({ sequence: 5999 }))).status === 200, { what: 'accepting again', timeoutMs: 60_000 });
    } finally {
      slack.setOutage(undefined);
      await tight.stop();
    }
  });
});

describe('health and logs', () => {
  it('answers /healthz, /readyz and /metrics, and never logs a secret', async () => {
    expect((await fetch(`${relay.relay.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${relay.relay.url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${relay.relay.url}/metrics`)).text();
    expect(text).toContain('alert_relay_webhooks_received_total');
    const logs = relay.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [oldToken, newToken, slack.url, new URL(slack.url).pathname]) expect(logs).not.toContain(secret);
  });
});
