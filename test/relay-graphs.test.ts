// Graphs in pages, against a real Prometheus (scraping itself): the Slack page carries an image block whose URL
// the relay serves (Slack's download of it succeeds), the email carries the same graph inline (CID), digests one
// small graph per alert group; with Prometheus down or hung the page still goes out, within the time budget,
// without the graph, and the miss is counted.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessRelay, type InProcessRelay } from './support/relay/in-process-relay.ts';
import { postWebhook, webhookPayload } from './support/relay/webhook-fixtures.ts';
import { freePort } from '../common/free-port.ts';
import { startPrometheus, type PrometheusProcess } from '../stack/prometheus-process.ts';
import { imageUrls, startSlackStandIn, type SlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { startSmtpSink, type SmtpSink } from './support/stand-ins/smtp-sink.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

let dir: string;
let prometheus: PrometheusProcess;
let slack: SlackStandIn;
let smtp: SmtpSink;
const relays: InProcessRelay[] = [];

const pngSize = (png: Buffer): { width: number; height: number } => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
const isPng = (png: Buffer): boolean => png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relay-graphs-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify({ global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: ['127.0.0.1:9090'] }] }] }));
  prometheus = await startPrometheus({ configFile });
  slack = await startSlackStandIn({ fetchImages: true });
  smtp = await startSmtpSink();
  // A few samples, so the graph has a line.
  await waitFor(
    async () => {
      const body = new URLSearchParams({ query: 'process_resident_memory_bytes', start: String(Date.now() / 1000 - 60), end: String(Date.now() / 1000), step: '1' });
      const answer = (await (await fetch(`${prometheus.url}/api/v1/query_range`, { method: 'POST', body })).json()) as { data: { result: Array<{ values: unknown[] }> } };
      return (answer.data.result[0]?.values.length ?? 0) >= 3;
    },
    { what: 'Prometheus to have scraped itself a few times', timeoutMs: 60_000 },
  );
});

afterAll(async () => {
  for (const relay of relays) await relay.stop();
  await slack?.close();
  await smtp?.close();
  await prometheus?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function relayWith(graphs: Record<string, unknown>, emailMode: 'immediate' | 'digest' = 'immediate'): Promise<InProcessRelay> {
  const port = await freePort();
  const relay = await startInProcessRelay({
    port,
    slackUrl: slack.url,
    smtp: { host: smtp.host, port: smtp.port },
    emailMode,
    digestIntervalSeconds: 1,
    overrides: { graphs: { publicBaseUrl: `http://127.0.0.1:${port}`, ...graphs } },
  });
  relays.push(relay);
  return relay;
}

/** A page for Prometheus's own memory, as the rule `process_resident_memory_bytes > 1e6` would send it. */
function memoryAlert(alertname: string, options: { generatorHost?: string } = {}) {
  const payload = webhookPayload({ receiver: 'both', alertname, labels: { instance: `127.0.0.1:${prometheus.port}`, job: 'prometheus' } });
  for (const alert of payload.alerts) {
    alert.generatorURL = `http://${options.generatorHost ?? `127.0.0.1:${prometheus.port}`}/graph?g0.expr=${encodeURIComponent('process_resident_memory_bytes > 1e6')}&g0.tab=1`;
  }
  return payload;
}

const slackPageOf = (alertname: string) => () => slack.received.find((r) => r.status === 200 && JSON.stringify(r.payload).includes(alertname));
const mailOf = (alertname: string) => () => smtp.received.find((m) => (m.parsed.text ?? '').includes(alertname));
const metricsOf = async (relay: InProcessRelay) => (await scrape(`${relay.relay.url}/metrics`)).samples;

describe('graphs in pages', () => {
  it('puts the graph in the Slack page (served by the relay, fetched as Slack does) and inline in the email', async () => {
    const relay = await relayWith({ prometheusUrl: prometheus.url });
    // The first send fails: the retry must carry the same image (same URL), not a second query and render.
    slack.script({ status: 500 });
    expect((await postWebhook(relay.webhookUrl, relay.token, memoryAlert('GraphedMemory'))).status).toBe(200);

    const page = await waitFor(slackPageOf('GraphedMemory'), { what: 'the Slack page with its graph' });
    const [url] = imageUrls(page.payload);
    expect(url).toMatch(new RegExp(`^${relay.relay.url}/graphs/[A-Za-z0-9_-]{32}\\.png$`));
    const attempts = slack.received.filter((r) => JSON.stringify(r.payload ?? '').includes('GraphedMemory'));
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(imageUrls(attempts[0]!.payload)).toEqual([url]);
    const fetched = slack.images.find((i) => i.url === url)!;
    expect(fetched.status).toBe(200);
    expect(fetched.contentType).toBe('image/png');
    expect(isPng(fetched.body)).toBe(true);
    expect(pngSize(fetched.body)).toEqual({ width: 720, height: 300 });
    if (process.env.GRAPH_PNG_OUT) writeFileSync(process.env.GRAPH_PNG_OUT, fetched.body);
    const block = (page.payload as { blocks: Array<{ type: string; alt_text?: string; title?: { text: string } }> }).blocks.find((b) => b.type === 'image')!;
    expect(block.title?.text).toBe('GraphedMemory (critical)');
    expect(block.alt_text).toContain('threshold > 1000000');

    const mail = await waitFor(mailOf('GraphedMemory'), { what: 'the email with its graph' });
    const image = mail.parsed.attachments.find((a) => a.contentType === 'image/png');
    expect(image?.cid).toBeTruthy();
    expect(image!.related).toBe(true);
    // mailparser resolves a cid: reference into a data: URL only when a related part has that Content-ID.
    expect(mail.raw).toContain(`Content-ID: <${image!.cid}>`);
    expect(mail.parsed.html).toContain(`src="data:image/png;base64,${image!.content.toString('base64')}"`);
    expect(isPng(image!.content)).toBe(true);

    const samples = await metricsOf(relay);
    expect(sumOf(samples, 'alert_relay_graphs_total', { outcome: 'rendered' })).toBe(2); // Slack once (kept for the retry), email once
    expect(sumOf(samples, 'alert_relay_graph_render_seconds_count')).toBe(2);
    // A wrong token finds nothing.
    expect((await fetch(`${relay.relay.url}/graphs/${'A'.repeat(32)}.png`)).status).toBe(404);
    expect((await fetch(`${relay.relay.url}/graphs/../outbox.sqlite`)).status).toBe(404);
  });

  it('sends the digest with one small graph per alert group', async () => {
    const relay = await relayWith({ prometheusUrl: prometheus.url }, 'digest');
    for (const name of ['DigestGroupA', 'DigestGroupB']) expect((await postWebhook(relay.webhookUrl, relay.token, memoryAlert(name))).status).toBe(200);
    const mail = await waitFor(() => smtp.received.find((m) => (m.parsed.text ?? '').includes('DigestGroupA') && (m.parsed.text ?? '').includes('DigestGroupB')), { what: 'the digest' });
    const images = mail.parsed.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toHaveLength(2);
    for (const image of images) {
      expect(mail.parsed.html).toContain(`src="data:image/png;base64,${image.content.toString('base64')}"`);
      expect(pngSize(image.content)).toEqual({ width: 480, height: 200 });
    }
  });

  it('sends the page without the graph, within the time budget, when Prometheus is down or hangs, and counts the miss', async () => {
    // Down: nothing listens on this port.
    const down = await relayWith({ prometheusUrl: `http://127.0.0.1:${await freePort()}` });
    // Hung: accepts the connection and never answers (as a Prometheus stuck on a heavy query does).
    const sockets: Socket[] = [];
    const hung: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungPort = (hung.address() as { port: number }).port;
    try {
      const slow = await relayWith({ prometheusUrl: `http://127.0.0.1:${hungPort}`, budgetSeconds: 1 });
      expect((await postWebhook(down.webhookUrl, down.token, memoryAlert('PromDown'))).status).toBe(200);
      expect((await postWebhook(slow.webhookUrl, slow.token, memoryAlert('PromHung'))).status).toBe(200);
      // Without the budget the hung query would hold the page for minutes (fetch's own timeouts).
      for (const name of ['PromDown', 'PromHung']) {
        const page = await waitFor(slackPageOf(name), { what: `the ${name} page`, timeoutMs: 30_000 });
        expect(imageUrls(page.payload)).toEqual([]);
        const mail = await waitFor(mailOf(name), { what: `the ${name} email`, timeoutMs: 30_000 });
        expect(mail.parsed.attachments).toEqual([]);
      }
      expect(sockets.length).toBeGreaterThan(0); // the relay really asked the hung server
      expect(sumOf(await metricsOf(down), 'alert_relay_graphs_total', { outcome: 'unreachable' })).toBe(2);
      expect(sumOf(await metricsOf(slow), 'alert_relay_graphs_total', { outcome: 'timeout' })).toBe(2);
      expect(sumOf(await metricsOf(slow), 'alert_relay_graphs_total', { outcome: 'rendered' })).toBe(0);

      // A Prometheus that keeps hanging: after three timeouts in a row graphs are skipped, not waited for.
      for (const name of ['PromHung2', 'PromHung3']) {
        expect((await postWebhook(slow.webhookUrl, slow.token, memoryAlert(name))).status).toBe(200);
        await waitFor(slackPageOf(name), { what: `the ${name} page`, timeoutMs: 30_000 });
        await waitFor(mailOf(name), { what: `the ${name} email`, timeoutMs: 30_000 });
      }
      const samples = await metricsOf(slow);
      expect(sumOf(samples, 'alert_relay_graphs_total', { outcome: 'timeout' })).toBeGreaterThanOrEqual(3);
      expect(sumOf(samples, 'alert_relay_graphs_total', { outcome: 'timeout' })).toBeLessThanOrEqual(4);
      expect(sumOf(samples, 'alert_relay_graphs_total', { outcome: 'skipped' })).toBeGreaterThanOrEqual(2);
    } finally {
      for (const s of sockets) s.destroy();
      hung.close();
    }
  });
});
