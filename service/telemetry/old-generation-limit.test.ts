import { describe, expect, it } from 'vitest';
import { maxSemiSpaceFlagMiB, v8FlagArguments } from './old-generation-limit.ts';

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

describe('v8FlagArguments', () => {
  it('puts NODE_OPTIONS first so the command line wins', () => {
    const flags = v8FlagArguments(['--max-semi-space-size=4'], ' --max-semi-space-size=64  --enable-source-maps ');
    expect(flags).toEqual(['--max-semi-space-size=64', '--enable-source-maps', '--max-semi-space-size=4']);
    expect(maxSemiSpaceFlagMiB(flags)).toBe(4);
  });
});
