// A local HTTP server that answers exactly as Slack's incoming webhooks do, for tests and for `npm start`
// when no real Slack webhook is configured. Slack is the one part of the chain that cannot run here.
//
// What Slack does, and so what this does:
//  - POST to the webhook's secret path, JSON body (or form-encoded `payload=`): 200 `ok` (text/plain).
//  - Malformed JSON: 400 `invalid_payload`; neither text nor blocks: 400 `no_text`; blocks over the limits
//    (50 blocks in the message, attachments' blocks included; 1 to 3000 characters a section or context text,
//    10 fields of at most 2000; 150 a header, header not plain_text): 400 `invalid_blocks`.
//  - Image blocks: image_url an http(s) URL of at most 3000 characters, alt_text 1 to 2000. With `fetchImages`,
//    the image is downloaded as Slack does when the message is posted; one that cannot be fetched as an image
//    makes the message 400 `invalid_blocks` (Slack: "downloading image failed").
//  - Unknown path: 404 `no_service`. Over its rate (about one a second with bursts): 429 `rate_limited`
//    with `Retry-After` in seconds.
// Slack app mode (Web API), with `app: { botToken, channels }`, under `<url origin>/api/<method>` (apiUrl):
//  - chat.postMessage (channel, text/blocks/attachments, thread_ts) and chat.update (channel, ts, ...), JSON or
//    form-encoded (as @slack/web-api sends, objects as JSON strings), the token as `Authorization: Bearer`.
//  - HTTP 200 `{ ok: true, channel, ts, message }`; errors HTTP 200 `{ ok: false, error }`: not_authed (no token),
//    invalid_auth (wrong token), channel_not_found, message_not_found (update of an unknown ts), no_text,
//    invalid_blocks; over the rate: HTTP 429 `{ ok: false, error: 'ratelimited' }` with Retry-After.
//  - Interactivity: pressButton() posts a `block_actions` payload to the app's Request URL as Slack does
//    (form-encoded `payload=`, signed with the signing secret: X-Slack-Signature = v0= HMAC-SHA256 of
//    `v0:<X-Slack-Request-Timestamp>:<body>`), only for a button that is on the message; or a forged, stale or
//    replayed one for tests.
// Tests script answers ahead (429 storms, 5xx, `channel_not_found`, dropped connections) and read back
// everything received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
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

/** A message in the stand-in's channels (app mode), as last posted or updated. */
export interface SlackApiMessage {
  channel: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  blocks: unknown[];
  attachments: unknown[];
  /** Every version, the posted one first, then one per chat.update. */
  versions: Array<{ at: number; text: string; blocks: unknown[]; attachments: unknown[] }>;
}

/** A scripted Web API answer: an error code (HTTP 200), a 429 with Retry-After, or another HTTP status. */
export interface ScriptedApiAnswer {
  /** Answer this call as usual (to script a later one). */
  pass?: boolean;
  error?: string;
  status?: number;
  retryAfterSeconds?: number;
}

export interface ButtonPress {
  url: string;
  message: SlackApiMessage;
  actionId: string;
  user: { id: string; username: string };
  tamper?: 'forged' | 'stale' | 'replayed';
}

/** Posts an interaction payload signed as Slack signs it. */
export async function postSignedInteraction(url: string, signingSecret: string, payload: unknown, timestampSeconds = Math.floor(Date.now() / 1000), forge = false): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', forge ? `${signingSecret}-forged` : signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature }, body });
}

export interface FetchedImage {
  url: string;
  status: number;
  contentType: string;
  body: Buffer;
}

export interface SlackStandInOptions {
  host?: string;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  /** Slack's own pacing: tokens per second and bucket size. Unset: no rate limit. */
  rateLimit?: { perSecond: number; burst: number };
  /** Slack app mode: the bot token the Web API accepts and the channel IDs the bot is a member of. */
  app?: { botToken: string; channels: string[]; signingSecret?: string };
  /** Download every image block's image_url as Slack does, refusing the message when one fails. */
  fetchImages?: boolean;
  /** Called for every request after it was answered. */
  onRequest?: (request: ReceivedSlackRequest) => void;
}

export interface SlackStandIn {
  /** The full webhook URL (its path is the secret, as at Slack). */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  received: ReceivedSlackRequest[];
  /** Images downloaded for image blocks (with `fetchImages`), in order. */
  images: FetchedImage[];
  /** App mode: the Web API base URL (`http://host:port/api/`). */
  apiUrl: string;
  /** App mode: messages in the channels, in posting order. */
  messages: SlackApiMessage[];
  /** App mode: Web API calls, in order (method, parsed arguments without the token, answer). */
  apiCalls: Array<{ at: number; method: string; args: Record<string, unknown>; status: number; answer: Record<string, unknown> }>;
  /**
   * Presses a button of a message as a user, posting the signed interaction to `url` (the app's Request URL);
   * resolves to the HTTP status the app answered. `tamper`: forge the signature, or send a stale timestamp, or
   * send the same signed request twice (resolves to the second answer).
   */
  pressButton(press: ButtonPress): Promise<number>;
  /** Queues answers for the next Web API calls, in order. */
  scriptApi(...answers: ScriptedApiAnswer[]): void;
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
  if (b.type === 'image') {
    const img = block as { image_url?: unknown; alt_text?: unknown; title?: { type?: unknown; text?: unknown } };
    if (typeof img.image_url !== 'string' || img.image_url.length > 3000 || !/^https?:\/\//.test(img.image_url)) return 'invalid_blocks';
    if (typeof img.alt_text !== 'string' || img.alt_text.length === 0 || img.alt_text.length > 2000) return 'invalid_blocks';
    if (img.title !== undefined && (img.title.type !== 'plain_text' || typeof img.title.text !== 'string' || img.title.text.length > 2000)) return 'invalid_blocks';
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

/** Every image block's URL, in the message and its attachments. */
export function imageUrls(payload: unknown): string[] {
  const message = payload as { blocks?: unknown[]; attachments?: Array<{ blocks?: unknown[] }> };
  const blocks = [...(Array.isArray(message?.blocks) ? message.blocks : []), ...(Array.isArray(message?.attachments) ? message.attachments.flatMap((a) => (Array.isArray(a?.blocks) ? a.blocks : [])) : [])];
  return blocks.flatMap((b) => ((b as { type?: unknown }).type === 'image' && typeof (b as { image_url?: unknown }).image_url === 'string' ? [(b as { image_url: string }).image_url] : []));
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
  const images: FetchedImage[] = [];

  /** Downloads the message's images as Slack does; false when one is not an image Slack could show. */
  async function downloadImages(payload: unknown): Promise<boolean> {
    for (const url of imageUrls(payload)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        const image = { url, status: response.status, contentType: response.headers.get('content-type') ?? '', body: Buffer.from(await response.arrayBuffer()) };
        images.push(image);
        if (!response.ok || !image.contentType.startsWith('image/')) return false;
      } catch {
        images.push({ url, status: 0, contentType: '', body: Buffer.alloc(0) });
        return false;
      }
    }
    return true;
  }
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

  const messages: SlackApiMessage[] = [];
  const apiCalls: SlackStandIn['apiCalls'] = [];
  const scriptedApi: ScriptedApiAnswer[] = [];
  let tsCounter = 0;

  /** Web API arguments: JSON, or form-encoded with objects as JSON strings (as @slack/web-api sends them). */
  function apiArgs(raw: string, contentType: string | undefined): Record<string, unknown> | undefined {
    try {
      if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
      const args: Record<string, unknown> = {};
      for (const [k, v] of new URLSearchParams(raw)) {
        args[k] = (k === 'blocks' || k === 'attachments') && v !== '' ? JSON.parse(v) : v;
      }
      return args;
    } catch {
      return undefined;
    }
  }

  async function answerApi(req: IncomingMessage, res: ServerResponse, raw: string, now: number): Promise<void> {
    const method = (req.url ?? '').slice('/api/'.length).split('?')[0] ?? '';
    const args = apiArgs(raw, req.headers['content-type']) ?? {};
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    let status = 200;
    let retryAfter: number | undefined;
    let body: Record<string, unknown>;
    const fail = (error: string): Record<string, unknown> => ({ ok: false, error });
    const next = scriptedApi.shift();
    const scripted = next?.pass ? undefined : next;
    const channels = options.app?.channels ?? [];
    if (scripted) {
      status = scripted.status ?? (scripted.retryAfterSeconds !== undefined ? 429 : 200);
      retryAfter = scripted.retryAfterSeconds;
      body = fail(scripted.error ?? (status === 429 ? 'ratelimited' : 'internal_error'));
    } else if (!options.app || (method !== 'chat.postMessage' && method !== 'chat.update')) {
      body = fail('unknown_method');
    } else if (auth === undefined) {
      body = fail('not_authed');
    } else if (auth !== options.app.botToken) {
      body = fail('invalid_auth');
    } else if ((retryAfter = rateLimited(now)) !== undefined) {
      status = 429;
      body = fail('ratelimited');
    } else if (typeof args.channel !== 'string' || !channels.includes(args.channel)) {
      body = fail('channel_not_found');
    } else {
      const content = { text: typeof args.text === 'string' ? args.text : undefined, blocks: args.blocks, attachments: args.attachments };
      const error = slackPayloadError(Object.fromEntries(Object.entries(content).filter(([, v]) => v !== undefined)));
      const version = { at: now, text: content.text ?? '', blocks: (args.blocks as unknown[]) ?? [], attachments: (args.attachments as unknown[]) ?? [] };
      if (error) body = fail(error);
      else if (options.fetchImages && !(await downloadImages(content))) body = fail('invalid_blocks');
      else if (method === 'chat.postMessage') {
        tsCounter += 1;
        const ts = `${Math.floor(now / 1000)}.${String(tsCounter).padStart(6, '0')}`;
        const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
        const message: SlackApiMessage = { channel: args.channel, ts, threadTs, ...version, versions: [version] };
        messages.push(message);
        body = { ok: true, channel: args.channel, ts, message: { type: 'message', text: version.text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) } };
      } else {
        const message = messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        if (!message) body = fail('message_not_found');
        else {
          Object.assign(message, { text: version.text, blocks: version.blocks, attachments: version.attachments });
          message.versions.push(version);
          body = { ok: true, channel: message.channel, ts: message.ts, text: version.text };
        }
      }
    }
    apiCalls.push({ at: now, method, args, status, answer: body });
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    if ((req.url ?? '').startsWith('/api/') && req.method === 'POST') {
      await answerApi(req, res, raw, Date.now());
      return;
    }
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
      if (chosen.status === 200 && options.fetchImages && !(await downloadImages(payload))) chosen = { status: 400, body: 'invalid_blocks' };
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
    req.on('end', () => void answer(req, res, Buffer.concat(chunks).toString('utf8')));
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
    images,
    apiUrl: `http://${host}:${port}/api/`,
    messages,
    apiCalls,
    scriptApi: (...answers) => void scriptedApi.push(...answers),
    async pressButton(press) {
      const secret = options.app?.signingSecret;
      if (!secret) throw new Error('the stand-in needs app.signingSecret to sign interactions');
      const button = press.message.blocks
        .filter((b): b is { type: 'actions'; elements: Array<{ action_id?: string; value?: string; type?: string }> } => (b as { type?: string }).type === 'actions')
        .flatMap((b) => b.elements)
        .find((e) => e.action_id === press.actionId);
      if (!button) throw new Error(`no button ${press.actionId} on message ${press.message.ts}`);
      const payload = {
        type: 'block_actions',
        user: { id: press.user.id, username: press.user.username, name: press.user.username, team_id: 'T0STANDIN' },
        api_app_id: 'A0STANDIN',
        team: { id: 'T0STANDIN', domain: 'stand-in' },
        container: { type: 'message', message_ts: press.message.ts, channel_id: press.message.channel, is_ephemeral: false },
        channel: { id: press.message.channel, name: press.message.channel },
        message: { type: 'message', ts: press.message.ts, text: press.message.text, blocks: press.message.blocks },
        trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
        response_url: `http://${host}:${port}/actions/response`,
        actions: [{ type: button.type ?? 'button', action_id: press.actionId, block_id: 'incident_actions', value: button.value, action_ts: String(Date.now() / 1000) }],
      };
      const now = Math.floor(Date.now() / 1000);
      const first = await postSignedInteraction(press.url, secret, payload, press.tamper === 'stale' ? now - 600 : now, press.tamper === 'forged');
      await first.text();
      if (press.tamper !== 'replayed') return first.status;
      // The same request again, byte for byte (same timestamp, same signature).
      const again = await postSignedInteraction(press.url, secret, payload, now);
      await again.text();
      return again.status;
    },
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
