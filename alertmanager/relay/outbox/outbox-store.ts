// The durable outbox: every accepted notification and its deliveries, in SQLite (node:sqlite). WAL with
// synchronous=FULL means a transaction is on disk when COMMIT returns, so the relay answers 2xx only after that,
// and a SIGKILL at any instant leaves either the whole notification or none of it. A delivery's state changes in
// one statement after its send, so a delivered notification is not sent again after a restart (the one window
// left is between the destination's acknowledgement and that commit).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { WebhookPayload } from '../intake/webhook-payload.ts';
import type { Channel, RoutedDelivery } from '../routing.ts';
import type { EscalationPolicy } from '../config.ts';
import { notificationHistory, type NotificationRecord } from './notification-history.ts';

export interface AcceptRequest {
  dedupKey: string;
  receivedAt: number;
  payload: WebhookPayload;
  deliveries: RoutedDelivery[];
}
export type AcceptResult = 'accepted' | 'duplicate';

export interface PendingDelivery {
  id: number;
  notificationId: number;
  channel: Channel;
  destination: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  receivedAt: number;
  payload: WebhookPayload;
  alertIndexes: number[] | undefined;
}

export interface OutboxDepth {
  channel: Channel;
  depth: number;
  oldestCreatedAt: number | undefined;
}

export interface DeadLetter {
  id: number;
  channel: Channel;
  destination: string;
  reason: string;
  finishedAt: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  receiver TEXT NOT NULL,
  group_key TEXT NOT NULL,
  status TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL REFERENCES notifications(id),
  channel TEXT NOT NULL,
  destination TEXT NOT NULL,
  alert_indexes TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (channel, destination, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_finished ON deliveries (state, finished_at);
CREATE TABLE IF NOT EXISTS dedup (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS relay_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Graph images Slack fetches by URL (the token is the unguessable part); kept as long as their notification.
CREATE TABLE IF NOT EXISTS graphs (
  token TEXT PRIMARY KEY,
  notification_id INTEGER NOT NULL,
  delivery_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  title TEXT NOT NULL,
  alt TEXT NOT NULL,
  png BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS graphs_delivery ON graphs (delivery_id, position);
-- Slack app mode: one thread per Alertmanager group and incident (open until the group resolves). The parent
-- message shows the latest notification (payload kept here, the deliveries are pruned); ts survives restarts.
CREATE TABLE IF NOT EXISTS slack_threads (
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  group_key TEXT NOT NULL,
  channel TEXT NOT NULL,
  ts TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
  payload TEXT NOT NULL,
  alert_indexes TEXT,
  images TEXT NOT NULL DEFAULT '[]',
  acked_by TEXT,
  acked_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS slack_threads_open ON slack_threads (destination, group_key) WHERE state = 'open';
-- Which delivery was posted as which message: a retry after a partial send (posted, parent not yet updated)
-- does not post twice.
-- Escalation of an unacknowledged incident (one row per thread): the next step and when it is due. A step is
-- taken in one transaction with the notification it sends, guarded by next_step: never twice, even across a kill.
CREATE TABLE IF NOT EXISTS escalations (
  thread_id INTEGER PRIMARY KEY,
  policy TEXT NOT NULL,
  next_step INTEGER NOT NULL DEFAULT 1,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'stopped')),
  -- Whether the destinations escalated to were told of the resolution.
  resolution_sent INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS escalations_due ON escalations (due_at) WHERE state = 'pending';
-- Silences made from a thread's buttons, until their end (expiry or deletion) has been told in the thread.
CREATE TABLE IF NOT EXISTS slack_silences (
  silence_id TEXT PRIMARY KEY,
  thread_id INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  ends_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'ended')),
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS slack_posts (delivery_id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL, ts TEXT NOT NULL);
`;

export interface PendingEscalation {
  threadId: number;
  policy: EscalationPolicy;
  nextStep: number;
  dueAt: number;
}

export interface SlackThread {
  id: number;
  destination: string;
  groupKey: string;
  channel: string;
  ts: string;
  state: 'open' | 'resolved';
  payload: WebhookPayload;
  alertIndexes: number[] | undefined;
  images: Array<{ url: string; title: string; alt: string }>;
  ackedBy: string | undefined;
  ackedAt: number | undefined;
  createdAt: number;
  updatedAt: number;
}

interface ThreadRow {
  id: number;
  destination: string;
  group_key: string;
  channel: string;
  ts: string;
  state: string;
  payload: string;
  alert_indexes: string | null;
  images: string;
  acked_by: string | null;
  acked_at: number | null;
  created_at: number;
  updated_at: number;
}

function toThread(row: ThreadRow): SlackThread {
  return {
    id: row.id,
    destination: row.destination,
    groupKey: row.group_key,
    channel: row.channel,
    ts: row.ts,
    state: row.state as SlackThread['state'],
    payload: JSON.parse(row.payload) as WebhookPayload,
    alertIndexes: row.alert_indexes === null ? undefined : (JSON.parse(row.alert_indexes) as number[]),
    images: JSON.parse(row.images) as SlackThread['images'],
    ackedBy: row.acked_by ?? undefined,
    ackedAt: row.acked_at ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface StoredGraph {
  token: string;
  title: string;
  alt: string;
  png: Buffer;
}

interface DeliveryRow {
  id: number;
  notification_id: number;
  channel: string;
  destination: string;
  alert_indexes: string | null;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  received_at: number;
  payload: string;
}

function toPending(row: DeliveryRow): PendingDelivery {
  return {
    id: row.id,
    notificationId: row.notification_id,
    channel: row.channel as Channel,
    destination: row.destination,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    receivedAt: row.received_at,
    payload: JSON.parse(row.payload) as WebhookPayload,
    alertIndexes: row.alert_indexes === null ? undefined : (JSON.parse(row.alert_indexes) as number[]),
  };
}

const toGraph = (row: { token: string; title: string; alt: string; png: Uint8Array }): StoredGraph => ({ token: row.token, title: row.title, alt: row.alt, png: Buffer.from(row.png) });

const selectPending = `SELECT d.id, d.notification_id, d.channel, d.destination, d.alert_indexes, d.attempts, d.next_attempt_at,
  d.created_at, n.received_at, n.payload FROM deliveries d JOIN notifications n ON n.id = d.notification_id`;

export class OutboxStore {
  readonly #db: DatabaseSync;
  readonly #statements: Record<string, StatementSync>;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path, { timeout: 5_000 });
    // One relay per outbox (exclusive lock); WAL + FULL: a commit is durable when it returns.
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA locking_mode = EXCLUSIVE; PRAGMA foreign_keys = ON;');
    this.#db.exec(schema);
    const p = (sql: string): StatementSync => this.#db.prepare(sql);
    this.#statements = {
      dedupSeen: p('SELECT seen_at FROM dedup WHERE key = ? AND seen_at >= ?'),
      dedupPut: p('INSERT INTO dedup (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at'),
      insertNotification: p('INSERT INTO notifications (received_at, receiver, group_key, status, payload) VALUES (?, ?, ?, ?, ?)'),
      insertDelivery: p('INSERT INTO deliveries (notification_id, channel, destination, alert_indexes, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      nextPending: p(`${selectPending} WHERE d.state = 'pending' AND d.channel = ? AND d.destination = ? ORDER BY d.id LIMIT 1`),
      pendingBatch: p(`${selectPending} WHERE d.state = 'pending' AND d.channel = ? AND d.destination = ? ORDER BY d.id LIMIT ?`),
      markDelivered: p(`UPDATE deliveries SET state = 'delivered', finished_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND state = 'pending'`),
      markDead: p(`UPDATE deliveries SET state = 'dead', finished_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'`),
      scheduleRetry: p(`UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`),
      postpone: p(`UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'pending'`),
      depth: p(`SELECT channel, count(*) AS depth, min(created_at) AS oldest FROM deliveries WHERE state = 'pending' GROUP BY channel`),
      totalPending: p(`SELECT count(*) AS n FROM deliveries WHERE state = 'pending'`),
      deadLetters: p(`SELECT id, channel, destination, last_error, finished_at FROM deliveries WHERE state = 'dead' ORDER BY id`),
      pruneDelivered: p(`DELETE FROM deliveries WHERE state = 'delivered' AND finished_at < ?`),
      pruneNotifications: p(`DELETE FROM notifications WHERE received_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id)`),
      pruneDedup: p('DELETE FROM dedup WHERE seen_at < ?'),
      insertGraph: p('INSERT INTO graphs (token, notification_id, delivery_id, position, title, alt, png, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      graphsOfDelivery: p('SELECT token, title, alt, png FROM graphs WHERE delivery_id = ? ORDER BY position'),
      graphByToken: p('SELECT token, title, alt, png FROM graphs WHERE token = ?'),
      pruneGraphs: p('DELETE FROM graphs WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = graphs.notification_id)'),
      openThread: p(`SELECT * FROM slack_threads WHERE destination = ? AND group_key = ? AND state = 'open'`),
      threadById: p('SELECT * FROM slack_threads WHERE id = ?'),
      threadByTs: p('SELECT * FROM slack_threads WHERE channel = ? AND ts = ?'),
      insertThread: p('INSERT INTO slack_threads (destination, group_key, channel, ts, state, payload, alert_indexes, images, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      updateThread: p('UPDATE slack_threads SET state = ?, payload = ?, alert_indexes = ?, updated_at = ? WHERE id = ?'),
      ackThread: p('UPDATE slack_threads SET acked_by = ?, acked_at = ?, updated_at = ? WHERE id = ? AND acked_by IS NULL'),
      postOf: p('SELECT thread_id, ts FROM slack_posts WHERE delivery_id = ?'),
      insertPost: p('INSERT OR IGNORE INTO slack_posts (delivery_id, thread_id, ts) VALUES (?, ?, ?)'),
      insertSilence: p(`INSERT OR IGNORE INTO slack_silences (silence_id, thread_id, created_by, ends_at, state, created_at) VALUES (?, ?, ?, ?, 'active', ?)`),
      activeSilences: p(`SELECT silence_id, thread_id, created_by, ends_at FROM slack_silences WHERE state = 'active' ORDER BY created_at`),
      endSilence: p(`UPDATE slack_silences SET state = 'ended' WHERE silence_id = ? AND state = 'active'`),
      pruneSilences: p(`DELETE FROM slack_silences WHERE state = 'ended' AND created_at < ?`),
      insertEscalation: p(`INSERT INTO escalations (thread_id, policy, next_step, due_at, state, updated_at) VALUES (?, ?, 1, ?, 'pending', ?)`),
      dueEscalations: p(`SELECT thread_id, policy, next_step, due_at FROM escalations WHERE state = 'pending' AND due_at <= ? ORDER BY due_at LIMIT 100`),
      nextEscalationDue: p(`SELECT min(due_at) AS due FROM escalations WHERE state = 'pending'`),
      escalationOf: p(`SELECT thread_id, policy, next_step, due_at, state FROM escalations WHERE thread_id = ?`),
      stopEscalation: p(`UPDATE escalations SET state = 'stopped', updated_at = ? WHERE thread_id = ? AND state = 'pending'`),
      advanceEscalation: p(`UPDATE escalations SET next_step = next_step + 1, due_at = ?, state = ?, updated_at = ? WHERE thread_id = ? AND next_step = ? AND state = 'pending'`),
      markResolutionSent: p(`UPDATE escalations SET resolution_sent = 1, state = CASE state WHEN 'pending' THEN 'stopped' ELSE state END, updated_at = ? WHERE thread_id = ? AND resolution_sent = 0`),
      pruneEscalations: p(`DELETE FROM escalations WHERE NOT EXISTS (SELECT 1 FROM slack_threads t WHERE t.id = escalations.thread_id)`),
      pruneThreads: p(`DELETE FROM slack_threads WHERE state = 'resolved' AND updated_at < ?`),
      prunePosts: p('DELETE FROM slack_posts WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = slack_posts.delivery_id)'),
      getState: p('SELECT value FROM relay_state WHERE key = ?'),
      putState: p('INSERT INTO relay_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Stores a batch of notifications in one durable transaction (group commit), skipping those already seen within
   * the dedup window. Results are in the order of the requests; a throw means nothing of the batch was stored.
   */
  accept(requests: readonly AcceptRequest[], dedupWindowMs: number): AcceptResult[] {
    const s = this.#statements;
    return this.#transaction(() =>
      requests.map((r) => {
        if (dedupWindowMs > 0 && s.dedupSeen!.get(r.dedupKey, r.receivedAt - dedupWindowMs)) return 'duplicate';
        s.dedupPut!.run(r.dedupKey, r.receivedAt);
        if (r.deliveries.length === 0) return 'accepted';
        const { lastInsertRowid } = s.insertNotification!.run(r.receivedAt, r.payload.receiver, r.payload.groupKey, r.payload.status, JSON.stringify(r.payload));
        for (const d of r.deliveries) {
          s.insertDelivery!.run(lastInsertRowid, d.channel, d.destination, d.alertIndexes ? JSON.stringify(d.alertIndexes) : null, r.receivedAt, r.receivedAt);
        }
        return 'accepted';
      }),
    );
  }

  /** The oldest undelivered delivery of a destination: deliveries leave in intake order, one at a time. */
  nextPending(channel: Channel, destination: string): PendingDelivery | undefined {
    const row = this.#statements.nextPending!.get(channel, destination) as DeliveryRow | undefined;
    return row ? toPending(row) : undefined;
  }

  pendingBatch(channel: Channel, destination: string, limit: number): PendingDelivery[] {
    return (this.#statements.pendingBatch!.all(channel, destination, limit) as unknown as DeliveryRow[]).map(toPending);
  }

  markDelivered(ids: readonly number[], at: number): void {
    this.#transaction(() => ids.forEach((id) => this.#statements.markDelivered!.run(at, id)));
  }

  markDead(ids: readonly number[], reason: string, at: number): void {
    this.#transaction(() => ids.forEach((id) => this.#statements.markDead!.run(at, reason, id)));
  }

  scheduleRetry(ids: readonly number[], nextAttemptAt: number, error: string): void {
    this.#transaction(() => ids.forEach((id) => this.#statements.scheduleRetry!.run(nextAttemptAt, error, id)));
  }

  /** Moves the next attempt later without counting an attempt (Retry-After applies to every queued message). */
  postpone(ids: readonly number[], nextAttemptAt: number): void {
    this.#transaction(() => ids.forEach((id) => this.#statements.postpone!.run(nextAttemptAt, id)));
  }

  depth(): OutboxDepth[] {
    return (this.#statements.depth!.all() as Array<{ channel: string; depth: number; oldest: number | null }>).map((r) => ({
      channel: r.channel as Channel,
      depth: r.depth,
      oldestCreatedAt: r.oldest ?? undefined,
    }));
  }

  /** Notifications accepted between from and to (ms), with their deliveries: the relay's history. */
  history(from: number, to: number): NotificationRecord[] {
    return notificationHistory(this.#db, from, to);
  }

  totalPending(): number {
    return (this.#statements.totalPending!.get() as { n: number }).n;
  }

  deadLetters(): DeadLetter[] {
    return (this.#statements.deadLetters!.all() as Array<{ id: number; channel: string; destination: string; last_error: string | null; finished_at: number }>).map((r) => ({
      id: r.id,
      channel: r.channel as Channel,
      destination: r.destination,
      reason: r.last_error ?? '',
      finishedAt: r.finished_at,
    }));
  }

  /** Drops delivered rows older than the retention, notifications left without deliveries, and stale dedup keys. */
  prune(now: number, retainDeliveredMs: number, dedupWindowMs: number): void {
    this.#transaction(() => {
      this.#statements.pruneDelivered!.run(now - retainDeliveredMs);
      this.#statements.pruneNotifications!.run(now - retainDeliveredMs);
      this.#statements.pruneDedup!.run(now - dedupWindowMs);
      this.#statements.pruneGraphs!.run();
      this.#statements.pruneThreads!.run(now - retainDeliveredMs);
      this.#statements.prunePosts!.run();
      this.#statements.pruneSilences!.run(now - retainDeliveredMs);
      this.#statements.pruneEscalations!.run();
    });
  }

  /** Keeps a delivery's graph images (one transaction), so a retry and Slack's fetch find the same ones. */
  putGraphs(delivery: Pick<PendingDelivery, 'id' | 'notificationId'>, graphs: readonly StoredGraph[], at: number): void {
    this.#transaction(() =>
      graphs.forEach((g, i) => this.#statements.insertGraph!.run(g.token, delivery.notificationId, delivery.id, i, g.title, g.alt, g.png, at)),
    );
  }

  graphsOfDelivery(deliveryId: number): StoredGraph[] {
    return (this.#statements.graphsOfDelivery!.all(deliveryId) as unknown as Array<{ token: string; title: string; alt: string; png: Uint8Array }>).map(toGraph);
  }

  graphByToken(token: string): StoredGraph | undefined {
    const row = this.#statements.graphByToken!.get(token) as { token: string; title: string; alt: string; png: Uint8Array } | undefined;
    return row ? toGraph(row) : undefined;
  }

  /** The open thread of an Alertmanager group in a Slack destination (app mode). */
  openThread(destination: string, groupKey: string): SlackThread | undefined {
    const row = this.#statements.openThread!.get(destination, groupKey) as ThreadRow | undefined;
    return row ? toThread(row) : undefined;
  }

  thread(id: number): SlackThread | undefined {
    const row = this.#statements.threadById!.get(id) as ThreadRow | undefined;
    return row ? toThread(row) : undefined;
  }

  threadByMessage(channel: string, ts: string): SlackThread | undefined {
    const row = this.#statements.threadByTs!.get(channel, ts) as ThreadRow | undefined;
    return row ? toThread(row) : undefined;
  }

  /** A new thread, its parent posted as `ts` for delivery `deliveryId`; both recorded in one transaction. */
  createThread(
    t: Pick<SlackThread, 'destination' | 'groupKey' | 'channel' | 'ts' | 'state' | 'payload' | 'alertIndexes' | 'images'>,
    deliveryId: number,
    at: number,
    escalation?: EscalationPolicy,
  ): SlackThread {
    return this.#transaction(() => {
      const s = this.#statements;
      const { lastInsertRowid } = s.insertThread!.run(t.destination, t.groupKey, t.channel, t.ts, t.state, JSON.stringify(t.payload), t.alertIndexes ? JSON.stringify(t.alertIndexes) : null, JSON.stringify(t.images), at, at);
      s.insertPost!.run(deliveryId, lastInsertRowid, t.ts);
      // In the same transaction: a kill cannot leave a page whose escalation was never scheduled.
      if (escalation && t.state === 'open') s.insertEscalation!.run(lastInsertRowid, JSON.stringify(escalation), at + escalation.afterSeconds * 1000, at);
      return toThread(s.threadById!.get(lastInsertRowid) as unknown as ThreadRow);
    });
  }

  /** The message a delivery was posted as, when it was. */
  postOf(deliveryId: number): { threadId: number; ts: string } | undefined {
    const row = this.#statements.postOf!.get(deliveryId) as { thread_id: number; ts: string } | undefined;
    return row ? { threadId: row.thread_id, ts: row.ts } : undefined;
  }

  recordPost(deliveryId: number, threadId: number, ts: string): void {
    this.#statements.insertPost!.run(deliveryId, threadId, ts);
  }

  /** The parent now shows this notification; `resolved` closes the thread (a new incident starts a new one). */
  updateThread(id: number, state: SlackThread['state'], payload: WebhookPayload, alertIndexes: number[] | undefined, at: number): void {
    this.#statements.updateThread!.run(state, JSON.stringify(payload), alertIndexes ? JSON.stringify(alertIndexes) : null, at, id);
  }

  /** Records the first acknowledgement; false when the thread was already acknowledged. */
  acknowledgeThread(id: number, by: string, at: number): boolean {
    return this.#statements.ackThread!.run(by, at, at, id).changes > 0;
  }

  dueEscalations(now: number): PendingEscalation[] {
    return (this.#statements.dueEscalations!.all(now) as Array<{ thread_id: number; policy: string; next_step: number; due_at: number }>).map((r) => ({
      threadId: r.thread_id,
      policy: JSON.parse(r.policy) as EscalationPolicy,
      nextStep: r.next_step,
      dueAt: r.due_at,
    }));
  }

  nextEscalationDue(): number | undefined {
    return (this.#statements.nextEscalationDue!.get() as { due: number | null }).due ?? undefined;
  }

  escalationOf(threadId: number): (PendingEscalation & { state: 'pending' | 'done' | 'stopped' }) | undefined {
    const r = this.#statements.escalationOf!.get(threadId) as { thread_id: number; policy: string; next_step: number; due_at: number; state: string } | undefined;
    return r ? { threadId: r.thread_id, policy: JSON.parse(r.policy) as EscalationPolicy, nextStep: r.next_step, dueAt: r.due_at, state: r.state as 'pending' } : undefined;
  }

  stopEscalation(threadId: number, at: number): void {
    this.#statements.stopEscalation!.run(at, threadId);
  }

  /**
   * Takes escalation step `step` of a thread: moves the escalation on (or ends it) and stores the notification
   * that step sends, in one transaction. False, and nothing stored, when that step was already taken or stopped.
   */
  takeEscalationStep(threadId: number, step: number, nextDueAt: number | undefined, notification: { receivedAt: number; payload: WebhookPayload; deliveries: RoutedDelivery[] }): boolean {
    return this.#transaction(() => {
      const s = this.#statements;
      const { receivedAt, payload, deliveries } = notification;
      const moved = s.advanceEscalation!.run(nextDueAt ?? receivedAt, nextDueAt === undefined ? 'done' : 'pending', receivedAt, threadId, step).changes;
      if (moved === 0) return false;
      if (deliveries.length === 0) return true;
      const { lastInsertRowid } = s.insertNotification!.run(receivedAt, payload.receiver, payload.groupKey, payload.status, JSON.stringify(payload));
      for (const d of deliveries) s.insertDelivery!.run(lastInsertRowid, d.channel, d.destination, d.alertIndexes ? JSON.stringify(d.alertIndexes) : null, receivedAt, receivedAt);
      return true;
    });
  }

  /**
   * The incident resolved: stops its escalation and, when steps were taken, stores the resolution for the
   * destinations they notified (once: guarded by resolution_sent). Returns those deliveries.
   */
  resolveEscalation(threadId: number, payload: WebhookPayload, alertIndexes: number[] | undefined, exclude: { channel: Channel; destination: string }, at: number): RoutedDelivery[] {
    return this.#transaction(() => {
      const s = this.#statements;
      const row = s.escalationOf!.get(threadId) as { policy: string; next_step: number } | undefined;
      if (!row || s.markResolutionSent!.run(at, threadId).changes === 0) return [];
      const policy = JSON.parse(row.policy) as EscalationPolicy;
      const deliveries: RoutedDelivery[] = [];
      for (const step of policy.steps.slice(0, row.next_step - 1)) {
        const targets = [...step.slack.map((d) => ['slack', d] as const), ...step.email.map((d) => ['email', d] as const)];
        for (const [channel, destination] of targets) {
          if (channel === exclude.channel && destination === exclude.destination) continue;
          if (!deliveries.some((d) => d.channel === channel && d.destination === destination)) deliveries.push({ channel, destination, alertIndexes });
        }
      }
      if (deliveries.length === 0) return [];
      const { lastInsertRowid } = s.insertNotification!.run(at, payload.receiver, payload.groupKey, payload.status, JSON.stringify(payload));
      for (const d of deliveries) s.insertDelivery!.run(lastInsertRowid, d.channel, d.destination, d.alertIndexes ? JSON.stringify(d.alertIndexes) : null, at, at);
      return deliveries;
    });
  }

  recordSilence(silenceId: string, threadId: number, createdBy: string, endsAt: number, at: number): void {
    this.#statements.insertSilence!.run(silenceId, threadId, createdBy, endsAt, at);
  }

  activeSilences(): Array<{ silenceId: string; threadId: number; createdBy: string; endsAt: number }> {
    return (this.#statements.activeSilences!.all() as Array<{ silence_id: string; thread_id: number; created_by: string; ends_at: number }>).map((r) => ({
      silenceId: r.silence_id,
      threadId: r.thread_id,
      createdBy: r.created_by,
      endsAt: r.ends_at,
    }));
  }

  /** Marks a silence's end as told; false when it already was. */
  endSilence(silenceId: string): boolean {
    return this.#statements.endSilence!.run(silenceId).changes > 0;
  }

  /** Small JSON state that must survive restarts (the watchdog's last heartbeat and alarm). */
  getState<T>(key: string): T | undefined {
    const row = this.#statements.getState!.get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  putState(key: string, value: unknown): void {
    this.#statements.putState!.run(key, JSON.stringify(value));
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
