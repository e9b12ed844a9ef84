import { describe, expect, it } from 'vitest';
import { loadStackConfig } from './stack-config.ts';

describe('loadStackConfig: replica heap settings', () => {
  it('puts heap snapshots under the data directory by default, one near-limit snapshot per process, no heap cap', () => {
    const config = loadStackConfig({ STACK_DATA_DIR: '/tmp/stack-data' }, '/repo');
    expect(config.orderService).toMatchObject({ heapSnapshotCount: 1, heapSnapshotDir: '/tmp/stack-data/heap-snapshots', maxOldSpaceMb: undefined });
  });

  it('takes the cap, count and directory given, and names a bad one', () => {
    const config = loadStackConfig({ ORDER_SERVICE_MAX_OLD_SPACE_MB: '256', HEAP_SNAPSHOT_COUNT: '0', HEAP_SNAPSHOT_DIR: 'dumps' }, '/repo');
    expect(config.orderService).toMatchObject({ heapSnapshotCount: 0, heapSnapshotDir: '/repo/dumps', maxOldSpaceMb: 256 });
    expect(() => loadStackConfig({ HEAP_SNAPSHOT_COUNT: '11' }, '/repo')).toThrow(/HEAP_SNAPSHOT_COUNT/);
    expect(() => loadStackConfig({ ORDER_SERVICE_MAX_OLD_SPACE_MB: '8' }, '/repo')).toThrow(/ORDER_SERVICE_MAX_OLD_SPACE_MB/);
  });
});
