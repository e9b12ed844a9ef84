// Graphs for incoming-webhook pages, which can only carry images by URL: each PNG is stored in the outbox under a
// random 192-bit token and served by the relay at `<publicBaseUrl>/graphs/<token>.png` for as long as the outbox
// keeps the notification. A retry of the same delivery reuses the stored images (same URLs, no new query).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { OutboxStore, PendingDelivery } from '../outbox/outbox-store.ts';
import type { SlackImage } from '../slack/slack-message.ts';
import type { AlertGraphs } from './alert-graphs.ts';
import { alertsOfDelivery } from './delivery-alerts.ts';

export const graphPathPrefix = '/graphs/';

export function newGraphToken(): string {
  return randomBytes(24).toString('base64url');
}

export async function slackGraphImages(graphs: AlertGraphs | undefined, store: OutboxStore, delivery: PendingDelivery, logger: Logger): Promise<SlackImage[]> {
  const base = graphs?.config.publicBaseUrl;
  if (!graphs || !base) return [];
  try {
    let stored = store.graphsOfDelivery(delivery.id);
    if (stored.length === 0) {
      stored = (await graphs.render(alertsOfDelivery(delivery))).map((g) => ({ ...g, token: newGraphToken() }));
      if (stored.length > 0) store.putGraphs(delivery, stored, Date.now());
    }
    return stored.map((g) => ({ url: `${base}${graphPathPrefix}${g.token}.png`, title: g.title, alt: g.alt }));
  } catch (error) {
    // The page matters more than its picture.
    logger.error({ err: error, deliveryId: delivery.id }, 'cannot keep the graph images; page sent without them');
    return [];
  }
}
