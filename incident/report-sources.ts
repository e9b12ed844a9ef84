// What an incident report is built from, read from any Prometheus, Alertmanager and relay: Prometheus's series
// (query_range, through the relay's own reader) and its ALERTS series (every alert's pending and firing
// windows), Alertmanager's current alerts, and the relay's history: every notification in its outbox (the
// SQLite file, read-only) or, given the relay's URL, its delivery counters.
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { queryRange, type RangeSeries } from '../alertmanager/relay/graphs/prometheus-range.ts';
import { notificationHistory, type NotificationRecord } from '../alertmanager/relay/outbox/notification-history.ts';

const timeoutMs = 20_000;

export async function rangeQuery(prometheusUrl: string, query: string, from: number, to: number): Promise<RangeSeries[]> {
  return queryRange(prometheusUrl, query, from, to, AbortSignal.timeout(timeoutMs));
}

/** An instant query's scalar result (the sum of its series), or undefined when it returns nothing. */
export async function instantValue(prometheusUrl: string, query: string, at: number): Promise<number | undefined> {
  const url = new URL('api/v1/query', prometheusUrl.endsWith('/') ? prometheusUrl : `${prometheusUrl}/`);
  const response = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({ query, time: String(at / 1000) }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { status?: string; error?: string; data?: { result?: Array<{ value?: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`Prometheus ${url.origin} refused "${query.slice(0, 80)}": ${body.error ?? response.status}`);
  const values = (body.data?.result ?? []).map((r) => Number(r.value?.[1])).filter(Number.isFinite);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

export interface AlertWindow {
  alertname: string;
  severity: string;
  instance: string | undefined;
  state: 'pending' | 'firing';
  from: number;
  /** The last sample where it was in that state (plus one step: it stopped within that step). */
  to: number;
  /** Still in that state at the end of the range. */
  open: boolean;
}

/**
 * Pending and firing windows of every alert from Prometheus's ALERTS series: a window is a run of samples one
 * query step apart. Works on any Prometheus that evaluates alerting rules.
 */
export async function alertWindows(prometheusUrl: string, from: number, to: number): Promise<AlertWindow[]> {
  const series = await rangeQuery(prometheusUrl, 'ALERTS', from, to);
  const windows: AlertWindow[] = [];
  for (const s of series) {
    const step = stepOf(s.points);
    let current: AlertWindow | undefined;
    for (const [t] of s.points) {
      if (current && t - current.to <= step * 1.5) {
        current.to = t;
        continue;
      }
      if (current) windows.push(current);
      current = { alertname: s.labels.alertname ?? '?', severity: s.labels.severity ?? '', instance: s.labels.instance, state: s.labels.alertstate === 'pending' ? 'pending' : 'firing', from: t, to: t, open: false };
    }
    if (current) {
      current.open = to - current.to <= step * 1.5;
      windows.push(current);
    }
  }
  for (const w of windows) if (!w.open) w.to += stepOf([]);
  return windows.sort((a, b) => a.from - b.from);
}

function stepOf(points: Array<[number, number]>): number {
  let step = 5_000;
  for (let i = 1; i < points.length; i++) step = Math.min(step, points[i]![0] - points[i - 1]![0]);
  return Math.max(step, 1_000);
}

export interface AlertmanagerAlert {
  alertname: string;
  severity: string;
  state: string;
  startsAt: string;
}

/** Alerts Alertmanager holds now (active, silenced or inhibited): what it would still notify about. */
export async function alertmanagerAlerts(alertmanagerUrl: string): Promise<AlertmanagerAlert[]> {
  const url = new URL('api/v2/alerts', alertmanagerUrl.endsWith('/') ? alertmanagerUrl : `${alertmanagerUrl}/`);
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Alertmanager ${url.origin} answered ${response.status} to /api/v2/alerts`);
  const alerts = (await response.json()) as Array<{ labels?: Record<string, string>; status?: { state?: string }; startsAt?: string }>;
  return alerts.map((a) => ({ alertname: a.labels?.alertname ?? '?', severity: a.labels?.severity ?? '', state: a.status?.state ?? '?', startsAt: a.startsAt ?? '' }));
}

export type RelayNotification = NotificationRecord;

/** Every notification the relay accepted in the range, with its deliveries: from a stopped relay's outbox file. */
export function relayNotificationsFromFile(outboxPath: string, from: number, to: number): RelayNotification[] {
  if (!existsSync(outboxPath)) throw new Error(`--relay-outbox: no such file: ${outboxPath}`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(outboxPath, { readOnly: true, timeout: 5_000 });
    db.prepare('SELECT 1 FROM notifications LIMIT 1').get();
  } catch (error) {
    throw new Error(`--relay-outbox ${outboxPath}: ${(error as Error).message} (a running relay holds its outbox exclusively: give its URL and --relay-token-file instead)`);
  }
  try {
    return notificationHistory(db, from, to);
  } finally {
    db.close();
  }
}

/** The same from a running relay: GET /api/v1/notifications with its webhook bearer token. */
export async function relayNotificationsFromRelay(relayUrl: string, token: string, from: number, to: number): Promise<RelayNotification[]> {
  const url = new URL('api/v1/notifications', relayUrl.endsWith('/') ? relayUrl : `${relayUrl}/`);
  url.search = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) }).toString();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`relay ${url.origin} answered ${response.status} to /api/v1/notifications${response.status === 401 ? ' (wrong --relay-token-file?)' : ''}`);
  return ((await response.json()) as { notifications: RelayNotification[] }).notifications;
}

