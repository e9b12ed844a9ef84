// The exported old-generation limit against processes that really die of their heap: each case starts a Node
// process under its flags that leaks retained arrays until V8 kills it ("Reached heap limit", SIGABRT), and
// compares where it died with the limit it derived the way the service exports it (heap_size_limit less the
// young generation reservation) and with heap_size_limit. The no-flag 4 GiB case is in stack/heap-death.bench.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeHeapDeath, runUntilHeapDeath } from '../stack/heap-death.ts';

const MiB = 1024 * 1024;

interface Case {
  nodeArgs: string[];
  nodeOptions?: string;
  /** Gives the case a temporary --diagnostic-dir (near-heap-limit snapshots). */
  diagnosticDir?: boolean;
  /** The limit the flags set, when they set it (without --max-old-space-size it is V8's default for the machine). */
  oldSpaceMiB?: number;
}

const cases: Case[] = [
  { nodeArgs: ['--max-old-space-size=64'], oldSpaceMiB: 64 },
  { nodeArgs: ['--max-old-space-size=256'], oldSpaceMiB: 256 },
  { nodeArgs: ['--max-old-space-size=1024'], oldSpaceMiB: 1024 },
  { nodeArgs: ['--max-old-space-size=256', '--max-semi-space-size=16'], oldSpaceMiB: 256 },
  // The semi-space flag from NODE_OPTIONS, as a container would set it.
  { nodeArgs: ['--max-old-space-size=256'], nodeOptions: '--max-semi-space-size=32', oldSpaceMiB: 256 },
  // A near-heap-limit snapshot: Node raises V8's limit by the young generation size to take it, and the process
  // then dies at the raised limit (64 + 192 MiB here), which the exported limit follows.
  { nodeArgs: ['--max-old-space-size=64', '--heapsnapshot-near-heap-limit=1'], diagnosticDir: true },
  // Only the semi-space flag: V8's default old generation (4 GiB here; about 5 s and 4 GiB of memory). A large
  // semi-space makes the young reservation (768 MiB) large enough to tell a wrong derivation from the right one.
  { nodeArgs: ['--max-semi-space-size=256'] },
];

describe('a process dies of its heap at the exported old-generation limit', () => {
  for (const c of cases) {
    const name = [c.nodeOptions && `NODE_OPTIONS=${c.nodeOptions}`, ...c.nodeArgs].filter(Boolean).join(' ');
    it(name, async () => {
      const dir = c.diagnosticDir ? mkdtempSync(join(tmpdir(), 'heap-death-')) : undefined;
      const nodeArgs = dir === undefined ? c.nodeArgs : [...c.nodeArgs, `--diagnostic-dir=${dir}`];
      const death = await runUntilHeapDeath(nodeArgs, { nodeOptions: c.nodeOptions, timeoutMs: 90_000 }).finally(() => {
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      });
      console.log(describeHeapDeath(death));
      // V8's fatal OOM: Node prints the heap message and aborts.
      expect(death.heapLimitMessage, death.stderrTail).toBeDefined();
      expect(death.signal === 'SIGABRT' || death.exitCode === 134, `died ${death.signal ?? death.exitCode}`).toBe(true);
      const { limit, oldUsed, heapUsed, heapSizeLimit } = death.last;
      if (c.oldSpaceMiB !== undefined) expect(limit).toBe(c.oldSpaceMiB * MiB);
      if (c.diagnosticDir) expect(limit).toBeGreaterThan(death.first.limit);
      else expect(limit).toBe(death.first.limit);
      // Everything the child allocates is retained, so its heap used is its live set: the process died with it
      // at the exported limit (within 5%), and nowhere near heap_size_limit.
      expect(Math.abs(heapUsed - limit) / limit).toBeLessThan(0.05);
      expect(Math.abs(heapUsed - heapSizeLimit)).toBeGreaterThan(2 * Math.abs(heapUsed - limit));
      // The old generation alone never went past its limit (the newest chunks may still be young).
      expect(oldUsed).toBeLessThanOrEqual(limit);
      expect(oldUsed).toBeGreaterThan(limit / 2);
    });
  }
});
