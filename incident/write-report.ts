// Builds the incident report for a time range from any Prometheus (and optionally Alertmanager and the relay)
// and writes it: report.md with charts/*.png beside it, and report.html with the same charts inlined.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyse, type IncidentFigures } from './report-analysis.ts';
import { renderSignalChart, signalCharts, type RenderedChart } from './report-charts.ts';
import { reportHtml, reportMarkdown, type ReportContent } from './report-document.ts';
import { alertmanagerAlerts, alertWindows, relayNotificationsFromFile, relayNotificationsFromRelay, type RelayNotification } from './report-sources.ts';

export interface ReportRequest {
  from: number;
  to: number;
  prometheusUrl: string;
  alertmanagerUrl?: string | undefined;
  /** The outbox file of a stopped relay, or a running relay's URL (its /api/v1/notifications, with relayToken). */
  relayOutbox?: string | undefined;
  relayToken?: string | undefined;
  outDir: string;
  title?: string | undefined;
  /** When the fault started, if known (the replay knows); else the first alert going pending. */
  onsetAt?: number | undefined;
  serviceJob?: string | undefined;
}

export interface WrittenReport {
  markdown: string;
  html: string;
  charts: Array<{ id: string; path: string; points: number }>;
  figures: IncidentFigures;
  notifications: RelayNotification[] | undefined;
}

export async function writeIncidentReport(request: ReportRequest): Promise<WrittenReport> {
  if (!(request.from < request.to)) throw new Error(`--from (${new Date(request.from).toISOString()}) must be before --to (${new Date(request.to).toISOString()})`);
  const serviceJob = request.serviceJob ?? 'order-service';
  const windows = await alertWindows(request.prometheusUrl, request.from, request.to).catch((error: unknown) => {
    throw new Error(`--prometheus ${request.prometheusUrl}: ${(error as Error).message}`);
  });
  const relay = request.relayOutbox;
  const fromUrl = relay !== undefined && /^https?:\/\//.test(relay);
  if (fromUrl && request.relayToken === undefined) throw new Error('--relay-outbox is a URL: give the relay\'s webhook token with --relay-token-file');
  const notifications =
    relay === undefined ? undefined : fromUrl ? await relayNotificationsFromRelay(relay, request.relayToken!, request.from, request.to) : relayNotificationsFromFile(relay, request.from, request.to);
  const alertmanagerNow = request.alertmanagerUrl === undefined ? undefined : await alertmanagerAlerts(request.alertmanagerUrl);
  const figures = await analyse({ prometheusUrl: request.prometheusUrl, serviceJob, from: request.from, to: request.to, onsetAt: request.onsetAt, windows, notifications });
  const charts: RenderedChart[] = [];
  for (const chart of signalCharts(serviceJob)) charts.push(await renderSignalChart(chart, request.prometheusUrl, request.from, request.to, windows));

  const title = request.title ?? `Incident report ${new Date(request.from).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const content: ReportContent = {
    title,
    figures,
    windows,
    notifications,
    alertmanagerNow,
    charts,
    sources: { prometheus: request.prometheusUrl, alertmanager: request.alertmanagerUrl, relay },
  };
  mkdirSync(join(request.outDir, 'charts'), { recursive: true });
  const written: WrittenReport['charts'] = [];
  for (const c of charts) {
    const path = join(request.outDir, 'charts', `${c.chart.id}.png`);
    writeFileSync(path, c.png);
    written.push({ id: c.chart.id, path, points: c.points });
  }
  const markdownPath = join(request.outDir, 'report.md');
  writeFileSync(markdownPath, reportMarkdown(content, (c) => `charts/${c.chart.id}.png`));
  const htmlPath = join(request.outDir, 'report.html');
  writeFileSync(htmlPath, reportHtml(reportMarkdown(content, (c) => `data:image/png;base64,${c.png.toString('base64')}`), title));
  return { markdown: markdownPath, html: htmlPath, charts: written, figures, notifications };
}
