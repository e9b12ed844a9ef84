// The payload check keeps every valid page whatever its size (cut, never refused) and refuses only what can never
// be a payload, with a clear error instead of a stack overflow.
import { describe, expect, it } from 'vitest';
import { webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import { truncatedMarker } from '../truncate-text.ts';
import { checkWebhookPayload, payloadLimits } from './webhook-payload.ts';

const check = (body: unknown) => checkWebhookPayload(JSON.parse(JSON.stringify(body)));

describe('webhook payload check', () => {
  it('cuts over-long values and keys with a marker, drops over-long URLs, hashes an over-long fingerprint', () => {
    const payload = webhookPayload({ labels: { pod: '😀'.repeat(payloadLimits.valueChars) }, annotations: { ['k'.repeat(2000)]: 'v' } });
    payload.alerts[0]!.generatorURL = `http://127.0.0.1:9090/${'g'.repeat(payloadLimits.urlChars)}`;
    payload.alerts[0]!.fingerprint = 'f'.repeat(300);
    payload.externalURL = `http://127.0.0.1:9093/${'e'.repeat(payloadLimits.urlChars)}`;
    const checked = check(payload);
    if (!checked.ok) throw new Error(checked.error);
    const alert = checked.payload.alerts[0]!;
    expect(alert.labels.pod!.length).toBeGreaterThan(payloadLimits.valueChars - 2);
    expect(alert.labels.pod!.length).toBeLessThanOrEqual(payloadLimits.valueChars);
    expect(alert.labels.pod!.endsWith(truncatedMarker)).toBe(true);
    expect(alert.labels.pod!.isWellFormed()).toBe(true); // no emoji cut in half
    const longKey = Object.keys(alert.annotations).find((k) => k.startsWith('kkk'))!;
    expect(longKey).toHaveLength(payloadLimits.keyChars);
    expect(longKey.endsWith(truncatedMarker)).toBe(true);
    expect(alert.generatorURL).toBe('');
    expect(checked.payload.externalURL).toBe('');
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the first alerts of a huge group and counts the rest as truncated', () => {
    const payload = webhookPayload({ alerts: payloadLimits.alerts + 5 });
    payload.truncatedAlerts = 2;
    const checked = check(payload);
    if (!checked.ok) throw new Error(checked.error);
    expect(checked.payload.alerts).toHaveLength(payloadLimits.alerts);
    expect(checked.payload.truncatedAlerts).toBe(7);
  });

  it('refuses nesting past the cap with the path, at any depth, without overflowing the stack', () => {
    for (const depth of [payloadLimits.nesting + 1, 5000, 1_000_000]) {
      let deep: unknown = 'x';
      for (let i = 0; i < depth; i++) deep = [deep];
      const checked = checkWebhookPayload({ ...webhookPayload(), commonLabels: { nested: deep } });
      expect(checked).toEqual({ ok: false, error: expect.stringMatching(/^invalid webhook payload: commonLabels\.nested\.0\.0\.0\.0\.\.\.\(64 levels\): nested deeper than 64 levels$/) });
    }
    // A valid payload is far from the cap.
    expect(checkWebhookPayload(webhookPayload()).ok).toBe(true);
  });
});
