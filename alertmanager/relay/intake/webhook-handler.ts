// The webhook endpoint. Answers, in the order checked: 401 without an accepted bearer token; 413 for a body over
// the limit; 400 for a body that is not a version-4 payload (naming the field) or names a receiver the relay does
// not know; 503 when the outbox is full or cannot be written (Alertmanager retries 5xx); otherwise 200 only once
// the notification is durably stored, or already was (a duplicate, counted). Never 429: Alertmanager drops it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RelayMetrics, WebhookOutcome } from '../metrics.ts';
import type { OutboxWriter } from '../outbox/outbox-writer.ts';
import { routeNotification, type RoutedDelivery } from '../routing.ts';
import type { RelayConfig } from '../config.ts';
import type { BearerAuth } from './bearer-auth.ts';
import { dedupKey } from './dedup-key.ts';
import { readBody } from './read-body.ts';
import { checkWebhookPayload } from './webhook-payload.ts';

export interface WebhookHandlerDeps {
  config: () => RelayConfig;
  auth: () => BearerAuth;
  writer: OutboxWriter;
  metrics: RelayMetrics;
  logger: Logger;
  /** Undelivered deliveries in the outbox now (may be cached briefly). */
  outboxDepth: () => number;
  /**
   * False while shutting down: a webhook arriving then is refused with 503 so Alertmanager retries elsewhere or later;
   * one that arrived before is still stored and answered (the outbox stays open until it is).
   */
  accepting: () => boolean;
  /** Called after a notification is stored, with where it goes. */
  stored: (deliveries: readonly RoutedDelivery[]) => void;
  /** Called for every valid webhook that was stored or was a duplicate (the watchdog's heartbeat). */
  received: (receiver: string) => void;
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

export function createWebhookHandler(deps: WebhookHandlerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { metrics, logger } = deps;
  const count = (outcome: WebhookOutcome): void => metrics.webhooksReceived.inc({ outcome });

  return async (req, res) => {
    const acceptingAtArrival = deps.accepting();
    if (req.method !== 'POST') {
      answer(res, 405, { error: 'use POST' }, { allow: 'POST' });
      return;
    }
    if (!deps.auth().allows(req.headers.authorization)) {
      count('unauthorized');
      answer(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer realm="alert-relay"' });
      return;
    }
    const config = deps.config();
    const read = await readBody(req, config.intake.maxBodyBytes);
    if (!read.ok) {
      if (read.reason === 'too_large') {
        count('too_large');
        // Close the connection rather than read the rest of an oversized body.
        answer(res, 413, { error: `body larger than ${config.intake.maxBodyBytes} bytes` }, { connection: 'close' });
      }
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(read.body.toString('utf8'));
    } catch (error) {
      count('invalid');
      answer(res, 400, { error: `body is not JSON: ${(error as Error).message.slice(0, 200)}` });
      return;
    }
    const checked = checkWebhookPayload(body);
    if (!checked.ok) {
      count('invalid');
      logger.warn({ error: checked.error }, 'webhook rejected');
      answer(res, 400, { error: checked.error });
      return;
    }
    const payload = checked.payload;
    const routed = routeNotification(config, payload);
    if (!routed.ok) {
      count('invalid');
      logger.error({ error: routed.error }, 'webhook for an unknown receiver rejected; add it to the relay config');
      answer(res, 400, { error: routed.error });
      return;
    }
    if (!acceptingAtArrival || deps.outboxDepth() >= config.intake.maxOutboxDepth) {
      count('overloaded');
      answer(res, 503, { error: acceptingAtArrival ? 'outbox full, retry later' : 'shutting down, retry later' }, { 'retry-after': '5' });
      return;
    }
    let result;
    try {
      result = await deps.writer.accept({ dedupKey: dedupKey(payload), receivedAt: Date.now(), payload, deliveries: routed.deliveries });
    } catch (error) {
      count('overloaded');
      logger.error({ err: error }, 'cannot store the notification; answered 503 so Alertmanager retries');
      answer(res, 503, { error: 'cannot store the notification now, retry later' }, { 'retry-after': '5' });
      return;
    }
    deps.received(payload.receiver);
    if (result === 'duplicate') {
      count('duplicate');
      metrics.deduplicated.inc({ receiver: payload.receiver });
      logger.debug({ receiver: payload.receiver, groupKey: payload.groupKey }, 'duplicate notification dropped');
      answer(res, 200, { status: 'duplicate' });
      return;
    }
    count('accepted');
    logger.info({ receiver: payload.receiver, status: payload.status, alerts: payload.alerts.length, destinations: routed.deliveries.map((d) => `${d.channel}:${d.destination}`) }, 'notification stored');
    answer(res, 200, { status: 'accepted' });
    deps.stored(routed.deliveries);
  };
}
