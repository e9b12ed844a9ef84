import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { freePort } from '../../common/free-port.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../service/db/embedded-postgres.ts';

export interface TestPostgres {
  /** DATABASE_URL for the service under test. */
  url: string;
  /** A small pool for the test's own queries (checks and simulated crashes). */
  pool: pg.Pool;
  /** Stops the server, keeping its data (the "database down" case). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data. */
  startServer(): Promise<void>;
  /** Stops everything and removes the data. */
  destroy(): Promise<void>;
}

/**
 * A real PostgreSQL owned by the test (not by the service), so the test can stop it, restart it and read
 * the orders table directly. Data lives in a temp dir that the embedded server's `postgres` user can write.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'test-postgres-'));
  const port = await freePort();
  const logger = pino({ level: 'silent' });
  let server: EmbeddedDatabase | undefined = await startEmbeddedPostgres({ dataDir, port, logger });
  const url = server.url;
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {}); // idle clients die when the test stops the server on purpose
  return {
    url,
    pool,
    async stopServer() {
      await server?.stop();
      server = undefined;
    },
    async startServer() {
      server ??= await startEmbeddedPostgres({ dataDir, port, logger });
    },
    async destroy() {
      await pool.end().catch(() => {});
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
