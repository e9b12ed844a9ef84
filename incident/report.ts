// `npm run report -- --from <time> --to <time> [--prometheus URL] [--alertmanager URL] [--relay-outbox path|URL]
// [--relay-token-file path] [--out dir] [--title text] [--onset <time>]`: an incident report from what the stack recorded, against any
// Prometheus/Alertmanager. Times: ISO 8601 (2026-12-01T05:10:00Z), Unix seconds, now, or now-15m / now-2h.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { writeIncidentReport } from './write-report.ts';

/** ISO 8601, Unix seconds, "now" or "now-<n>{s,m,h}" (as in Grafana); undefined when it is none of them. */
export function parseTime(text: string, now = Date.now()): number | undefined {
  if (text === 'now') return now;
  const relative = /^now-(\d+(?:\.\d+)?)([smh])$/.exec(text);
  if (relative) return now - Number(relative[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[relative[2] as 's' | 'm' | 'h'];
  if (/^\d{9,11}(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

const time = (flag: string) =>
  z.string({ error: `${flag} is required` }).transform((text, ctx) => {
    const ms = parseTime(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${flag}: "${text.slice(0, 40)}" is not a time (ISO 8601, Unix seconds, now or now-15m)` });
      return z.NEVER;
    }
    return ms;
  });
const url = (flag: string) => z.url({ protocol: /^https?$/, error: `${flag}: expected an http(s) URL` });

const argsSchema = z
  .object({
    from: time('--from'),
    to: time('--to'),
    onset: time('--onset').optional(),
    prometheus: url('--prometheus').default('http://127.0.0.1:9090'),
    alertmanager: url('--alertmanager').optional(),
    'relay-outbox': z.string().min(1).optional(),
    'relay-token-file': z.string().min(1).optional(),
    out: z.string().min(1).default(join('.data', 'reports')),
    title: z.string().min(1).optional(),
    job: z.string().min(1).default('order-service'),
  })
  .refine((a) => a.from < a.to, { message: '--from must be before --to' });

function readToken(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`--relay-token-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export async function reportCommand(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(['from', 'to', 'onset', 'prometheus', 'alertmanager', 'relay-outbox', 'relay-token-file', 'out', 'title', 'job'].map((k) => [k, { type: 'string' as const }])),
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const a = parsed.data;
  const written = await writeIncidentReport({
    from: a.from,
    to: a.to,
    onsetAt: a.onset,
    prometheusUrl: a.prometheus,
    alertmanagerUrl: a.alertmanager,
    relayOutbox: a['relay-outbox'],
    relayToken: a['relay-token-file'] === undefined ? undefined : readToken(a['relay-token-file']),
    outDir: resolve(a.out),
    title: a.title,
    serviceJob: a.job,
  });
  return `wrote ${written.markdown} and ${written.html} (${written.charts.length} charts)`;
}

if (import.meta.main) {
  reportCommand(process.argv.slice(2)).then(
    (line) => console.log(line),
    (error: unknown) => {
      console.error(`report: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
