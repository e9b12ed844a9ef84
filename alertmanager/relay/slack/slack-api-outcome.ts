// What a Slack Web API error means for the delivery: rate limited is retried after Retry-After; Slack's own
// transient errors, HTTP 5xx and network errors are retried with backoff; everything else (invalid_auth,
// channel_not_found, not_in_channel, invalid_blocks, ...) is final: the same call cannot succeed.
import { ErrorCode, type WebAPICallError } from '@slack/web-api';
import type { SendOutcome } from '../delivery/send-outcome.ts';

const transient = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited']);

export function slackApiOutcome(error: unknown): Exclude<SendOutcome, { kind: 'delivered' }> | undefined {
  const e = error as Partial<WebAPICallError> & { code?: string };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'retry', reason: 'rate_limited', detail: 'HTTP 429 ratelimited', retryAfterMs: Math.min(Math.max(0, (error as { retryAfter: number }).retryAfter * 1000), 3_600_000) };
    case ErrorCode.PlatformError: {
      const code = String((error as { data?: { error?: unknown } }).data?.error ?? 'unknown_error').slice(0, 60);
      return transient.has(code) ? { kind: 'retry', reason: code, detail: code } : { kind: 'final', reason: code, detail: code };
    }
    case ErrorCode.HTTPError: {
      const status = (error as { statusCode: number }).statusCode;
      return status >= 500 ? { kind: 'retry', reason: `http_${status}`, detail: `HTTP ${status}` } : { kind: 'final', reason: `http_${status}`, detail: `HTTP ${status}` };
    }
    case ErrorCode.RequestError: {
      const original = (error as { original?: Error & { cause?: { code?: string } } }).original;
      return { kind: 'retry', reason: 'network', detail: `${original?.cause?.code ?? original?.name ?? 'error'}: ${original?.message ?? ''}`.slice(0, 300) };
    }
    default:
      return undefined;
  }
}
