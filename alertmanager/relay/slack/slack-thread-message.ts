// Slack app mode: the parent message of an incident's thread. It shows the group's latest notification (so once
// resolved it says RESOLVED, in green), who acknowledged it, and (while open) the action buttons. Thread replies
// are the ordinary page of each notification (slack-message.ts).
import { formatTime, type NotificationView } from '../alert-view.ts';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.ts';
import { buildSlackMessage, slackLimits, type SlackBlock, type SlackImage, type SlackMessage } from './slack-message.ts';

export interface ParentState {
  ackedBy: string | undefined;
  ackedAt: number | undefined;
  /** Extra blocks while the incident is open (the buttons). */
  actions?: SlackBlock[];
  /** Lines about the incident so far (silences), newest last. */
  notes?: string[];
}

/** `<@U123>` for a Slack user ID (a mention Slack renders as the name); anything else shown as escaped text. */
export function userMention(user: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

export function buildParentMessage(view: NotificationView, images: readonly SlackImage[], state: ParentState): SlackMessage {
  const message = buildSlackMessage(view, images);
  const lines: string[] = [];
  if (state.ackedBy) lines.push(`👀 Acknowledged by ${userMention(state.ackedBy)}${state.ackedAt ? ` at ${formatTime(new Date(state.ackedAt))}` : ''}`);
  for (const note of state.notes ?? []) lines.push(note);
  const extra: SlackBlock[] = [];
  if (lines.length > 0) extra.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(lines.join('\n'), slackLimits.sectionText) }] });
  if (view.status === 'firing' && state.actions) extra.push(...state.actions);
  // After the header and its summary line: what on-call needs to see and press first.
  message.blocks.splice(2, 0, ...extra);
  if (state.ackedBy) message.text = truncateMrkdwn(`${message.text} (acknowledged by ${userMention(state.ackedBy)})`, slackLimits.sectionText);
  return message;
}
