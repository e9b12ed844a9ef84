// One Slack app destination's Web API client (@slack/web-api): chat.postMessage and chat.update in its channel.
// Retries are the outbox's business (they survive restarts), so the client's own are off and a 429 is handed
// back with its Retry-After instead of being slept on. The bot token stays inside the client: its log lines go
// through the relay's logger (scrubbed) and errors are reduced to Slack's error codes.
import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from 'pino';
import type { SlackAppDestination } from '../config.ts';
import type { SlackMessage } from './slack-message.ts';

export interface SlackAppClient {
  readonly destination: SlackAppDestination;
  /** Posts in the channel (in a thread when `threadTs` is given); resolves to the message's ts. */
  post(message: SlackMessage, threadTs?: string): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.WARN;
  return {
    debug: (...msg: unknown[]) => logger.debug({ component: 'slack-web-api' }, msg.map(String).join(' ')),
    info: (...msg: unknown[]) => logger.debug({ component: 'slack-web-api' }, msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => logger.warn({ component: 'slack-web-api' }, msg.map(String).join(' ')),
    error: (...msg: unknown[]) => logger.error({ component: 'slack-web-api' }, msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackAppClient(destination: SlackAppDestination, logger: Logger): SlackAppClient {
  const client = new WebClient(destination.botToken, {
    slackApiUrl: destination.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: destination.timeoutSeconds * 1000,
    logger: slackLogger(logger),
    logLevel: LogLevel.WARN,
  });
  return {
    destination,
    async post(message, threadTs) {
      const result = await client.chat.postMessage({
        channel: destination.channel,
        text: message.text,
        blocks: message.blocks as never,
        attachments: message.attachments as never,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      if (!result.ts || !result.channel) throw new Error('chat.postMessage answered ok without ts or channel');
      return { channel: result.channel, ts: result.ts };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never, attachments: message.attachments as never });
    },
  };
}
