import { describe, expect, it } from 'vitest';
import { nodeFlagArguments, nodeFlagValue } from './node-flags.ts';
import { maxSemiSpaceFlagMiB } from './old-generation-limit.ts';

describe('maxSemiSpaceFlagMiB', () => {
  it('reads the last --max-semi-space-size, with dashes or underscores', () => {
    expect(maxSemiSpaceFlagMiB(['--max-semi-space-size=16'])).toBe(16);
    expect(maxSemiSpaceFlagMiB(['--max_semi_space_size=8', '--max-old-space-size=256', '--max-semi-space-size=32'])).toBe(32);
  });

  it('ignores other flags and forms Node rejects', () => {
    expect(maxSemiSpaceFlagMiB([])).toBeUndefined();
    expect(maxSemiSpaceFlagMiB(['--max-old-space-size=256', '--min-semi-space-size=4'])).toBeUndefined();
    expect(maxSemiSpaceFlagMiB(['--max-semi-space-size', '16'])).toBeUndefined();
  });
});

describe('nodeFlagArguments', () => {
  it('puts NODE_OPTIONS first so the command line wins, and unquotes its values', () => {
    const flags = nodeFlagArguments(['--max-semi-space-size=4'], ' --max-semi-space-size=64  --diagnostic-dir="/var/heap dumps" ');
    expect(flags).toEqual(['--max-semi-space-size=64', '--diagnostic-dir=/var/heap dumps', '--max-semi-space-size=4']);
    expect(maxSemiSpaceFlagMiB(flags)).toBe(4);
  });
});

describe('nodeFlagValue', () => {
  it('reads the last value, given with = or as the next argument', () => {
    expect(nodeFlagValue(['--diagnostic-dir=/a', '--diagnostic-dir', '/b'], '--diagnostic-dir')).toBe('/b');
    expect(nodeFlagValue(['--heapsnapshot-near-heap-limit=2'], '--heapsnapshot-near-heap-limit')).toBe('2');
    expect(nodeFlagValue(['--diagnostic-directory=/a', '--diagnostic-dir'], '--diagnostic-dir')).toBeUndefined();
  });
});
