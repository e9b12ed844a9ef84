// One alert's details in an email, as HTML (every value escaped) and as plain text: summary, description, labels,
// times and the same links as in Slack. Shared by immediate emails and digests.
import { escalationLine, formatDuration, formatTime, type AlertLinks, type AlertView, type NotificationView } from '../alert-view.ts';
import { truncateText } from '../truncate-text.ts';
import { escapeHtml } from './html-escape.ts';

/**
 * What one alert may put in an email, in characters (cut with "… (truncated)"): values may be up to 16 KiB each
 * (the intake's cap) and a digest holds hundreds of alerts, so an email stays readable and well under mail size
 * limits. The full values stay in the outbox.
 */
export const emailLimits = { title: 1000, description: 8000, labelValue: 1000, alertsPerNotification: 100 } as const;

/** The alert with its texts cut to the email limits. */
function forEmail(alert: AlertView): AlertView {
  return {
    ...alert,
    summary: truncateText(alert.summary, emailLimits.title),
    name: truncateText(alert.name, emailLimits.title),
    description: truncateText(alert.description, emailLimits.description),
    labels: alert.labels.map(([k, v]) => [truncateText(k, emailLimits.labelValue), truncateText(v, emailLimits.labelValue)]),
  };
}

const colours = { critical: '#D00000', warning: '#F2A900', info: '#439FE0', none: '#888888', resolved: '#2EB67D' } as const;

const linkList = (links: AlertLinks): Array<[string, string]> =>
  (
    [
      ['Runbook', links.runbook],
      ['Dashboard', links.dashboard],
      ['Graph', links.graph],
      ['Silence', links.silence],
    ] as Array<[string, string | undefined]>
  ).filter((l): l is [string, string] => l[1] !== undefined);

function when(alert: AlertView): string {
  return alert.status === 'firing'
    ? `started ${formatTime(alert.startsAt)}, firing for ${formatDuration(alert.durationMs)}`
    : `started ${formatTime(alert.startsAt)}, resolved${alert.endsAt ? ` ${formatTime(alert.endsAt)}` : ''} after ${formatDuration(alert.durationMs)}`;
}

export function statusLine(view: NotificationView): string {
  const status = view.status === 'firing' ? `FIRING:${view.firingCount}` : 'RESOLVED';
  return `${view.escalation ? `${escalationLine(view.escalation)}: ` : ''}[${status}] ${truncateText(view.name, emailLimits.title)}${view.severity === 'none' ? '' : ` (${view.severity})`}`;
}

export function alertDetailsHtml(full: AlertView): string {
  const alert = forEmail(full);
  const colour = alert.status === 'resolved' ? colours.resolved : colours[alert.severity];
  const title = escapeHtml(alert.summary || alert.name);
  const labels = alert.labels.map(([k, v]) => `<tr><td style="color:#555;padding-right:8px">${escapeHtml(k)}</td><td><code>${escapeHtml(v)}</code></td></tr>`).join('');
  const links = linkList(alert.links)
    .map(([label, url]) => `<a href="${escapeHtml(url)}">${label}</a>`)
    .join(' &middot; ');
  return [
    `<div style="border-left:4px solid ${colour};padding:4px 12px;margin:12px 0">`,
    `<div style="font-weight:bold">${alert.status === 'resolved' ? 'RESOLVED: ' : ''}${title}</div>`,
    alert.description ? `<div style="white-space:pre-wrap">${escapeHtml(alert.description)}</div>` : '',
    `<div style="color:#555;font-size:90%">${escapeHtml(alert.name)} &middot; ${escapeHtml(alert.severity)} &middot; ${escapeHtml(when(alert))}</div>`,
    labels ? `<table style="font-size:90%">${labels}</table>` : '',
    links ? `<div>${links}</div>` : '',
    `</div>`,
  ].join('\n');
}

export function alertDetailsText(full: AlertView): string {
  const alert = forEmail(full);
  const lines = [`${alert.status === 'resolved' ? 'RESOLVED: ' : '- '}${alert.summary || alert.name}`];
  if (alert.description) lines.push(`  ${alert.description.replaceAll('\n', '\n  ')}`);
  lines.push(`  ${alert.name}, ${alert.severity}, ${when(alert)}`);
  for (const [k, v] of alert.labels) lines.push(`  ${k}: ${v}`);
  for (const [label, url] of linkList(alert.links)) lines.push(`  ${label}: ${url}`);
  return lines.join('\n');
}

export function htmlDocument(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body style="font-family:sans-serif">\n${body}\n</body></html>\n`;
}
