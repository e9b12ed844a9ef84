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

describe('overload protection config', () => {
  it('is on by default, with limits derived from the DB pool', () => {
    const config = loadServiceConfig({ DB_POOL_MAX: '6' }, '0', []);
    expect(config.overload.enabled).toBe(true);
    expect(config.overload.admission.minLimit).toBe(12);
    expect(config.overload.admission.initialLimit).toBe(12);
    expect(config.overload.dbPoolQueueMax).toBe(100);
    expect(config.overload.orderDeadlineMs).toBe(1000);
  });

  it('can be turned off for a comparison', () => {
    expect(loadServiceConfig({ OVERLOAD_PROTECTION: 'false' }, '0', []).overload.enabled).toBe(false);
  });

  it('names the bad key', () => {
    expect(() => loadServiceConfig({ OVERLOAD_PROTECTION: 'maybe' }, '0', [])).toThrow(ConfigError);
    expect(() => loadServiceConfig({ OVERLOAD_PROTECTION: 'maybe' }, '0', [])).toThrow(/OVERLOAD_PROTECTION/);
    expect(() => loadServiceConfig({ ADMISSION_HEAP_MAX_RATIO: '1.5' }, '0', [])).toThrow(/ADMISSION_HEAP_MAX_RATIO/);
    expect(() => loadServiceConfig({ ADMISSION_MIN_LIMIT: '50', ADMISSION_MAX_LIMIT: '20' }, '0', [])).toThrow(/ADMISSION_MIN_LIMIT: 50 is above ADMISSION_MAX_LIMIT \(20\)/);
    expect(() => loadServiceConfig({ ADMISSION_CLIENT_MAX_REQUESTS: '0' }, '0', [])).toThrow(/ADMISSION_CLIENT_MAX_REQUESTS/);
    expect(() => loadServiceConfig({ ADMISSION_CLIENT_MAX_REQUESTS: '5', ADMISSION_CLIENT_KEY_HEADER: 'X Client' }, '0', [])).toThrow(/ADMISSION_CLIENT_KEY_HEADER: a header name such as X-Client-Id/);
  });

  it('has no per-client limit unless ADMISSION_CLIENT_MAX_REQUESTS is set', () => {
    expect(loadServiceConfig({}, '0', []).overload.admission.clientRate).toBeUndefined();
    expect(loadServiceConfig({ ADMISSION_CLIENT_MAX_REQUESTS: '100', ADMISSION_CLIENT_KEY_HEADER: 'X-Api-Key' }, '0', []).overload.admission.clientRate).toEqual({
      maxRequests: 100,
      windowSeconds: 1,
      keyHeader: 'X-Api-Key',
    });
  });
});
