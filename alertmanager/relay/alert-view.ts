// What Slack pages and emails show about a notification, worked out once: titles, severity, times, durations and
// links. Values stay raw (untrusted) here; each renderer escapes for its own format.
import type { Alert, EscalationNote, WebhookPayload } from './intake/webhook-payload.ts';

export type Severity = 'critical' | 'warning' | 'info' | 'none';

export interface AlertLinks {
  runbook?: string;
  dashboard?: string;
  /** The Prometheus graph of the alert's expression (generatorURL). */
  graph?: string;
  /** Alertmanager's new-silence form, prefilled with the alert's labels. */
  silence?: string;
}

export interface AlertView {
  status: 'firing' | 'resolved';
  name: string;
  severity: Severity;
  summary: string;
  description: string;
  /** Labels worth showing: all but alertname and severity (shown elsewhere). */
  labels: Array<[string, string]>;
  startsAt: Date;
  endsAt: Date | undefined;
  /** How long it has fired (firing) or fired for (resolved), in ms. */
  durationMs: number;
  links: AlertLinks;
  fingerprint: string | undefined;
}

export interface NotificationView {
  status: 'firing' | 'resolved';
  receiver: string;
  groupKey: string;
  name: string;
  severity: Severity;
  firingCount: number;
  resolvedCount: number;
  /** Alerts Alertmanager left out (max_alerts) plus any this destination does not get, for "and N more". */
  alerts: AlertView[];
  truncatedAlerts: number;
  groupLabels: Array<[string, string]>;
  /** Set when the relay sends this again because nobody acknowledged it. */
  escalation: EscalationNote | undefined;
}

/** "ESCALATED 1/2: not acknowledged for 5m 0s" */
export function escalationLine(e: EscalationNote): string {
  return `ESCALATED ${e.step}/${e.steps}: not acknowledged for ${formatDuration(e.unacknowledgedSeconds * 1000)}`;
}

const severities: Severity[] = ['critical', 'warning', 'info'];
const asSeverity = (value: string | undefined): Severity => (severities.includes(value as Severity) ? (value as Severity) : 'none');

/** Only absolute http(s) URLs become links; anything else (javascript:, relative, garbage) is dropped. */
export function safeUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function silenceUrl(base: string | undefined, labels: Record<string, string>): string | undefined {
  const root = safeUrl(base);
  if (!root) return undefined;
  const matchers = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
    .join(',');
  return `${root.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`;
}

// Alertmanager writes 0001-01-01T00:00:00Z for "no end yet".
const realDate = (value: string | undefined): Date | undefined => {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1970 ? undefined : d;
};

export function alertView(alert: Alert, alertmanagerUrl: string | undefined, now: Date): AlertView {
  const startsAt = realDate(alert.startsAt) ?? now;
  const endsAt = alert.status === 'resolved' ? realDate(alert.endsAt) : undefined;
  return {
    status: alert.status,
    name: alert.labels.alertname ?? '(no alertname)',
    severity: asSeverity(alert.labels.severity),
    summary: alert.annotations.summary ?? alert.annotations.message ?? '',
    description: alert.annotations.description ?? '',
    labels: Object.entries(alert.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').sort(([a], [b]) => (a < b ? -1 : 1)),
    startsAt,
    endsAt,
    durationMs: Math.max(0, (endsAt ?? now).getTime() - startsAt.getTime()),
    links: {
      runbook: safeUrl(alert.annotations.runbook_url),
      dashboard: safeUrl(alert.annotations.dashboard_url),
      graph: safeUrl(alert.generatorURL),
      silence: alert.status === 'firing' ? silenceUrl(alertmanagerUrl, alert.labels) : undefined,
    },
    fingerprint: alert.fingerprint,
  };
}

export function notificationView(payload: WebhookPayload, alertIndexes: readonly number[] | undefined, alertmanagerUrl: string | undefined, now = new Date()): NotificationView {
  const picked = alertIndexes ? alertIndexes.flatMap((i) => (payload.alerts[i] ? [payload.alerts[i]] : [])) : payload.alerts;
  const base = alertmanagerUrl ?? payload.externalURL;
  const alerts = picked.map((a) => alertView(a, base, now));
  // Firing first, most severe first: what the reader must act on comes before what has cleared.
  const rank = (a: AlertView): number => (a.status === 'firing' ? 0 : 10) + (a.severity === 'none' ? 3 : severities.indexOf(a.severity));
  alerts.sort((a, b) => rank(a) - rank(b));
  const severity = asSeverity(payload.commonLabels.severity ?? alerts.find((a) => a.status === 'firing')?.severity ?? alerts[0]?.severity);
  return {
    status: payload.status,
    receiver: payload.receiver,
    groupKey: payload.groupKey,
    name: payload.groupLabels.alertname ?? payload.commonLabels.alertname ?? alerts[0]?.name ?? '(no alertname)',
    severity,
    firingCount: alerts.filter((a) => a.status === 'firing').length,
    resolvedCount: alerts.filter((a) => a.status === 'resolved').length,
    alerts,
    truncatedAlerts: payload.truncatedAlerts,
    groupLabels: Object.entries(payload.groupLabels).filter(([k]) => k !== 'alertname'),
    escalation: payload.escalation,
  };
}

/** "3h 5m", "42s": short, for headers and lines. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = d > 0 ? [`${d}d`, `${h}h`] : h > 0 ? [`${h}h`, `${m}m`] : m > 0 ? [`${m}m`, `${s % 60}s`] : [`${s % 60}s`];
  return parts.join(' ');
}

/** UTC, to the second: the same time for every reader wherever they are. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
