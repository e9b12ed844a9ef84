// The incident report as Markdown (the seed's sections: overview, impact, timeline, what each runtime signal did)
// and as one self-contained HTML page with the same text and the charts inlined as data URIs, so it opens from
// a mail attachment or a ticket with no network.
import type { IncidentFigures } from './report-analysis.ts';
import type { RenderedChart } from './report-charts.ts';
import type { AlertWindow, RelayNotification } from './report-sources.ts';
import { seedIncident } from './seed-incident.ts';

export interface ReportContent {
  title: string;
  figures: IncidentFigures;
  windows: AlertWindow[];
  notifications: RelayNotification[] | undefined;
  alertmanagerNow: Array<{ alertname: string; severity: string; state: string }> | undefined;
  charts: RenderedChart[];
  sources: { prometheus: string; alertmanager: string | undefined; relay: string | undefined };
}

const iso = (ms: number | undefined): string => (ms === undefined ? 'n/a' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
const dur = (ms: number | undefined): string => {
  if (ms === undefined) return 'n/a';
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};
const num = (v: number | undefined): string => (v === undefined ? 'n/a' : String(Math.round(v)));
const pct = (v: number | undefined): string => (v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const secs = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : v >= 1 ? `${v.toFixed(2)} s` : `${Math.round(v * 1000)} ms`);

interface TimelineRow {
  at: number;
  what: string;
}

function timeline(content: ReportContent): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const { figures } = content;
  if (figures.startedAt !== undefined) rows.push({ at: figures.startedAt, what: `incident starts (${figures.startSource})` });
  for (const w of content.windows.filter((x) => x.alertname !== 'Watchdog')) {
    rows.push({ at: w.from, what: `${w.alertname} (${w.severity}) ${w.state}${w.instance ? ` on ${w.instance}` : ''}` });
    if (w.state === 'firing' && !w.open) rows.push({ at: w.to, what: `${w.alertname} (${w.severity}) no longer firing` });
  }
  for (const n of content.notifications ?? []) {
    if (n.alertnames.includes('Watchdog')) continue;
    for (const d of n.deliveries) {
      const delay = figures.startedAt !== undefined && d.finishedAt !== undefined ? `, ${dur(d.finishedAt - figures.startedAt)} after the start` : '';
      rows.push({
        at: d.finishedAt ?? n.receivedAt,
        what: `${d.channel === 'slack' ? 'page' : 'email'} ${d.state} to ${d.destination}: ${n.status.toUpperCase()} ${n.alertnames.join(', ')}${delay}`,
      });
    }
  }
  if (figures.detectedAt !== undefined) rows.push({ at: figures.detectedAt, what: `detected: first page (${figures.firstPage ?? '?'})` });
  if (figures.recoveredAt !== undefined) rows.push({ at: figures.recoveredAt, what: 'recovered: no alert firing any more' });
  return rows.sort((a, b) => a.at - b.at);
}

function signalSummary(content: ReportContent): Array<{ chart: RenderedChart; alerts: string }> {
  return content.charts.map((chart) => {
    const fired = content.windows.filter((w) => w.state === 'firing' && chart.chart.alerts.some((a) => w.alertname.startsWith(a)));
    const alerts = fired.length === 0 ? 'no alert fired' : [...new Set(fired.map((w) => `${w.alertname} (${w.severity}) from ${iso(w.from).slice(11)}${w.open ? ', still firing' : ` to ${iso(w.to).slice(11)}`}`))].join('; ');
    return { chart, alerts };
  });
}

export function reportMarkdown(content: ReportContent, imagePath: (chart: RenderedChart) => string): string {
  const f = content.figures;
  const mttd = f.startedAt !== undefined && f.detectedAt !== undefined ? f.detectedAt - f.startedAt : undefined;
  const mttr = f.startedAt !== undefined && f.recoveredAt !== undefined ? f.recoveredAt - f.startedAt : undefined;
  const lines: string[] = [];
  lines.push(`# ${content.title}`, '');
  lines.push(`Written by \`npm run report\` from what the stack recorded between ${iso(f.from)} and ${iso(f.to)}: Prometheus ${content.sources.prometheus}` +
    `${content.sources.alertmanager ? `, Alertmanager ${content.sources.alertmanager}` : ''}${content.sources.relay ? `, the relay's notification history (${content.sources.relay})` : ''}.`, '');
  lines.push('## Overview', '');
  lines.push(`- Started ${iso(f.startedAt)} (${f.startSource}).`);
  lines.push(`- Detected ${iso(f.detectedAt)} (${f.detectSource}): time to detect (MTTD) **${mttd === undefined ? 'n/a' : `${(mttd / 1000).toFixed(1)} s`}**; the seed incident: ${seedIncident.timeToDetectSeconds / 60} min.`);
  lines.push(`- Recovered ${f.recoveredAt === undefined ? 'not within the range (an alert still fires at its end)' : iso(f.recoveredAt)} (the last alert stopped firing): time to recover (MTTR) **${dur(mttr)}**; the seed: ${seedIncident.timeToRecoverSeconds / 60} min.`);
  lines.push(`- First page: ${f.firstPage ?? 'none'}. Process restarts seen by Prometheus: ${num(f.processRestarts)}.`, '');
  lines.push('## Impact', '');
  lines.push('Order requests (`POST /orders`) from the start to the end of the range, as the service counted them (requests sent while no process ran are not counted):', '');
  lines.push('| figure | this incident | seed incident |', '| --- | --- | --- |');
  lines.push(`| order requests | ${num(f.ordersTotal)} | |`);
  lines.push(`| failed (not 2xx) | ${num(f.ordersFailed)} (${pct(f.errorShare)}) | about ${pct(seedIncident.failedOrderShare)} |`);
  lines.push(`| of which refused at once by admission control (503) | ${num(f.ordersShed)} | |`);
  lines.push(`| p99 of accepted orders, worst minute | ${secs(f.latencyP99Seconds)} | over ${seedIncident.responseTimeSeconds} s |`);
  lines.push(`| notifications: pages / emails (firing, resolved) | ${f.notifications.pages} / ${f.notifications.emails} (${f.notifications.firing}, ${f.notifications.resolved}) | none for 15 min |`, '');
  lines.push('## Timeline', '');
  lines.push('| time (UTC) | since start | what |', '| --- | --- | --- |');
  for (const row of timeline(content)) lines.push(`| ${iso(row.at).slice(11)} | ${f.startedAt === undefined ? '' : `${((row.at - f.startedAt) / 1000).toFixed(1)} s`} | ${row.what.replaceAll('|', '\\|')} |`);
  lines.push('');
  if (content.alertmanagerNow) {
    lines.push(`Alertmanager at the time of writing holds ${content.alertmanagerNow.length} alert(s)${content.alertmanagerNow.length > 0 ? `: ${content.alertmanagerNow.map((a) => `${a.alertname} (${a.severity}, ${a.state})`).join(', ')}` : ''}.`, '');
  }
  lines.push('## What each runtime signal did', '');
  for (const { chart, alerts } of signalSummary(content)) {
    lines.push(`### ${chart.chart.title}`, '');
    lines.push(`${chart.chart.caption} Alerts: ${alerts}.${chart.points === 0 ? ' No data in the range.' : ''}`, '');
    lines.push(`![${chart.chart.title}](${imagePath(chart)})`, '');
  }
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Markdown of the subset reportMarkdown writes (headings, lists, tables, paragraphs, images, bold, code) to HTML. */
export function reportHtml(markdown: string, title: string): string {
  const inline = (text: string): string =>
    escapeHtml(text)
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/`([^`]+)`/g, '<code>$1</code>');
  const out: string[] = [];
  const blocks = markdown.split('\n');
  let i = 0;
  while (i < blocks.length) {
    const line = blocks[i]!;
    if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < blocks.length && blocks[i]!.startsWith('|'); i++) rows.push(blocks[i]!.replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim().replaceAll('\\|', '|')));
      const [head, , ...body] = rows;
      out.push(`<table><thead><tr>${head!.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
      continue;
    }
    if (line.startsWith('- ')) {
      const items: string[] = [];
      for (; i < blocks.length && blocks[i]!.startsWith('- '); i++) items.push(`<li>${inline(blocks[i]!.slice(2))}</li>`);
      out.push(`<ul>${items.join('')}</ul>`);
      continue;
    }
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    const image = /^!\[([^\]]*)\]\(([^)]+)\)$/.exec(line);
    if (heading) out.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    else if (image) out.push(`<figure><img alt="${escapeHtml(image[1]!)}" src="${image[2]!}"></figure>`);
    else if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`);
    i++;
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: 'DejaVu Sans', Arial, sans-serif; max-width: 960px; margin: 24px auto; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
figure { margin: 8px 0 24px; }
img { max-width: 100%; border: 1px solid #ddd; }
code { background: #f5f5f5; padding: 0 3px; }
</style></head><body>
${out.join('\n')}
</body></html>
`;
}
