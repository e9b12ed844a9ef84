// The immediate email for one notification: subject from the group's status and alert name, multipart HTML and
// text bodies with every alert's details.
import { formatTime, type NotificationView } from '../alert-view.ts';
import { truncateText } from '../truncate-text.ts';
import { alertDetailsHtml, alertDetailsText, emailLimits, htmlDocument, statusLine } from './alert-details.ts';
import { escapeHtml } from './html-escape.ts';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** A graph shown inline in the HTML part: the image travels as a related MIME part with this Content-ID. */
export interface InlineGraph {
  cid: string;
  title: string;
  alt: string;
  width: number;
}

export function inlineGraphHtml(graph: InlineGraph): string {
  return `<div style="margin:12px 0"><img src="cid:${escapeHtml(graph.cid)}" alt="${escapeHtml(graph.alt)}" title="${escapeHtml(graph.title)}" width="${graph.width}" style="max-width:100%;border:1px solid #ddd"></div>`;
}

export function buildNotificationEmail(view: NotificationView, subjectPrefix: string, receivedAt: Date, graphs: readonly InlineGraph[] = []): EmailContent {
  const subject = `${subjectPrefix} ${statusLine(view)}`.replace(/[\r\n]+/g, ' ').slice(0, 250);
  const shown = view.alerts.slice(0, emailLimits.alertsPerNotification);
  const more = view.alerts.length - shown.length + view.truncatedAlerts;
  const groupLabels = truncateText(view.groupLabels.map(([k, v]) => `${k}=${v}`).join(', '), emailLimits.title);
  const intro = `${view.firingCount} firing, ${view.resolvedCount} resolved (receiver ${view.receiver}${groupLabels ? `; ${groupLabels}` : ''}), received ${formatTime(receivedAt)}`;
  const text = [statusLine(view), intro, '', ...shown.map(alertDetailsText), more > 0 ? `\nand ${more} more alerts` : ''].join('\n');
  const html = htmlDocument(
    subject,
    [
      `<h2 style="margin:0">${escapeHtml(statusLine(view))}</h2>`,
      `<p style="color:#555">${escapeHtml(intro)}</p>`,
      ...graphs.map(inlineGraphHtml),
      ...shown.map(alertDetailsHtml),
      more > 0 ? `<p><em>and ${more} more alerts</em></p>` : '',
    ].join('\n'),
  );
  return { subject, text, html };
}
