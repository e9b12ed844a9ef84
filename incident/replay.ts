// `npm run replay`: the seed incident replayed end to end on loopback, with overload protection off and then on
// (`--protection off|on|both`, default both), a timeline printed as it goes, the figures next to the seed's at the
// end, and an incident report written from what the stack recorded (`--out <dir>`, default .data/replay/<time>).
// `--short` runs a shorter plan (the test's). Bounded load, 127.0.0.1 only; every process is stopped at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { RunningStack } from '../stack/stack.ts';
import { fullPlan, runReplay, shortPlan, type ReplayFigures, type ReplayPlan, type TimelineEvent } from './replay-run.ts';
import { formatTable, summaryRows } from './replay-summary.ts';
import { writeIncidentReport } from './write-report.ts';

const argsSchema = z.object({
  protection: z.enum(['off', 'on', 'both'], { error: '--protection: expected off, on or both' }).default('both'),
  short: z.boolean().default(false),
  out: z.string().min(1).optional(),
  report: z.boolean().default(true),
});



export async function replay(argv: string[], print: (line: string) => void = console.log): Promise<{ runs: ReplayFigures[]; outDir: string; reports: string[] }> {
  const { values } = parseArgs({ args: argv, options: { protection: { type: 'string' }, short: { type: 'boolean' }, out: { type: 'string' }, 'no-report': { type: 'boolean' } }, strict: true });
  const parsed = argsSchema.safeParse({ protection: values.protection, short: values.short, out: values.out, report: !values['no-report'] });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const args = parsed.data;
  const outDir = resolve(args.out ?? join('.data', 'replay', new Date().toISOString().replace(/[:.]/g, '-')));
  const modes = args.protection === 'both' ? [false, true] : [args.protection === 'on'];
  const tty = process.stdout.isTTY === true;
  let progressShown = false;
  let lastProgressPrint = 0;
  const clearProgress = (): void => {
    if (tty && progressShown) process.stdout.write('\r\x1b[2K');
    progressShown = false;
  };
  const runs: ReplayFigures[] = [];
  const reports: string[] = [];
  let current: RunningStack | undefined;
  // Ctrl-C: stop every process of the stack before leaving.
  const interrupt = (): void => {
    print('\ninterrupted: stopping the stack');
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  for (const protection of modes) {
    const plan = args.short ? shortPlan(protection) : fullPlan(protection);
    print(`\n== replay with overload protection ${protection ? 'ON' : 'OFF'} (heap cap ${plan.heapLimitMb} MiB): starting the stack`);
    const figures = await runReplay(plan, {
      onStackStarted(stack) {
        current = stack;
      },
      onEvent(event: TimelineEvent, { onsetAt }) {
        clearProgress();
        const t = onsetAt === undefined ? new Date(event.at).toISOString().slice(11, 19) : `t+${((event.at - onsetAt) / 1000).toFixed(1).padStart(5)} s`;
        print(`  ${t}  ${event.what}`);
      },
      onProgress(line) {
        if (tty) {
          process.stdout.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns || 120) - 1)}`);
          progressShown = true;
        } else if (Date.now() - lastProgressPrint >= 10_000) {
          lastProgressPrint = Date.now();
          print(`  ${line}`);
        }
      },
      async beforeStop(f, stack) {
        if (!args.report) return;
        const dir = join(outDir, `protection-${protection ? 'on' : 'off'}`);
        const written = await writeIncidentReport({
          from: f.startedAt,
          to: f.endedAt,
          prometheusUrl: stack.prometheus.url,
          alertmanagerUrl: stack.alertmanager.url,
          relayOutbox: stack.relay.url,
          relayToken: stack.relay.bearerToken,
          outDir: dir,
          title: `Seed incident replay, overload protection ${protection ? 'on' : 'off'}`,
          onsetAt: f.onsetAt,
        });
        reports.push(written.markdown);
      },
    });
    clearProgress();
    runs.push(figures);
  }
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  print('\n== the replay next to the seed incident\n');
  print(formatTable(summaryRows(runs)));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'summary.txt'), `${formatTable(summaryRows(runs))}\n`);
  writeFileSync(join(outDir, 'figures.json'), `${JSON.stringify(runs, null, 2)}\n`);
  if (reports.length > 0) print(`\nincident reports: ${reports.join(', ')}`);
  return { runs, outDir, reports };
}

if (import.meta.main) {
  const started = Date.now();
  replay(process.argv.slice(2)).then(
    () => {
      console.log(`\nreplay finished in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
