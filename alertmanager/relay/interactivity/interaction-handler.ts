// The Slack interactivity endpoint (the app's Request URL). Checks the signature (401 and counted when it is
// forged, stale, replayed or missing), answers 200 at once (Slack wants an answer within 3 seconds), then acts
// on the button: Acknowledge or Silence for the incident whose parent message it was pressed on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { InteractionOutcome, RelayMetrics } from '../metrics.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { readBody } from '../intake/read-body.ts';
import { actionIds, silenceHours } from './incident-buttons.ts';
import type { IncidentActions } from './incident-actions.ts';
import type { SlackSignatureVerifier } from './slack-signature.ts';

interface BlockActionsPayload {
  type: string;
  user?: { id?: string; username?: string; name?: string };
  container?: { channel_id?: string; message_ts?: string };
  channel?: { id?: string };
  message?: { ts?: string; thread_ts?: string };
  actions?: Array<{ action_id?: string }>;
}

export interface InteractionHandlerDeps {
  verifier: SlackSignatureVerifier;
  store: OutboxStore;
  actions: IncidentActions;
  metrics: RelayMetrics;
  logger: Logger;
}

const maxBody = 256 * 1024;

export function createInteractionHandler(d: InteractionHandlerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const count = (outcome: InteractionOutcome): void => d.metrics.slackInteractions.inc({ outcome });
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('use POST\n');
      return;
    }
    const read = await readBody(req, maxBody);
    if (!read.ok) {
      if (read.reason === 'too_large') {
        count('invalid');
        res.writeHead(413, { connection: 'close', 'content-type': 'text/plain' }).end('too large\n');
      }
      return;
    }
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const check = d.verifier.check(header('x-slack-request-timestamp'), header('x-slack-signature'), read.body);
    if (check !== 'valid') {
      count(check);
      d.logger.warn({ check }, 'Slack interaction refused: signature not valid');
      res.writeHead(401, { 'content-type': 'text/plain' }).end('invalid signature\n');
      return;
    }
    let payload: BlockActionsPayload;
    try {
      payload = JSON.parse(new URLSearchParams(read.body.toString('utf8')).get('payload') ?? '') as BlockActionsPayload;
    } catch {
      count('invalid');
      res.writeHead(400, { 'content-type': 'text/plain' }).end('no payload\n');
      return;
    }
    count('accepted');
    res.writeHead(200).end();
    if (payload.type !== 'block_actions') return;
    const channel = payload.container?.channel_id ?? payload.channel?.id;
    const ts = payload.container?.message_ts ?? payload.message?.ts;
    const action = payload.actions?.[0]?.action_id;
    const userId = payload.user?.id;
    if (!channel || !ts || !action || !userId) return;
    const thread = d.store.threadByMessage(channel, ts);
    if (!thread) {
      d.logger.warn({ channel, action }, 'Slack interaction on a message the relay does not know');
      return;
    }
    const user = { id: userId, name: payload.user?.username ?? payload.user?.name ?? userId };
    try {
      if (action === actionIds.acknowledge) await d.actions.acknowledge(thread, user);
      else if (action in silenceHours) await d.actions.silence(thread, user, silenceHours[action]!);
    } catch (error) {
      d.logger.error({ err: error, action }, 'Slack action failed');
    }
  };
}
