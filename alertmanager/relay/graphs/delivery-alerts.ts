// The alerts one delivery carries (a destination may get only some of a notification's alerts).
import type { Alert } from '../intake/webhook-payload.ts';
import type { PendingDelivery } from '../outbox/outbox-store.ts';

export function alertsOfDelivery(delivery: Pick<PendingDelivery, 'payload' | 'alertIndexes'>): Alert[] {
  const { payload, alertIndexes } = delivery;
  return alertIndexes ? alertIndexes.flatMap((i) => (payload.alerts[i] ? [payload.alerts[i]] : [])) : payload.alerts;
}
