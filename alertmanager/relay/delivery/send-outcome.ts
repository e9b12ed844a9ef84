// What a destination's sender reports for one send, already classified: the worker only schedules.
import type { PendingDelivery } from '../outbox/outbox-store.ts';
import type { Channel } from '../routing.ts';

export type SendOutcome =
  | { kind: 'delivered' }
  /** Worth trying again (network, 5xx, SMTP 4yz, 429); retryAfterMs when the destination said how long to wait. */
  | { kind: 'retry'; reason: string; detail: string; retryAfterMs?: number }
  /** Will never succeed as it is (Slack 4xx, SMTP 5yz, auth, all recipients rejected): a dead letter. */
  | { kind: 'final'; reason: string; detail: string };

/** One per destination: sends one delivery (immediate) or several as one message (digest). */
export interface DestinationSender {
  readonly channel: Channel;
  readonly destination: string;
  send(deliveries: readonly PendingDelivery[]): Promise<SendOutcome>;
  close(): Promise<void>;
}
