import type { Pool, PoolClient, QueryConfig } from 'pg';
import type { Order, OrderRequest, OrderStatus } from './order-schema.ts';

interface OrderRow {
  id: string;
  customer: string;
  items: OrderRequest['items'];
  status: OrderStatus;
  attempts: number;
  total_cents: string | null;
  fraud_score: number | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
  request_hash: string;
}

const columns = 'id, customer, items, status, attempts, total_cents, fraud_score, failure_reason, created_at, updated_at, request_hash';

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customer: row.customer,
    items: row.items,
    status: row.status,
    attempts: row.attempts,
    totalCents: row.total_cents === null ? null : Number(row.total_cents),
    fraudScore: row.fraud_score,
    failureReason: row.failure_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type CreateResult =
  | { kind: 'created'; order: Order }
  | { kind: 'abandoned' }
  | { kind: 'replayed'; order: Order }
  | { kind: 'conflict'; order: Order };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** All SQL on the orders table. State changes are guarded by the expected current status, so they are race-safe. */
export class OrderRepository {
  readonly #pool: Pool;
  readonly #commitTimeoutMs: number | undefined;

  /**
   * `commitTimeoutMs`: the client-side timeout of a guarded INSERT, longer than the server's statement_timeout,
   * so that the client waits for the server's verdict (stored, or rolled back) rather than guessing.
   */
  constructor(pool: Pool, options: { commitTimeoutMs?: number } = {}) {
    this.#pool = pool;
    this.#commitTimeoutMs = options.commitTimeoutMs;
  }

  /**
   * Stores a new order. With an idempotency key, the unique constraint decides the race: the loser's insert
   * does nothing (after waiting for the winner's commit) and it reads the winner's row instead.
   */
  async create(request: OrderRequest, hash: string, idempotencyKey: string | undefined, beforeCommit?: () => boolean): Promise<CreateResult> {
    if (!beforeCommit) return this.#insert(this.#pool, request, hash, idempotencyKey);
    // A connection of its own, so that the last check (client still there, deadline not passed) is made with
    // nothing left to wait for but the INSERT itself.
    const client = await this.#pool.connect();
    try {
      if (!beforeCommit()) return { kind: 'abandoned' };
      return await this.#insert(client, request, hash, idempotencyKey, this.#commitTimeoutMs);
    } finally {
      client.release();
    }
  }

  async #insert(db: Pool | PoolClient, request: OrderRequest, hash: string, idempotencyKey: string | undefined, timeoutMs?: number): Promise<CreateResult> {
    // pg reads query_timeout per query; its types omit it.
    const insert: QueryConfig & { query_timeout?: number } = {
      text: `INSERT INTO orders (idempotency_key, request_hash, customer, items) VALUES ($1, $2, $3, $4)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${columns}`,
      values: [idempotencyKey ?? null, hash, request.customer, JSON.stringify(request.items)],
      ...(timeoutMs === undefined ? {} : { query_timeout: timeoutMs }),
    };
    const inserted = await db.query<OrderRow>(insert);
    if (inserted.rows[0]) return { kind: 'created', order: toOrder(inserted.rows[0]) };
    const existing = await db.query<OrderRow>(`SELECT ${columns} FROM orders WHERE idempotency_key = $1`, [idempotencyKey]);
    const row = existing.rows[0];
    if (!row) throw new Error('idempotency key conflict without a stored order');
    return { kind: row.request_hash === hash ? 'replayed' : 'conflict', order: toOrder(row) };
  }

  async find(id: string): Promise<Order | undefined> {
    if (!uuidPattern.test(id)) return undefined;
    const result = await this.#pool.query<OrderRow>(`SELECT ${columns} FROM orders WHERE id = $1`, [id]);
    return result.rows[0] ? toOrder(result.rows[0]) : undefined;
  }

  /** PENDING -> PROCESSING; undefined when another worker or replica claimed it first. */
  async claim(id: string): Promise<Order | undefined> {
    const result = await this.#pool.query<OrderRow>(
      `UPDATE orders SET status = 'PROCESSING', attempts = attempts + 1, processing_started_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'PENDING' RETURNING ${columns}`,
      [id],
    );
    return result.rows[0] ? toOrder(result.rows[0]) : undefined;
  }

  /** PROCESSING -> PENDING, for work that could not start (the worker queue was full). */
  async release(id: string): Promise<void> {
    await this.#pool.query(
      `UPDATE orders SET status = 'PENDING', attempts = greatest(attempts - 1, 0), processing_started_at = NULL, updated_at = now()
       WHERE id = $1 AND status = 'PROCESSING'`,
      [id],
    );
  }

  async complete(id: string, totalCents: number, fraudScore: number): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE orders SET status = 'COMPLETED', total_cents = $2, fraud_score = $3, updated_at = now() WHERE id = $1 AND status = 'PROCESSING'`,
      [id, totalCents, fraudScore],
    );
    return result.rowCount === 1;
  }

  async fail(id: string, reason: string, fromStatus: OrderStatus = 'PROCESSING', fraudScore: number | null = null): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE orders SET status = 'FAILED', failure_reason = $2, fraud_score = coalesce($4, fraud_score), updated_at = now()
       WHERE id = $1 AND status = $3`,
      [id, reason, fromStatus, fraudScore],
    );
    return result.rowCount === 1;
  }

  /**
   * Orders in PROCESSING for longer than `olderThanMs` (their process died or hung), and PENDING orders that
   * nobody picked up (accepted just before a crash, or put back when the queue was full).
   * Several replicas may list the same order; the status-guarded updates let only one of them act on it.
   */
  async findStuck(olderThanMs: number, pendingOlderThanMs: number, limit: number): Promise<Array<{ id: string; status: OrderStatus; attempts: number }>> {
    const result = await this.#pool.query<{ id: string; status: OrderStatus; attempts: number }>(
      `SELECT id, status, attempts FROM orders
       WHERE (status = 'PROCESSING' AND processing_started_at < now() - make_interval(secs => $1::double precision / 1000))
          OR (status = 'PENDING' AND updated_at < now() - make_interval(secs => $2::double precision / 1000))
       ORDER BY updated_at LIMIT $3`,
      [olderThanMs, pendingOlderThanMs, limit],
    );
    return result.rows;
  }

  /** PROCESSING (stuck) -> PENDING so that it is processed again. */
  async requeueStuck(id: string, olderThanMs: number): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE orders SET status = 'PENDING', processing_started_at = NULL, updated_at = now()
       WHERE id = $1 AND status = 'PROCESSING' AND processing_started_at < now() - make_interval(secs => $2::double precision / 1000)`,
      [id, olderThanMs],
    );
    return result.rowCount === 1;
  }

  async countByStatus(): Promise<Record<OrderStatus, number>> {
    const counts: Record<OrderStatus, number> = { PENDING: 0, PROCESSING: 0, COMPLETED: 0, FAILED: 0 };
    const result = await this.#pool.query<{ status: OrderStatus; n: string }>('SELECT status, count(*) AS n FROM orders GROUP BY status');
    for (const row of result.rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Seconds since the oldest PROCESSING order started, 0 when there is none. */
  async oldestProcessingAgeSeconds(): Promise<number> {
    const result = await this.#pool.query<{ age: number | null }>(
      `SELECT extract(epoch FROM now() - min(processing_started_at))::double precision AS age FROM orders WHERE status = 'PROCESSING'`,
    );
    return result.rows[0]?.age ?? 0;
  }
}
