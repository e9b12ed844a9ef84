// Sends emails through one pooled nodemailer SMTP transport and classifies what the server answered: 4yz replies
// and network errors are retried; 5yz replies, authentication failures and "all recipients rejected" are final.
import { createTransport, type Transporter } from 'nodemailer';
import type { EmailDestinationConfig, SmtpConfig } from '../config.ts';
import type { DestinationSender, SendOutcome } from '../delivery/send-outcome.ts';
import { notificationView } from '../alert-view.ts';
import type { PendingDelivery } from '../outbox/outbox-store.ts';
import { buildDigestEmail } from './email-digest.ts';
import { buildNotificationEmail, type EmailContent, type InlineGraph } from './email-message.ts';
import type { AlertGraphs } from '../graphs/alert-graphs.ts';
import { alertsOfDelivery } from '../graphs/delivery-alerts.ts';
import { digestThreading, notificationThreading, type ThreadingHeaders } from './message-ids.ts';

export function createSmtpTransport(smtp: SmtpConfig): Transporter {
  return createTransport({
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    maxConnections: smtp.maxConnections,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: smtp.timeoutSeconds * 1000,
    greetingTimeout: smtp.timeoutSeconds * 1000,
    socketTimeout: smtp.timeoutSeconds * 1000,
    logger: false,
  });
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/** What to do after a failed SMTP send. */
export function classifySmtpError(error: SmtpError): SendOutcome {
  const code = error.responseCode;
  const reply = code ? `${code} on ${error.command ?? 'SMTP'}` : (error.code ?? error.name);
  const detail = `${reply}: ${error.message}`.slice(0, 500);
  if (code !== undefined && code >= 400 && code < 500) return { kind: 'retry', reason: 'smtp_4xx', detail };
  if (error.code === 'EAUTH') return { kind: 'final', reason: 'auth', detail };
  if (error.code === 'EENVELOPE' && (code === undefined || code >= 500)) return { kind: 'final', reason: 'recipients_rejected', detail };
  if (code !== undefined && code >= 500) return { kind: 'final', reason: 'smtp_5xx', detail };
  return { kind: 'retry', reason: 'network', detail };
}

export interface EmailSenderOptions {
  destination: EmailDestinationConfig;
  smtp: SmtpConfig;
  transport: Transporter;
  alertmanagerUrl: string | undefined;
  /** Draws the graphs shown inline; undefined: emails without graphs. */
  graphs?: AlertGraphs | undefined;
}

/** Digest graphs: small, one per alert group, at most this many in one digest. */
export const digestGraphs = { max: 20, width: 480, height: 200 } as const;

interface Attachment {
  filename: string;
  content: Buffer;
  cid: string;
  contentType: string;
}

interface Composed {
  content: EmailContent;
  threading: ThreadingHeaders;
  attachments: Attachment[];
}

export function createEmailSender({ destination, smtp, transport, alertmanagerUrl, graphs }: EmailSenderOptions): DestinationSender {
  const domain = smtp.messageIdDomain ?? (/@([^>\s]+)/.exec(smtp.from)?.[1] ?? 'alert-relay.local');
  const inline = (png: Buffer, key: string, title: string, alt: string, width: number): { graph: InlineGraph; attachment: Attachment } => {
    const cid = `graph-${key}@${domain}`;
    return { graph: { cid, title, alt, width }, attachment: { filename: `graph-${key}.png`, content: png, cid, contentType: 'image/png' } };
  };

  async function compose(deliveries: readonly PendingDelivery[]): Promise<Composed> {
    const now = new Date();
    if (destination.mode === 'digest') {
      // The newest notification of each alert group shows that group's graph; all drawn under one budget.
      const newestOfGroup = new Map<string, number>();
      deliveries.forEach((d, i) => newestOfGroup.set(d.payload.groupKey, i));
      const picked = [...newestOfGroup.values()].slice(-digestGraphs.max);
      const drawn = graphs ? await Promise.all(picked.map((i) => graphs.render(alertsOfDelivery(deliveries[i]!), { max: 1, width: digestGraphs.width, height: digestGraphs.height }))) : [];
      const shown = new Map<number, InlineGraph>();
      const attachments: Attachment[] = [];
      drawn.forEach(([g], j) => {
        if (!g) return;
        const { graph, attachment } = inline(g.png, `${deliveries[picked[j]!]!.id}`, g.title, g.alt, digestGraphs.width);
        shown.set(picked[j]!, graph);
        attachments.push(attachment);
      });
      return {
        content: buildDigestEmail(deliveries, destination.subjectPrefix, alertmanagerUrl, now, shown),
        threading: digestThreading(deliveries, destination.name, domain, now.toISOString().slice(0, 10)),
        attachments,
      };
    }
    const [delivery] = deliveries;
    if (!delivery || deliveries.length !== 1) throw new Error('an immediate email carries exactly one notification');
    const view = notificationView(delivery.payload, delivery.alertIndexes, alertmanagerUrl, now);
    const drawn = graphs ? await graphs.render(alertsOfDelivery(delivery)) : [];
    const parts = drawn.map((g, i) => inline(g.png, `${delivery.id}-${i}`, g.title, g.alt, graphs!.config.width));
    return {
      content: buildNotificationEmail(view, destination.subjectPrefix, new Date(delivery.receivedAt), parts.map((p) => p.graph)),
      threading: notificationThreading(delivery, domain),
      attachments: parts.map((p) => p.attachment),
    };
  }

  return {
    channel: 'email',
    destination: destination.name,
    async send(deliveries) {
      let composed: Composed;
      try {
        composed = await compose(deliveries);
      } catch (error) {
        // Rendering is deterministic: what fails once fails forever, so it must not block the queue behind it.
        return { kind: 'final', reason: 'render_error', detail: error instanceof Error ? error.message : String(error) };
      }
      const { content, threading, attachments } = composed;
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          to: destination.to,
          cc: destination.cc.length > 0 ? destination.cc : undefined,
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId: threading.messageId,
          inReplyTo: threading.inReplyTo,
          references: threading.references,
          attachments: attachments.length > 0 ? attachments : undefined,
          headers: { 'X-Alert-Relay-Destination': destination.name },
        });
        // Some recipients accepted: delivered (the rejected ones are a config problem, not worth a resend).
        if ((info.accepted ?? []).length === 0) return { kind: 'final', reason: 'recipients_rejected', detail: 'no recipient accepted' };
        return { kind: 'delivered' };
      } catch (error) {
        return classifySmtpError(error as SmtpError);
      }
    },
    async close() {},
  };
}
