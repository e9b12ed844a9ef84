import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadServiceConfig } from './config.ts';

describe('loadServiceConfig: heap snapshots near the heap limit', () => {
  it('takes the count and directory from the Node flags, the command line over NODE_OPTIONS', () => {
    const config = loadServiceConfig({ NODE_OPTIONS: '--heapsnapshot-near-heap-limit=3 --diagnostic-dir=/from/env', HEAP_SNAPSHOT_KEEP: '5' }, '1', ['--diagnostic-dir', '/from/argv']);
    expect(config.heapSnapshots).toEqual({ nearHeapLimit: 3, dir: '/from/argv', dirConfigured: true, keep: 5 });
  });

  it('is off without the flag, with the working directory as Node would use it', () => {
    expect(loadServiceConfig({}, '1', []).heapSnapshots).toEqual({ nearHeapLimit: 0, dir: resolve('.'), dirConfigured: false, keep: 3 });
  });

  it('names HEAP_SNAPSHOT_KEEP when it is not a count', () => {
    expect(() => loadServiceConfig({ HEAP_SNAPSHOT_KEEP: '-1' }, '1', [])).toThrow(ConfigError);
    expect(() => loadServiceConfig({ HEAP_SNAPSHOT_KEEP: 'lots' }, '1', [])).toThrow(/HEAP_SNAPSHOT_KEEP/);
  });
});
