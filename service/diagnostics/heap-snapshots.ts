// The HeapDumpOnOutOfMemoryError of this service: Node writes a heap snapshot when the heap nears its limit
// (`--heapsnapshot-near-heap-limit=N`, at most N per process) into `--diagnostic-dir`. Those are Node flags, set
// where the process is started (the launcher, NODE_OPTIONS in a container), as -XX flags are for a JVM. At start
// the service says where snapshots go, reports those an earlier (dead) process left, and keeps only the newest
// few so a crash loop cannot fill the disk.
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../logger.ts';

export interface HeapSnapshotConfig {
  /** Snapshots per process near the heap limit (`--heapsnapshot-near-heap-limit`); 0 is off. */
  nearHeapLimit: number;
  /** Where they are written: `--diagnostic-dir`, else the working directory (absolute). */
  dir: string;
  /** Whether the directory was given (`--diagnostic-dir`); only then are old snapshots in it removed. */
  dirConfigured: boolean;
  /** Snapshots of earlier processes kept at start (HEAP_SNAPSHOT_KEEP), newest first. */
  keep: number;
}

export interface HeapSnapshotFile {
  path: string;
  bytes: number;
  modified: Date;
}

/** Node's name for them: Heap.<yyyymmdd>.<hhmmss>.<pid>.<thread>.<seq>.heapsnapshot. */
const nodeSnapshotName = /^Heap\.\d{8}\.\d{6}\.\d+\.\d+\.\d{3}\.heapsnapshot$/;

/** The heap snapshots Node wrote into `dir`, newest first; none when the directory does not exist. */
export function listHeapSnapshots(dir: string): HeapSnapshotFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => nodeSnapshotName.test(name))
    .map((name) => {
      const path = join(dir, name);
      const stat = statSync(path);
      return { path, bytes: stat.size, modified: stat.mtime };
    })
    .sort((a, b) => b.modified.getTime() - a.modified.getTime() || b.path.localeCompare(a.path));
}

/** Logs where near-heap-limit snapshots go and what earlier processes left there; removes all but the newest `keep`. */
export function prepareHeapSnapshots(config: HeapSnapshotConfig, logger: Logger): void {
  if (config.nearHeapLimit === 0) {
    logger.info('no heap snapshot near the heap limit (start node with --heapsnapshot-near-heap-limit=N --diagnostic-dir=DIR for one)');
    return;
  }
  try {
    mkdirSync(config.dir, { recursive: true });
  } catch (error) {
    // Node would fail to write there; the service itself still works.
    logger.error({ err: error, dir: config.dir }, 'heap snapshot directory cannot be created: no snapshot will be written near the heap limit');
    return;
  }
  const found = listHeapSnapshots(config.dir);
  for (const snapshot of found) {
    logger.warn({ heapSnapshot: snapshot.path, bytes: snapshot.bytes, written: snapshot.modified.toISOString() }, 'heap snapshot from an earlier process near its heap limit');
  }
  if (config.dirConfigured) {
    for (const old of found.slice(config.keep)) {
      try {
        unlinkSync(old.path);
        logger.info({ heapSnapshot: old.path, keep: config.keep }, 'old heap snapshot removed (HEAP_SNAPSHOT_KEEP)');
      } catch (error) {
        logger.warn({ err: error, heapSnapshot: old.path }, 'old heap snapshot could not be removed');
      }
    }
  }
  logger.info({ dir: resolve(config.dir), perProcess: config.nearHeapLimit }, 'heap snapshots near the heap limit go to this directory');
}
