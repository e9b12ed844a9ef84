import pg from 'pg';
import type { ServiceConfig } from '../config.ts';

/** The bounded pg pool: a request waits at most acquireTimeoutMs for a connection, then fails (HTTP 503). */
export function createPool(url: string, config: ServiceConfig['db']['pool']): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: config.max,
    min: config.minIdle,
    connectionTimeoutMillis: config.acquireTimeoutMs,
    query_timeout: config.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: config.name,
  });
}
