// A short replay of the seed incident (protection on, about two minutes) on npm start's own stack, then the
// incident report written from what that stack recorded, checked against the stack itself: the seed's sections,
// MTTD from the page the Slack stand-in really received, charts that are PNGs with data in them, figures equal to
// the relay's and Prometheus's own, and the HTML opened in real headless Chromium with the network off.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChartPng } from '../alertmanager/relay/graphs/render-chart.ts';
import { screenshotOffline } from './chromium-screenshot.ts';
import { pngStats } from './png-pixels.ts';
import { runReplay, shortPlan, type ReplayFigures } from './replay-run.ts';
import { waitFor } from '../common/wait-for.ts';
import { instantValue, relayNotificationsFromRelay } from './report-sources.ts';
import { writeIncidentReport, type WrittenReport } from './write-report.ts';

const chartBlue = '#1f77b4'; // the first series colour of the relay's charts
const seriesColours = [chartBlue, '#2ca02c', '#9467bd', '#ff7f0e']; // the first four of its palette
const seriesInk = (stats: ReturnType<typeof pngStats>): number => seriesColours.reduce((n, c) => n + stats.near(c, 30), 0);

let outDir: string;
let figures: ReplayFigures;
let report: WrittenReport;
let firstSlackPageAt: number | undefined;
let relayDelivered: Record<string, number> = {};
let outboxDelivered: Record<string, number> = {};
let prometheusOrders: number | undefined;
let serviceOrders: number | undefined;

function counter(text: string, name: string, match: (labels: string) => boolean): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length, line.lastIndexOf(' '));
    if (match(labels)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'incident-report-'));
  figures = await runReplay(shortPlan(true), {
    onEvent: () => {},
    onProgress: () => {},
    async beforeStop(f, stack) {
      // Prometheus has scraped the service's last counters (two scrape intervals after the replay's end).
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      const to = Date.now();
      // The range covers the stack's whole life, so every notification the relay ever took is in it.
      report = await writeIncidentReport({
        from: f.startedAt - 60_000,
        to,
        onsetAt: f.onsetAt,
        prometheusUrl: stack.prometheus.url,
        alertmanagerUrl: stack.alertmanager.url,
        relayOutbox: stack.relay.url,
        relayToken: stack.relay.bearerToken,
        outDir,
        title: 'Replay test',
      });
      firstSlackPageAt = stack.slackStandIn?.received.find((r) => r.status === 200 && !JSON.stringify(r.payload).includes('Watchdog'))?.at;
      // The relay's counters and its history read together (a page may be delivered between two reads: read
      // both again until they are of the same moment, or keep the last pair for the assertion to show).
      await waitFor(
        async () => {
          const relayText = await (await fetch(stack.relay.metricsUrl)).text();
          relayDelivered = {};
          for (const channel of ['slack', 'email']) {
            const n = counter(relayText, 'alert_relay_notifications_delivered_total', (l) => l.includes(`channel="${channel}"`));
            if (n > 0) relayDelivered[channel] = n;
          }
          outboxDelivered = {};
          for (const n of await relayNotificationsFromRelay(stack.relay.url, stack.relay.bearerToken, 0, Date.now())) {
            for (const d of n.deliveries) if (d.state === 'delivered') outboxDelivered[d.channel] = (outboxDelivered[d.channel] ?? 0) + 1;
          }
          return JSON.stringify(relayDelivered) === JSON.stringify(outboxDelivered);
        },
        { what: "the relay's counters and history to agree", timeoutMs: 30_000, intervalMs: 1_000 },
      ).catch(() => undefined);
      const serviceText = await (await fetch(stack.orderServices[0]!.metricsUrl)).text();
      serviceOrders = counter(serviceText, 'http_server_request_duration_seconds_count', (l) => l.includes('http_request_method="POST"') && l.includes('http_route="/orders"'));
      prometheusOrders = await instantValue(stack.prometheus.url, 'sum(http_server_request_duration_seconds_count{job="order-service", http_request_method="POST", http_route="/orders"})', to);
    },
  });
}, 540_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the incident report of a short replay (protection on)', () => {
  it('replayed the incident: pages came, the process lived, no order was lost or stored twice', () => {
    expect(figures.firstPageAt, 'a page during the replay').toBeDefined();
    expect(figures.deaths).toEqual([]);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.acknowledged).toBeGreaterThan(0);
  });

  it("has the seed report's sections", () => {
    const markdown = readFileSync(report.markdown, 'utf8');
    for (const heading of ['## Overview', '## Impact', '## Timeline', '## What each runtime signal did']) expect(markdown).toContain(heading);
    for (const signal of ['Heap: old generation used vs the limit', 'GC:', 'Event loop:', 'DB pool: connections used', 'DB pool: callers waiting', 'Worker threads:', 'Shedding:', 'Order latency']) expect(markdown).toContain(signal);
    expect(markdown).toMatch(/MTTD\) \*\*\d+\.\d s\*\*/);
    expect(markdown).toMatch(/MTTR\) \*\*/);
  });

  it('computes MTTD from the first page the relay really delivered', () => {
    const f = report.figures;
    expect(f.startedAt).toBe(figures.onsetAt);
    expect(f.detectedAt, 'detection from the outbox').toBeDefined();
    expect(firstSlackPageAt, 'the Slack stand-in received a page').toBeDefined();
    // The relay marks a delivery done right after Slack's answer; the stand-in stamps the request when it read it.
    expect(Math.abs(f.detectedAt! - firstSlackPageAt!)).toBeLessThan(2_000);
    const mttd = ((f.detectedAt! - f.startedAt!) / 1000).toFixed(1);
    expect(readFileSync(report.markdown, 'utf8')).toContain(`MTTD) **${mttd} s**`);
    expect(f.detectedAt! - f.startedAt!).toBeGreaterThan(0);
  });

  it("agrees with the relay's and Prometheus's own numbers", () => {
    // Every delivery the outbox holds as delivered is one the relay counted, per channel.
    expect(outboxDelivered.slack ?? 0).toBeGreaterThan(0);
    expect(outboxDelivered).toEqual(relayDelivered);
    // The report's pages are the notifications of its range that went to Slack, no more than the relay delivered.
    expect(report.figures.notifications.pages).toBe(report.notifications!.filter((n) => n.deliveries.some((d) => d.channel === 'slack')).length);
    expect(report.notifications!.flatMap((n) => n.deliveries).filter((d) => d.channel === 'slack' && d.state === 'delivered').length).toBeLessThanOrEqual(relayDelivered.slack ?? 0);
    // Prometheus holds what the service counted (its last scrape is the service's own counter), and the
    // report's order count from the onset is the part of it after the onset (increase() extrapolates a little).
    expect(prometheusOrders).toBe(serviceOrders);
    expect(report.figures.ordersTotal).toBeGreaterThan(0);
    expect(report.figures.ordersTotal!).toBeLessThanOrEqual(serviceOrders! * 1.1);
    expect(report.figures.ordersTotal!).toBeGreaterThan(serviceOrders! * 0.5);
    expect(report.figures.ordersShed, 'protection on: the surge was shed').toBeGreaterThan(0);
  });

  it('draws every signal as a PNG with data in it, and an empty chart is told apart', () => {
    expect(report.charts.map((c) => c.id)).toEqual(['heap', 'gc', 'event-loop', 'db-pool', 'db-waiting', 'workers', 'shedding', 'orders', 'latency']);
    for (const chart of report.charts.filter((c) => ['heap', 'db-pool', 'orders', 'latency', 'shedding'].includes(c.id))) {
      const png = readFileSync(chart.path);
      expect(png.subarray(1, 4).toString(), chart.id).toBe('PNG');
      const stats = pngStats(png);
      expect(chart.points, `${chart.id}: data points`).toBeGreaterThan(5);
      expect(seriesInk(stats), `${chart.id}: pixels of its series`).toBeGreaterThan(150);
    }
    // The same check on a chart without data fails: it is not a property of any chart the code draws.
    const empty = pngStats(renderChartPng({ title: 'empty', series: [], unit: 'none', start: 0, end: 60_000, width: 900, height: 340 }));
    expect(seriesInk(empty)).toBeLessThan(20);
  });

  it('opens as self-contained HTML in headless Chromium with the network off, and shows the charts', async () => {
    const html = readFileSync(report.html, 'utf8');
    const sources = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBe(report.charts.length);
    expect(sources.filter((s) => !s.startsWith('data:image/png;base64,'))).toEqual([]);
    const shot = pngStats(await screenshotOffline(report.html));
    expect(shot.colours).toBeGreaterThan(20);
    // The first charts are on screen: their series' blue is drawn (text and tables alone have none).
    expect(shot.near(chartBlue)).toBeGreaterThan(500);
  }, 180_000);
});
