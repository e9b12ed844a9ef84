// Sends Slack pages through @slack/webhook and classifies what Slack answered: `ok` delivered; 429 retried after
// its Retry-After; 5xx and network errors retried with backoff; any other 4xx (invalid_payload, channel_not_found,
// no_service, ...) is final, since sending the same message again cannot succeed.
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError, type FetchFunction, type IncomingWebhookSendArguments } from '@slack/webhook';
import type { SlackWebhookDestination } from '../config.ts';
import type { DestinationSender, SendOutcome } from '../delivery/send-outcome.ts';
import type { PendingDelivery } from '../outbox/outbox-store.ts';
import type { SlackMessage } from './slack-message.ts';

/** Retry-After as Slack sends it (seconds), or an HTTP date; capped so a bogus header cannot stall a page for days. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), 3_600_000);
}

// Slack's error bodies are short snake_case codes; anything else is summarised by status, never echoed.
const reasonFrom = (status: number, body: string): string => (/^[a-z_]{1,40}$/.test(body.trim()) ? body.trim() : `http_${status}`);

export function createSlackSender(destination: SlackWebhookDestination, render: (delivery: PendingDelivery) => SlackMessage | Promise<SlackMessage>): DestinationSender {
  // @slack/webhook does not expose response headers on errors, so the fetch it uses keeps the last Retry-After.
  let lastRetryAfter: string | null = null;
  const fetchKeepingRetryAfter: FetchFunction = async (url, init) => {
    const response = await fetch(url, init as RequestInit);
    lastRetryAfter = response.headers.get('retry-after');
    return response;
  };
  const webhook = new IncomingWebhook(destination.webhookUrl, {
    fetch: fetchKeepingRetryAfter,
    timeout: destination.timeoutSeconds * 1000,
    retryConfig: { retries: 0 }, // retries belong to the outbox, which survives restarts
  });

  return {
    channel: 'slack',
    destination: destination.name,
    async send(deliveries): Promise<SendOutcome> {
      const [delivery] = deliveries;
      if (!delivery || deliveries.length !== 1) throw new Error('a Slack page carries exactly one notification');
      lastRetryAfter = null;
      let message: SlackMessage;
      try {
        message = await render(delivery);
      } catch (error) {
        // Rendering is deterministic: what fails once fails forever, so it must not block the queue behind it.
        return { kind: 'final', reason: 'render_error', detail: error instanceof Error ? error.message : String(error) };
      }
      try {
        await webhook.send(message as unknown as IncomingWebhookSendArguments);
        return { kind: 'delivered' };
      } catch (error) {
        if (error instanceof IncomingWebhookHTTPError) {
          const { statusCode: status, body } = error;
          if (status === 429) return { kind: 'retry', reason: 'rate_limited', detail: 'HTTP 429', retryAfterMs: parseRetryAfter(lastRetryAfter) ?? 1000 };
          if (status >= 500) return { kind: 'retry', reason: 'server_error', detail: `HTTP ${status}` };
          return { kind: 'final', reason: reasonFrom(status, body), detail: `HTTP ${status}` };
        }
        if (error instanceof IncomingWebhookRequestError) {
          const original = error.original as Error & { cause?: { code?: string } };
          const code = original.cause?.code ?? original.name;
          return { kind: 'retry', reason: 'network', detail: `${code}: ${original.message}` };
        }
        throw error;
      }
    },
    async close() {},
  };
}
