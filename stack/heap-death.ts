// Runs stack/heap-death-child.ts under the given Node flags until V8 kills it, and gives back how it died and
// what it last reported: the proof that the exported old-generation limit is where a process really dies.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { HeapReport } from './heap-death-child.ts';

const child = fileURLToPath(new URL('heap-death-child.ts', import.meta.url));

export interface HeapDeath {
  nodeArgs: string[];
  nodeOptions: string | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** V8's fatal-error line ("Reached heap limit" or "JavaScript heap out of memory"), if it wrote one. */
  heapLimitMessage: string | undefined;
  stderrTail: string;
  first: HeapReport;
  last: HeapReport;
  reports: number;
  durationMs: number;
}

const heapLimitLine = /Reached heap limit|JavaScript heap out of memory/;

export async function runUntilHeapDeath(nodeArgs: string[], options: { nodeOptions?: string; timeoutMs?: number } = {}): Promise<HeapDeath> {
  const started = performance.now();
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (options.nodeOptions !== undefined) env.NODE_OPTIONS = options.nodeOptions;
  const proc = spawn(process.execPath, [...nodeArgs, child], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  let first: HeapReport | undefined;
  let last: HeapReport | undefined;
  let reports = 0;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const report = JSON.parse(line) as HeapReport;
    first ??= report;
    last = report;
    reports++;
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8_000)));
  const [exitCode, signal] = (await once(proc, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (first === undefined || last === undefined) throw new Error(`heap-death child reported nothing (exit ${exitCode ?? signal}):\n${stderr}`);
  return {
    nodeArgs,
    nodeOptions: options.nodeOptions,
    exitCode,
    signal,
    heapLimitMessage: heapLimitLine.exec(stderr)?.[0],
    stderrTail: stderr.slice(-2_000),
    first,
    last,
    reports,
    durationMs: performance.now() - started,
  };
}

const MiB = 1024 * 1024;
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

/** One line per death for logs and reports: flags, exported limit, last old generation used, heap_size_limit. */
export function describeHeapDeath(death: HeapDeath): string {
  const { limit, oldUsed, heapUsed, heapSizeLimit } = death.last;
  const flags = [death.nodeOptions === undefined ? '' : `NODE_OPTIONS=${death.nodeOptions}`, ...death.nodeArgs].filter(Boolean).join(' ') || '(no flag)';
  return (
    `${flags}: died ${death.signal ?? `exit ${death.exitCode}`} (${death.heapLimitMessage ?? 'no heap message'}) after ${(death.durationMs / 1000).toFixed(1)} s; ` +
    `exported limit ${(limit / MiB).toFixed(0)} MiB; last report: old generation used ${(oldUsed / MiB).toFixed(1)} MiB = ${pct(oldUsed, limit)} of the limit, ` +
    `heap used (all retained) ${(heapUsed / MiB).toFixed(1)} MiB = ${pct(heapUsed, limit)} of the limit; ` +
    `heap_size_limit ${(heapSizeLimit / MiB).toFixed(0)} MiB (heap used = ${pct(heapUsed, heapSizeLimit)} of it)`
  );
}
