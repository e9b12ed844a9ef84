// What makes two webhooks "the same notification" (GUIDE section 5): receiver, group key, group status and each
// alert's fingerprint and status. externalURL is left out: it differs between Alertmanager HA peers.
import { createHash } from 'node:crypto';
import type { Alert, WebhookPayload } from './webhook-payload.ts';

/** Alertmanager's own fingerprint when present, else a hash of the sorted label set. */
export function alertFingerprint(alert: Alert): string {
  if (alert.fingerprint) return alert.fingerprint;
  const labels = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

export function dedupKey(payload: WebhookPayload): string {
  const alerts = payload.alerts.map((a) => `${alertFingerprint(a)}:${a.status}`).sort();
  return createHash('sha256')
    .update(JSON.stringify([payload.receiver, payload.groupKey, payload.status, alerts]))
    .digest('hex');
}
