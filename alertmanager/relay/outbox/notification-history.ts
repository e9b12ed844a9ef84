// The relay's notification history: every notification accepted in a time range, with its alert names and
// severities and what became of each delivery (state, attempts, when it finished). Read by GET
// /api/v1/notifications (incident reports from a running relay) and from an outbox file of a stopped relay.
import type { DatabaseSync } from 'node:sqlite';

export interface NotificationRecord {
  id: number;
  receivedAt: number;
  receiver: string;
  status: string;
  alertnames: string[];
  severities: string[];
  deliveries: Array<{ channel: string; destination: string; state: string; attempts: number; finishedAt: number | undefined }>;
}

/** At most this many notifications per read (the newest beyond it are left out; narrow the range). */
export const historyLimit = 10_000;

export function notificationHistory(db: DatabaseSync, from: number, to: number): NotificationRecord[] {
  const rows = db.prepare('SELECT id, received_at, receiver, status, payload FROM notifications WHERE received_at BETWEEN ? AND ? ORDER BY received_at, id LIMIT ?').all(from, to, historyLimit) as Array<{
    id: number;
    received_at: number;
    receiver: string;
    status: string;
    payload: string;
  }>;
  const deliveries = db.prepare('SELECT channel, destination, state, attempts, finished_at FROM deliveries WHERE notification_id = ? ORDER BY id');
  return rows.map((row) => {
    const payload = JSON.parse(row.payload) as { alerts?: Array<{ labels?: Record<string, string> }> };
    const labels = (payload.alerts ?? []).map((a) => a.labels ?? {});
    return {
      id: row.id,
      receivedAt: row.received_at,
      receiver: row.receiver,
      status: row.status,
      alertnames: [...new Set(labels.map((l) => l.alertname ?? '?'))],
      severities: [...new Set(labels.map((l) => l.severity ?? ''))],
      deliveries: (deliveries.all(row.id) as Array<{ channel: string; destination: string; state: string; attempts: number; finished_at: number | null }>).map((d) => ({
        channel: d.channel,
        destination: d.destination,
        state: d.state,
        attempts: d.attempts,
        finishedAt: d.finished_at ?? undefined,
      })),
    };
  });
}
