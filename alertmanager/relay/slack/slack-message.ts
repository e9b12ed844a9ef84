// Where the Slack page is built: a Block Kit message for one notification. The header says status, severity and
// alert name; each alert gets its summary, description, labels, start time, duration and links; the attachment bar
// carries the severity colour (green once resolved); `text` is set because mobile notifications show only that.
// Slack's limits (50 blocks, 3000 characters a section, 150 a header, 10 fields) are kept by construction:
// extra alerts become "and N more", long text is cut.
import { escalationLine, formatDuration, formatTime, type AlertView, type NotificationView, type Severity } from '../alert-view.ts';
import { escapeMrkdwn, mrkdwnLink, truncateMrkdwn } from './mrkdwn.ts';

// The Block Kit subset this relay writes (plain JSON, as Slack's API reference describes it).
interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'image'; image_url: string; alt_text: string; title?: TextObject }
  | { type: 'actions'; block_id?: string; elements: unknown[] };

/** A graph image Slack fetches from the relay. */
export interface SlackImage {
  url: string;
  title: string;
  alt: string;
}

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  attachments: Array<{ color: string; blocks: SlackBlock[] }>;
}

export const slackLimits = { imageAlt: 2000, imageTitle: 2000, blocks: 50, sectionText: 3000, headerText: 150, fields: 10, fieldText: 2000, contextElements: 10, alertsShown: 10 } as const;

const colours: Record<Severity | 'resolved', string> = {
  critical: '#D00000',
  warning: '#F2A900',
  info: '#439FE0',
  none: '#888888',
  resolved: '#2EB67D',
};
const statusEmoji = { firing: '🔥', resolved: '✅' } as const;

function headerText(view: NotificationView): string {
  const status = view.status === 'firing' ? `FIRING:${view.firingCount}` : 'RESOLVED';
  const severity = view.severity === 'none' ? '' : ` ${view.severity.toUpperCase()}`;
  const escalated = view.escalation ? `⏫ ESCALATED ${view.escalation.step}/${view.escalation.steps} ` : '';
  const text = `${escalated}${statusEmoji[view.status]} [${status}]${severity} ${escapeMrkdwn(view.name)}`;
  return truncateMrkdwn(text, slackLimits.headerText);
}

/** The notification line on phones and in the channel list. */
function topLevelText(view: NotificationView): string {
  const first = view.alerts[0];
  const counts = view.status === 'firing' ? `[FIRING:${view.firingCount}]` : '[RESOLVED]';
  const severity = view.severity === 'none' ? '' : ` (${view.severity})`;
  const summary = first?.summary ? `: ${escapeMrkdwn(first.summary)}` : '';
  const escalated = view.escalation ? `⏫ ${escalationLine(view.escalation)} · ` : '';
  return truncateMrkdwn(`${escalated}${statusEmoji[view.status]} ${counts} ${escapeMrkdwn(view.name)}${severity}${summary}`, slackLimits.sectionText);
}

function alertBlocks(alert: AlertView): SlackBlock[] {
  const title = alert.summary || alert.name;
  const marker = alert.status === 'resolved' ? '✅ RESOLVED' : alert.severity === 'critical' ? '🔴' : alert.severity === 'warning' ? '🟠' : '🔵';
  const lines = [`${marker} *${escapeMrkdwn(title)}*`];
  if (alert.description) lines.push(escapeMrkdwn(alert.description));
  const section: SlackBlock & { type: 'section' } = { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(lines.join('\n'), slackLimits.sectionText) } };
  const shown = alert.labels.slice(0, slackLimits.fields);
  if (shown.length > 0) {
    const hidden = alert.labels.length - shown.length;
    section.fields = shown.map(([k, v], i) => ({
      type: 'mrkdwn' as const,
      text: truncateMrkdwn(`*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}${i === shown.length - 1 && hidden > 0 ? ` (and ${hidden} more labels)` : ''}`, slackLimits.fieldText),
    }));
  }
  const when =
    alert.status === 'firing'
      ? `Started ${formatTime(alert.startsAt)}, firing for ${formatDuration(alert.durationMs)}`
      : `Started ${formatTime(alert.startsAt)}, resolved ${alert.endsAt ? formatTime(alert.endsAt) : ''} after ${formatDuration(alert.durationMs)}`;
  const links = [
    alert.links.runbook && mrkdwnLink(alert.links.runbook, 'Runbook'),
    alert.links.dashboard && mrkdwnLink(alert.links.dashboard, 'Dashboard'),
    alert.links.graph && mrkdwnLink(alert.links.graph, 'Graph'),
    alert.links.silence && mrkdwnLink(alert.links.silence, 'Silence'),
  ].filter((l): l is string => Boolean(l));
  const context: SlackBlock & { type: 'context' } = { type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(when, slackLimits.sectionText) }] };
  if (links.length > 0) context.elements.push({ type: 'mrkdwn', text: truncateMrkdwn(links.join('  ·  '), slackLimits.sectionText) });
  return [section, context];
}

export function buildSlackMessage(view: NotificationView, images: readonly SlackImage[] = []): SlackMessage {
  const summaryParts = [`${view.firingCount} firing`, `${view.resolvedCount} resolved`, `receiver ${escapeMrkdwn(view.receiver)}`];
  if (view.groupLabels.length > 0) summaryParts.push(view.groupLabels.map(([k, v]) => `${escapeMrkdwn(k)}=${escapeMrkdwn(v)}`).join(', '));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: headerText(view), emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(summaryParts.join('  ·  '), slackLimits.sectionText) }] },
  ];
  // The graphs right under the header, full width: what on-call looks at first.
  for (const image of images) {
    blocks.push({
      type: 'image',
      image_url: image.url,
      alt_text: truncateMrkdwn(image.alt, slackLimits.imageAlt),
      title: { type: 'plain_text', text: truncateMrkdwn(image.title, slackLimits.imageTitle), emoji: true },
    });
  }
  const shown = view.alerts.slice(0, slackLimits.alertsShown);
  const detail: SlackBlock[] = shown.flatMap(alertBlocks);
  const more = view.alerts.length - shown.length + view.truncatedAlerts;
  if (more > 0) detail.push({ type: 'section', text: { type: 'mrkdwn', text: `_and ${more} more alert${more === 1 ? '' : 's'}_` } });
  return {
    text: topLevelText(view),
    blocks,
    attachments: [{ color: view.status === 'resolved' ? colours.resolved : colours[view.severity], blocks: detail }],
  };
}
