// The service's HeapDumpOnOutOfMemoryError: a replica capped at 128 MiB, started with Node's near-heap-limit
// snapshot flags, leaks through the fault API until it dies of its heap, and leaves a complete heap snapshot
// (with the leak in it) in its diagnostic directory; the next start reports it and keeps at most
// HEAP_SNAPSHOT_KEEP of them.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from './support/wait-for.ts';

const MiB = 1024 * 1024;
const capMiB = 128;
let snapshotDir: string;
let dataDir: string;
const services: OrderServiceProcess[] = [];

const start = async (env: Record<string, string> = {}): Promise<OrderServiceProcess> => {
  const service = await startOrderService({
    name: 'heap-snapshot',
    dataDir,
    nodeArgs: [`--max-old-space-size=${capMiB}`, '--heapsnapshot-near-heap-limit=1', `--diagnostic-dir=${snapshotDir}`],
    env: { FAULT_INJECTION: 'true', LOG_LEVEL: 'info', WORKER_POOL_SIZE: '1', ...env },
  });
  services.push(service);
  return service;
};

const logLines = (service: OrderServiceProcess): Array<Record<string, unknown>> =>
  service.process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(() => {
  snapshotDir = mkdtempSync(join(tmpdir(), 'heap-snapshots-'));
  dataDir = mkdtempSync(join(tmpdir(), 'heap-snapshot-service-'));
});

afterAll(async () => {
  for (const service of services) await service.process.kill();
  rmSync(snapshotDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a heap snapshot near the heap limit', () => {
  it('is written when a capped replica dies of its heap, and reported (then pruned) at the next start', async () => {
    const first = await start();
    expect(logLines(first).some((l) => l.msg === 'heap snapshots near the heap limit go to this directory' && l.dir === snapshotDir && l.perProcess === 1)).toBe(true);
    const limit = await waitFor(async () => sumOf((await scrape(first.metricsUrl)).samples, 'v8js_memory_heap_old_generation_limit_bytes'), {
      what: 'the old-generation limit exported',
    });
    expect(limit).toBe(capMiB * MiB);

    // More than the cap in one request: the handler never returns, the process dies in it.
    const leak = await fetch(`${first.apiUrl}/admin/faults/heap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ megabytes: 4 * capMiB }),
    }).then(
      (response) => response.status,
      (error: unknown) => error,
    );
    expect(leak).toBeInstanceOf(Error);
    expect(await first.process.exited).toBe('SIGABRT');
    expect(first.process.output()).toMatch(/Reached heap limit|JavaScript heap out of memory/);

    const files = readdirSync(snapshotDir);
    expect(files).toHaveLength(1);
    const path = join(snapshotDir, files[0]!);
    expect(first.process.output()).toContain(`Wrote snapshot to ${path}`);
    // A complete snapshot (it parses) of this heap: the fault state's retained arrays are in it.
    const snapshot = JSON.parse(readFileSync(path, 'utf8')) as { snapshot: { node_count: number }; strings: string[] };
    expect(snapshot.snapshot.node_count).toBeGreaterThan(10_000);
    expect(snapshot.strings).toContain('retained');
    expect(snapshot.strings).toContain('FaultState');

    // The next start names the snapshot the dead process left, then keeps none of them (HEAP_SNAPSHOT_KEEP=0).
    const second = await start({ HEAP_SNAPSHOT_KEEP: '0' });
    const lines = logLines(second);
    expect(lines.some((l) => l.msg === 'heap snapshot from an earlier process near its heap limit' && l.heapSnapshot === path && Number(l.bytes) > MiB)).toBe(true);
    expect(lines.some((l) => l.msg === 'old heap snapshot removed (HEAP_SNAPSHOT_KEEP)' && l.heapSnapshot === path)).toBe(true);
    expect(readdirSync(snapshotDir)).toEqual([]);
    await second.stop();
  });
});
