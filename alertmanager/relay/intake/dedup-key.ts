// What makes two webhooks "the same notification", so that only true retransmissions (Alertmanager
// retries, HA peers) are dropped: receiver, group key, group status, and each alert's fingerprint, status and
// startsAt, plus endsAt once resolved. startsAt tells a new firing of the same alert (fire, resolve, fire again
// within the window) from a resend of the old one; endsAt of a firing alert is left out because Alertmanager hides
// it (zero time) and other senders move it forward on every resend. externalURL is left out: it differs between
// Alertmanager HA peers.
import { createHash } from 'node:crypto';
import type { Alert, WebhookPayload } from './webhook-payload.ts';

/** Alertmanager's own fingerprint when present, else a hash of the sorted label set. */
export function alertFingerprint(alert: Alert): string {
  if (alert.fingerprint) return alert.fingerprint;
  const labels = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/** A timestamp as an instant, so that two spellings of the same time (offsets, fractions) compare equal. */
const instant = (value: string | undefined): string => {
  if (value === undefined) return '';
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : String(ms);
};

export function dedupKey(payload: WebhookPayload): string {
  const alerts = payload.alerts
    .map((a) => JSON.stringify([alertFingerprint(a), a.status, instant(a.startsAt), a.status === 'resolved' ? instant(a.endsAt) : '']))
    .sort();
  return createHash('sha256')
    .update(JSON.stringify([payload.receiver, payload.groupKey, payload.status, alerts]))
    .digest('hex');
}
