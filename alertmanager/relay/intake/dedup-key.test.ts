// The dedup key drops true retransmissions only: a retry or an HA peer's copy of the same notification gets the same
// key; a new firing of the same alert (fire, resolve, fire again within the window) gets a new one.
import { describe, expect, it } from 'vitest';
import { webhookPayload } from '../../../test/support/relay/webhook-fixtures.ts';
import { dedupKey } from './dedup-key.ts';
import type { WebhookPayload } from './webhook-payload.ts';

const withAlerts = (payload: WebhookPayload, change: (alert: WebhookPayload['alerts'][number], i: number) => Partial<WebhookPayload['alerts'][number]>): WebhookPayload => ({
  ...payload,
  alerts: payload.alerts.map((a, i) => ({ ...a, ...change(a, i) })),
});

describe('dedup key', () => {
  const first = webhookPayload({ alerts: 2 });

  it('is the same for a retransmission: a retry, an HA peer (other externalURL), alerts in another order', () => {
    expect(dedupKey(structuredClone(first))).toBe(dedupKey(first));
    expect(dedupKey({ ...first, externalURL: 'http://alertmanager-2:9093' })).toBe(dedupKey(first));
    expect(dedupKey({ ...first, alerts: [...first.alerts].reverse() })).toBe(dedupKey(first));
    // The same instant written with another offset (Go writes local time when the server's zone is not UTC).
    const offset = withAlerts(first, (a) => ({ startsAt: new Date(Date.parse(a.startsAt)).toISOString().replace('Z', '+00:00') }));
    expect(dedupKey(offset)).toBe(dedupKey(first));
  });

  it('ignores endsAt while an alert fires (Alertmanager writes the zero time, other senders move it forward)', () => {
    const moved = withAlerts(first, () => ({ endsAt: new Date(Date.now() + 300_000).toISOString() }));
    expect(dedupKey(moved)).toBe(dedupKey(first));
  });

  it('differs for a new firing of the same alerts: same fingerprints and status, a later startsAt', () => {
    const refired = withAlerts(first, (a) => ({ startsAt: new Date(Date.parse(a.startsAt) + 60_000).toISOString() }));
    expect(refired.alerts.map((a) => a.fingerprint)).toEqual(first.alerts.map((a) => a.fingerprint));
    expect(dedupKey(refired)).not.toBe(dedupKey(first));
    // Only one alert of the group fired anew.
    const oneRefired = withAlerts(first, (a, i) => (i === 1 ? { startsAt: new Date(Date.parse(a.startsAt) + 60_000).toISOString() } : {}));
    expect(dedupKey(oneRefired)).not.toBe(dedupKey(first));
  });

  it('differs for a change of status, and for a resolution of another firing (endsAt counts once resolved)', () => {
    const resolved = withAlerts({ ...first, status: 'resolved' }, () => ({ status: 'resolved', endsAt: '2026-12-01T04:00:00Z' }));
    expect(dedupKey(resolved)).not.toBe(dedupKey(first));
    expect(dedupKey(structuredClone(resolved))).toBe(dedupKey(resolved));
    const resolvedLater = withAlerts(resolved, () => ({ endsAt: '2026-12-01T04:05:00Z' }));
    expect(dedupKey(resolvedLater)).not.toBe(dedupKey(resolved));
  });

  it('differs per receiver and group', () => {
    expect(dedupKey({ ...first, receiver: 'email-team' })).not.toBe(dedupKey(first));
    expect(dedupKey({ ...first, groupKey: `${first.groupKey}x` })).not.toBe(dedupKey(first));
  });
});
