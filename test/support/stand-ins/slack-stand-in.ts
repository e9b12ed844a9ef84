// A local HTTP server that answers exactly as Slack's incoming webhooks do, for tests and for `npm start`
// when no real Slack webhook is configured. Slack is the one part of the chain that cannot run here.
//
// What Slack does, and so what this does:
//  - POST to the webhook's secret path, JSON body (or form-encoded `payload=`): 200 `ok` (text/plain).
//  - Malformed JSON: 400 `invalid_payload`; neither text nor blocks: 400 `no_text`; blocks over the limits
//    (50 blocks in the message, attachments' blocks included; 1 to 3000 characters a section or context text,
//    10 fields of at most 2000; 150 a header, header not plain_text): 400 `invalid_blocks`.
//  - Unknown path: 404 `no_service`. Over its rate (about one a second with bursts): 429 `rate_limited`
//    with `Retry-After` in seconds.
// Tests script answers ahead (429 storms, 5xx, `channel_not_found`, dropped connections) and read back
// everything received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status: number;
  /** Response body; defaults to what Slack writes for that status. */
  body?: string;
  /** Seconds, sent as the Retry-After header (Slack sends it with 429). */
  retryAfterSeconds?: number;
  /** Destroy the socket without an answer (a network error for the client). */
  dropConnection?: boolean;
}

export interface ReceivedSlackRequest {
  /** Date.now() when the request body was read. */
  at: number;
  path: string;
  /** Parsed JSON body, or undefined when it did not parse. */
  payload: unknown;
  raw: string;
  /** What the stand-in answered. */
  status: number;
  answer: string;
}

export interface SlackStandInOptions {
  host?: string;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  /** Slack's own pacing: tokens per second and bucket size. Unset: no rate limit. */
  rateLimit?: { perSecond: number; burst: number };
  /** Called for every request after it was answered. */
  onRequest?: (request: ReceivedSlackRequest) => void;
}

export interface SlackStandIn {
  /** The full webhook URL (its path is the secret, as at Slack). */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  received: ReceivedSlackRequest[];
  /** Payloads answered 200 `ok`: the messages that reached the channel. */
  delivered(): unknown[];
  /** Queues answers for the next requests, in order; then answering resumes as before. */
  script(...answers: ScriptedAnswer[]): void;
  /** Answers every request this way until called with undefined (an outage). */
  setOutage(answer: ScriptedAnswer | undefined): void;
  close(): Promise<void>;
}

const slackErrorStatus: Record<string, number> = {
  invalid_payload: 400,
  no_text: 400,
  invalid_blocks: 400,
  too_many_attachments: 400,
  invalid_attachments: 400,
  user_not_found: 400,
  action_prohibited: 403,
  invalid_token: 403,
  posting_to_general_channel_denied: 403,
  channel_not_found: 404,
  no_service: 404,
  team_disabled: 404,
  channel_is_archived: 410,
  rate_limited: 429,
};

function defaultBody(status: number): string {
  if (status === 200) return 'ok';
  const known = Object.entries(slackErrorStatus).find(([, s]) => s === status);
  if (known) return known[0];
  return status >= 500 ? 'internal_error' : 'invalid_payload';
}

function blockError(block: unknown): string | undefined {
  if (typeof block !== 'object' || block === null) return 'invalid_blocks';
  const b = block as { type?: unknown; text?: { type?: unknown; text?: unknown }; fields?: unknown; elements?: unknown };
  if (typeof b.type !== 'string') return 'invalid_blocks';
  if (b.type === 'header') {
    if (b.text?.type !== 'plain_text' || typeof b.text.text !== 'string') return 'invalid_blocks';
    if (b.text.text.length === 0 || b.text.text.length > 150) return 'invalid_blocks';
  }
  if (b.type === 'section') {
    if (b.text !== undefined && (typeof b.text.text !== 'string' || b.text.text.length === 0 || b.text.text.length > 3000)) return 'invalid_blocks';
    if (b.fields !== undefined) {
      if (!Array.isArray(b.fields) || b.fields.length > 10) return 'invalid_blocks';
      for (const f of b.fields as Array<{ text?: unknown }>) {
        if (typeof f?.text !== 'string' || f.text.length > 2000) return 'invalid_blocks';
      }
    }
    if (b.text === undefined && b.fields === undefined) return 'invalid_blocks';
  }
  if (b.type === 'context') {
    if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) return 'invalid_blocks';
    for (const e of b.elements as Array<{ text?: unknown }>) {
      if (typeof e?.text === 'string' && (e.text.length === 0 || e.text.length > 3000)) return 'invalid_blocks';
    }
  }
  if (b.type === 'actions' && (!Array.isArray(b.elements) || b.elements.length > 25)) return 'invalid_blocks';
  return undefined;
}

/**
 * The checks Slack makes on a message; returns the error code Slack answers with, or undefined. Blocks inside
 * attachments are held to the same rules, and all blocks of a message together to the limit of 50.
 */
export function slackPayloadError(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'invalid_payload';
  const message = payload as { text?: unknown; blocks?: unknown; attachments?: unknown };
  const hasText = typeof message.text === 'string' && message.text.trim() !== '';
  const blockLists: unknown[][] = [];
  if (message.blocks !== undefined) {
    if (!Array.isArray(message.blocks) || message.blocks.length === 0) return 'invalid_blocks';
    blockLists.push(message.blocks as unknown[]);
  }
  if (message.attachments !== undefined) {
    if (!Array.isArray(message.attachments) || message.attachments.length > 100) return 'too_many_attachments';
    for (const a of message.attachments as unknown[]) {
      if (typeof a !== 'object' || a === null) return 'invalid_attachments';
      const blocks = (a as { blocks?: unknown }).blocks;
      if (blocks === undefined) continue;
      if (!Array.isArray(blocks)) return 'invalid_blocks';
      blockLists.push(blocks as unknown[]);
    }
  }
  if (blockLists.reduce((n, l) => n + l.length, 0) > 50) return 'invalid_blocks';
  for (const list of blockLists) {
    for (const block of list) {
      const error = blockError(block);
      if (error) return error;
    }
  }
  return hasText || blockLists.some((l) => l.length > 0) ? undefined : 'no_text';
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  try {
    if (contentType?.includes('application/x-www-form-urlencoded')) {
      const payload = new URLSearchParams(raw).get('payload');
      return payload === null ? undefined : JSON.parse(payload);
    }
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const host = options.host ?? '127.0.0.1';
  const secretPath = `/services/T${randomBytes(4).toString('hex').toUpperCase()}/B${randomBytes(4).toString('hex').toUpperCase()}/${randomBytes(12).toString('hex')}`;
  const received: ReceivedSlackRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  let outage: ScriptedAnswer | undefined;
  const bucket = options.rateLimit ? { tokens: options.rateLimit.burst, at: Date.now() } : undefined;

  function rateLimited(now: number): number | undefined {
    if (!bucket || !options.rateLimit) return undefined;
    const { perSecond, burst } = options.rateLimit;
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }

  function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const now = Date.now();
    const path = req.url ?? '';
    const payload = parseBody(raw, req.headers['content-type']);
    let chosen: ScriptedAnswer;
    if (req.method !== 'POST' || path !== secretPath) {
      chosen = { status: 404, body: 'no_service' };
    } else if (outage) {
      chosen = outage;
    } else if (scripted.length > 0) {
      chosen = scripted.shift()!;
    } else {
      const wait = rateLimited(now);
      const error = payload === undefined ? 'invalid_payload' : slackPayloadError(payload);
      if (wait !== undefined) chosen = { status: 429, retryAfterSeconds: wait };
      else if (error) chosen = { status: 400, body: error };
      else chosen = { status: 200 };
    }
    const body = chosen.body ?? defaultBody(chosen.status);
    const record: ReceivedSlackRequest = { at: now, path, payload, raw, status: chosen.dropConnection ? 0 : chosen.status, answer: chosen.dropConnection ? '' : body };
    received.push(record);
    if (chosen.dropConnection) {
      req.socket.destroy();
    } else {
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (chosen.retryAfterSeconds !== undefined) headers['retry-after'] = String(chosen.retryAfterSeconds);
      res.writeHead(chosen.status, headers).end(body);
    }
    options.onRequest?.(record);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}${secretPath}`,
    port,
    received,
    delivered: () => received.filter((r) => r.status === 200).map((r) => r.payload),
    script: (...answers) => void scripted.push(...answers),
    setOutage: (answer) => void (outage = answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
