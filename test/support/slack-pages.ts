// Reads the pages that reached the Slack stand-in (answered 200 `ok`): which alert, firing or resolved, about
// which instance, and when. The relay writes the alert name and `[FIRING:n]` / `[RESOLVED]` into the message's
// top-level text and the labels (instance among them) into its blocks.
import type { SlackStandIn } from './stand-ins/slack-stand-in.ts';

export interface SlackPage {
  /** Date.now() when the stand-in read it. */
  at: number;
  status: 'firing' | 'resolved';
  /** The top-level text (what a phone shows). */
  text: string;
  raw: string;
}

/** Pages about `instance` naming one of `alertnames` (any when empty), in arrival order. */
export function slackPages(standIn: SlackStandIn, filter: { instance: string; alertnames?: readonly string[]; status?: SlackPage['status']; after?: number }): SlackPage[] {
  return standIn.received.flatMap((request) => {
    if (request.status !== 200 || !request.raw.includes(filter.instance)) return [];
    const text = (request.payload as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string') return [];
    if (filter.alertnames !== undefined && filter.alertnames.length > 0 && !filter.alertnames.some((name) => new RegExp(`\\b${name}\\b`).test(text))) return [];
    const status = text.includes('[RESOLVED]') ? 'resolved' : 'firing';
    if (filter.status !== undefined && status !== filter.status) return [];
    if (filter.after !== undefined && request.at < filter.after) return [];
    return [{ at: request.at, status, text, raw: request.raw }];
  });
}
