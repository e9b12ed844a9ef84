// Stable Message-IDs (the same on every retry, so a receiving server that saw the first copy can drop a second one)
// and threading headers: every email about one alert group replies to the same virtual thread root, so mail
// clients show a group's firing and resolved messages as one conversation; digests thread per destination per day.
import { createHash } from 'node:crypto';
import type { PendingDelivery } from '../outbox/outbox-store.ts';

const hash = (...parts: Array<string | number>): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

export interface ThreadingHeaders {
  messageId: string;
  inReplyTo: string;
  references: string[];
}

export function notificationThreading(delivery: PendingDelivery, domain: string): ThreadingHeaders {
  const root = `<group.${hash(delivery.payload.receiver, delivery.payload.groupKey)}@${domain}>`;
  return {
    messageId: `<notification.${hash(delivery.id, delivery.receivedAt, delivery.destination, delivery.payload.groupKey)}@${domain}>`,
    inReplyTo: root,
    references: [root],
  };
}

export function digestThreading(deliveries: readonly PendingDelivery[], destination: string, domain: string, day: string): ThreadingHeaders {
  const root = `<digest.${hash(destination, day)}@${domain}>`;
  const ids = deliveries.map((d) => d.id).sort((a, b) => a - b);
  return { messageId: `<digest.${hash(destination, ...ids)}@${domain}>`, inReplyTo: root, references: [root] };
}
