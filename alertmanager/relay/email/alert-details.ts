// One alert's details in an email, as HTML (every value escaped) and as plain text: summary, description, labels,
// times and the same links as in Slack. Shared by immediate emails and digests.
import { formatDuration, formatTime, type AlertLinks, type AlertView, type NotificationView } from '../alert-view.ts';
import { escapeHtml } from './html-escape.ts';

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
  return `[${status}] ${view.name}${view.severity === 'none' ? '' : ` (${view.severity})`}`;
}

export function alertDetailsHtml(alert: AlertView): string {
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

export function alertDetailsText(alert: AlertView): string {
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
