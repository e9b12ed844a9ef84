import { describe, expect, it } from 'vitest';
import { ConfigError, loadServiceConfig } from './config.ts';

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
  });
});
