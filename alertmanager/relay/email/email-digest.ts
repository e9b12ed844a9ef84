// The digest email: everything a destination collected during its interval, as one message. Firing and resolved
// counts first, then a timeline (one line per notification, in arrival order), then each notification's alerts.
import { formatTime, notificationView, type NotificationView } from '../alert-view.ts';
import type { PendingDelivery } from '../outbox/outbox-store.ts';
import { alertDetailsHtml, alertDetailsText, emailLimits, htmlDocument, statusLine } from './alert-details.ts';
import { inlineGraphHtml, type EmailContent, type InlineGraph } from './email-message.ts';
import { escapeHtml } from './html-escape.ts';

/** `graphs`: the small graph shown with a notification, by its index in `deliveries` (one per alert group). */
export function buildDigestEmail(
  deliveries: readonly PendingDelivery[],
  subjectPrefix: string,
  alertmanagerUrl: string | undefined,
  now = new Date(),
  graphs: ReadonlyMap<number, InlineGraph> = new Map(),
): EmailContent {
  const entries: Array<{ at: Date; view: NotificationView }> = deliveries.map((d) => ({ at: new Date(d.receivedAt), view: notificationView(d.payload, d.alertIndexes, alertmanagerUrl, now) }));
  const firing = entries.reduce((n, e) => n + e.view.firingCount, 0);
  const resolved = entries.reduce((n, e) => n + e.view.resolvedCount, 0);
  const first = entries[0]?.at ?? now;
  const last = entries.at(-1)?.at ?? now;
  const counts = `${firing} firing, ${resolved} resolved in ${entries.length} notification${entries.length === 1 ? '' : 's'}`;
  const span = `${formatTime(first)} to ${formatTime(last)}`;
  const subject = `${subjectPrefix} Digest: ${counts}`;
  const timeline = entries.map((e) => `${formatTime(e.at)}  ${statusLine(e.view)}`);
  // Each notification's alerts as in its own email: the first ones in full, the rest counted.
  const shown = (view: NotificationView): NotificationView['alerts'] => view.alerts.slice(0, emailLimits.alertsPerNotification);
  const more = (view: NotificationView): number => view.alerts.length - shown(view).length + view.truncatedAlerts;

  const text = [
    `Alert digest: ${counts}`,
    span,
    '',
    'Timeline',
    ...timeline.map((l) => `  ${l}`),
    '',
    ...entries.flatMap((e) => [`${statusLine(e.view)} (${formatTime(e.at)})`, ...shown(e.view).map(alertDetailsText), ...(more(e.view) > 0 ? [`and ${more(e.view)} more alerts`] : []), '']),
  ].join('\n');

  const html = htmlDocument(
    subject,
    [
      `<h2 style="margin:0">Alert digest: ${escapeHtml(counts)}</h2>`,
      `<p style="color:#555">${escapeHtml(span)}</p>`,
      `<h3>Timeline</h3>`,
      `<table style="font-size:90%">${entries.map((e) => `<tr><td style="color:#555;padding-right:12px">${escapeHtml(formatTime(e.at))}</td><td>${escapeHtml(statusLine(e.view))}</td></tr>`).join('')}</table>`,
      `<h3>Details</h3>`,
      ...entries.map((e, i) => `<h4 style="margin-bottom:0">${escapeHtml(statusLine(e.view))} <span style="color:#555;font-weight:normal">${escapeHtml(formatTime(e.at))}</span></h4>\n${graphs.has(i) ? `${inlineGraphHtml(graphs.get(i)!)}\n` : ''}${shown(e.view).map(alertDetailsHtml).join('\n')}${more(e.view) > 0 ? `\n<p><em>and ${more(e.view)} more alerts</em></p>` : ''}`),
    ].join('\n'),
  );
  return { subject, text, html };
}
