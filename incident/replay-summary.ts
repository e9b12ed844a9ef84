// The replay's closing table: each run's figures next to the seed incident's.
import type { ReplayFigures } from './replay-run.ts';
import { seedIncident } from './seed-incident.ts';

const seconds = (ms: number | undefined): string => (ms === undefined ? 'none' : `${(ms / 1000).toFixed(1)} s`);
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const ms = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);

/** The rows of the summary: what, the seed's value, then one value per run. */
export function summaryRows(runs: ReplayFigures[]): string[][] {
  const row = (what: string, seed: string, value: (r: ReplayFigures) => string): string[] => [what, seed, ...runs.map(value)];
  return [
    ['', 'seed incident', ...runs.map((r) => `replay, protection ${r.protection ? 'on' : 'off'}`)],
    row('time to detect (onset to first page)', '15 min', (r) => (r.firstPageAt === undefined ? 'no page' : seconds(r.firstPageAt - r.onsetAt))),
    row('first page', '-', (r) => r.firstPageText?.slice(0, 60) ?? 'none'),
    row('first page before any crash', 'no (15 min late)', (r) => (r.firstPageAt === undefined ? 'no page' : r.deaths.length === 0 ? 'yes (no crash)' : r.firstPageAt < r.deaths[0]!.at ? `yes, ${seconds(r.deaths[0]!.at - r.firstPageAt)} before` : 'NO')),
    row('time to recover (onset to steady orders ok)', '90 min', (r) => (r.recoveredAt === undefined ? 'not recovered' : seconds(r.recoveredAt - r.onsetAt))),
    row('failed order requests (of all sent from onset)', `about ${percent(seedIncident.failedOrderShare)}`, (r) => `${percent(r.ordersFailed / Math.max(r.ordersSent, 1))} (${r.ordersFailed}/${r.ordersSent})`),
    row('steady (ordinary) orders failed after a retry', '-', (r) => `${percent(r.steady.failed / Math.max(r.steady.sent, 1))} (${r.steady.failed}/${r.steady.sent})`),
    row('surge: 201 / 503 / other / unanswered', '-', (r) => {
      const s = r.surge;
      if (!s) return 'n/a';
      const other = Object.entries(s.statuses).filter(([c]) => c !== '201' && c !== '503').reduce((n, [, v]) => n + v, 0);
      return `${s.created} / ${s.statuses['503'] ?? 0} / ${other} / ${s.unanswered}`;
    }),
    row('response time of accepted orders, p99 (steady / surge)', 'over 2 s', (r) => `${ms(r.steady.p99Ms)} / ${ms(r.surge?.acceptedP99Ms)}`),
    row('refusals (503), p99 at the client', '-', (r) => ms(r.surge?.shedP99Ms)),
    row('orders answered 201 / stored', '-', (r) => `${r.acknowledged} / ${r.stored}`),
    row('lost orders (201, not stored)', 'some', (r) => String(r.lost)),
    row('duplicated orders (stored twice: failed try + retry)', 'some', (r) => String(r.duplicated)),
    row('surge orders stored, client saw no 201 (gave up/cut off)', '-', (r) => String(r.surgeStoredUnacknowledged)),
    row('orders stuck in PROCESSING (failed as stuck / left open)', 'yes, fixed by hand', (r) => `${r.stuckProcessing} / ${r.stillOpen}`),
    row('process died', 'yes (OutOfMemoryError)', (r) => (r.deaths.length === 0 ? 'no' : `yes, ${r.deaths.length}x (${[...new Set(r.deaths.map((d) => d.reason))].join(', ')}) at t+${seconds(r.deaths[0]!.at - r.onsetAt)}`)),
    row('old-generation heap peak / limit', '256 MiB (-Xmx256m)', (r) => `${r.heapPeakBytes === undefined ? 'n/a' : `${Math.round(r.heapPeakBytes / 2 ** 20)} MiB`} / ${r.heapLimitBytes === undefined ? 'n/a' : `${Math.round(r.heapLimitBytes / 2 ** 20)} MiB`}`),
  ];
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ').trimEnd()).join('\n');
}
