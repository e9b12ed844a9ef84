// Slack app mode delivery: the first notification of an Alertmanager group (per incident) is posted in the
// channel and becomes the thread's parent; each later one is posted in that thread and the parent is updated to
// show the group's latest state (RESOLVED in green at the end, who acknowledged). The parent's ts and which
// delivery became which message are kept in the outbox, so a restart keeps threading and a retry after a partial
// send does not post twice.
import type { Logger } from 'pino';
import type { EscalationPolicy } from '../config.ts';
import type { RoutedDelivery } from '../routing.ts';
import { notificationView } from '../alert-view.ts';
import type { DestinationSender, SendOutcome } from '../delivery/send-outcome.ts';
import type { OutboxStore, PendingDelivery, SlackThread } from '../outbox/outbox-store.ts';
import { slackApiOutcome } from './slack-api-outcome.ts';
import type { SlackAppClient } from './slack-app-client.ts';
import { buildSlackMessage, type SlackImage, type SlackMessage } from './slack-message.ts';

export interface SlackAppSenderOptions {
  client: SlackAppClient;
  store: OutboxStore;
  alertmanagerUrl: string | undefined;
  /** Graph images for a delivery (by URL); [] when graphs are off. */
  images: (delivery: PendingDelivery) => Promise<SlackImage[]>;
  /** The parent message as it should look now. */
  renderParent: (thread: SlackThread) => SlackMessage;
  /** The escalation that applies to a page that opens a thread, if any (scheduled with the thread). */
  escalationFor?: (delivery: PendingDelivery) => EscalationPolicy | undefined;
  /** Wakes the workers of deliveries this sender stored (the resolution for escalated-to destinations). */
  stored?: (deliveries: readonly RoutedDelivery[]) => void;
  logger: Logger;
}

export function createSlackAppSender(o: SlackAppSenderOptions): DestinationSender {
  const { client, store, logger } = o;
  const name = client.destination.name;

  async function send(delivery: PendingDelivery): Promise<SendOutcome> {
    const now = Date.now();
    const view = notificationView(delivery.payload, delivery.alertIndexes, o.alertmanagerUrl);
    const state = delivery.payload.status === 'resolved' ? 'resolved' : 'open';
    const posted = store.postOf(delivery.id);
    let thread = posted ? store.thread(posted.threadId) : store.openThread(name, delivery.payload.groupKey);
    if (!thread) {
      // The incident's first message: it becomes the parent.
      const images = await o.images(delivery);
      const fresh = { destination: name, groupKey: delivery.payload.groupKey, state, payload: delivery.payload, alertIndexes: delivery.alertIndexes, images } as const;
      const draft: SlackThread = { ...fresh, id: 0, channel: client.destination.channel, ts: '', ackedBy: undefined, ackedAt: undefined, createdAt: now, updatedAt: now };
      const { channel, ts } = await client.post(o.renderParent(draft));
      store.createThread({ ...fresh, channel, ts }, delivery.id, now, o.escalationFor?.(delivery));
      return { kind: 'delivered' };
    }
    if (!posted) {
      const { ts } = await client.post(buildSlackMessage(view, await o.images(delivery)), thread.ts);
      store.recordPost(delivery.id, thread.id, ts);
    }
    if (posted?.ts !== thread.ts) {
      // A reply: the parent now shows this notification (for a retry, again: the update is idempotent).
      store.updateThread(thread.id, state, delivery.payload, delivery.alertIndexes, now);
      if (state === 'resolved') {
        store.stopEscalation(thread.id, now);
        // Whoever the incident was escalated to hears that it is over.
        const told = store.resolveEscalation(thread.id, delivery.payload, delivery.alertIndexes, { channel: 'slack', destination: name }, now);
        if (told.length > 0) o.stored?.(told);
      }
      thread = store.thread(thread.id)!;
      try {
        await client.update(thread.channel, thread.ts, o.renderParent(thread));
      } catch (error) {
        const outcome = slackApiOutcome(error);
        // The reply is in the thread; a parent that cannot be updated (deleted: message_not_found) is only logged.
        if (outcome?.kind === 'final') {
          logger.warn({ destination: name, reason: outcome.reason }, 'thread parent could not be updated; the notification is in the thread');
          return { kind: 'delivered' };
        }
        throw error;
      }
    }
    return { kind: 'delivered' };
  }

  return {
    channel: 'slack',
    destination: name,
    async send(deliveries) {
      const [delivery] = deliveries;
      if (!delivery || deliveries.length !== 1) throw new Error('a Slack page carries exactly one notification');
      try {
        return await send(delivery);
      } catch (error) {
        const outcome = slackApiOutcome(error);
        if (outcome) return outcome;
        throw error;
      }
    },
    async close() {},
  };
}
