// `npm run bench`: the alert relay's intake rate with its durable outbox (every 2xx is an fsynced SQLite commit),
// and intake-to-Slack latency, each against a baseline measured in the same run:
//  - intake: webhooks/s the relay process answers 2xx, against a bare node:http process answering 200 to the same
//    bodies (what any HTTP endpoint costs here, no validation, no storage);
//  - latency: webhook posted until the page reaches the Slack stand-in, against a bare forwarder (no validation,
//    no storage: it answers 200 and posts a fixed message to the stand-in, as relays that lose pages do).
// Absolute figures drift on shared machines; the ratios are what to watch.
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitUntilHealthy } from '../stack/child-process.ts';
import { freePort } from '../common/free-port.ts';
import { waitFor } from '../common/wait-for.ts';
import { startRelay } from '../stack/relay-process.ts';
import { startSlackStandIn } from '../test/support/stand-ins/slack-stand-in.ts';
import { writeTestRelayConfig } from '../test/support/relay/relay-config-file.ts';
import { webhookPayload } from '../test/support/relay/webhook-fixtures.ts';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 10;
const latencySamples = 100;

const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
// Arrival times of Slack requests on the same clock as the sends.
let arrived: ((at: number) => void) | undefined;
const slack = await startSlackStandIn({ onRequest: () => arrived?.(performance.now()) });
const token = 'bench-token-0123456789';
const configFile = writeTestRelayConfig({ dir, tokens: [token], slackUrl: slack.url, slackRatePerSecond: 100_000, slackBurst: 1000, maxOutboxDepth: 10_000_000 });
const relay = await startRelay({ configFile, outboxDir: dir, bearerToken: token, env: { LOG_LEVEL: 'error' } });
const barePort = await freePort();
const bare = startProcess({
  name: 'bare-http',
  command: process.execPath,
  args: [
    '--input-type=module',
    '-e',
    `import { createServer } from 'node:http';
     createServer((req, res) => {
       req.resume();
       req.on('end', () => {
         res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
         if (req.url === '/forward') fetch(process.env.SLACK_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"page"}' }).then((r) => r.text(), () => {});
       });
     }).listen(${barePort}, '127.0.0.1');`,
  ],
  env: { ...process.env, SLACK_URL: slack.url },
});
const bareUrl = `http://127.0.0.1:${barePort}/alertmanager/webhook`;

let sequence = 0;
const uniqueBody = (): string => JSON.stringify(webhookPayload({ alertname: 'BenchAlert', sequence: sequence++, alerts: 3 }));

async function measure(title: string, url: string): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    // A new notification per request, so none is dropped as a duplicate.
    requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: uniqueBody() }) }],
  });
  if (result['2xx'] === 0) throw new Error(`${title}: no request succeeded`);
  console.log(
    `${title.padEnd(34)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  2xx ${result['2xx']}  non-2xx ${result.non2xx}  errors ${result.errors}`,
  );
  return result;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

/** ms from posting a webhook until the stand-in has the page, one at a time. */
async function latencies(url: string): Promise<number[]> {
  const measured: number[] = [];
  for (let i = 0; i < latencySamples; i++) {
    const page = new Promise<number>((resolve) => (arrived = resolve));
    const t0 = performance.now();
    await post(url, uniqueBody(), { authorization: `Bearer ${token}` });
    measured.push((await page) - t0);
  }
  arrived = undefined;
  return measured;
}

try {
  await waitUntilHealthy(bare, `http://127.0.0.1:${barePort}/`, 30_000);
  await measure('warm-up (relay)', relay.webhookUrl);
  const baseline = await measure('baseline: bare HTTP 200', bareUrl);
  const intake = await measure('relay intake (durable outbox)', relay.webhookUrl);
  console.log(`webhooks/s accepted vs baseline: ${(intake.requests.average / baseline.requests.average).toFixed(3)}x`);
  console.log(`intake p99 latency vs baseline: ${(intake.latency.p99 / Math.max(baseline.latency.p99, 1)).toFixed(2)}x`);
  // Let the backlog the load left in the outbox drain before timing single pages.
  const backlogStart = Date.now();
  await waitFor(async () => Number(/alert_relay_outbox_depth\{channel="slack"\} (\d+)/.exec(await (await fetch(relay.metricsUrl)).text())?.[1] ?? 1) === 0, {
    what: 'the Slack outbox backlog to drain',
    timeoutMs: 600_000,
    intervalMs: 200,
  });
  console.log(`backlog of ${intake['2xx']} pages drained in ${((Date.now() - backlogStart) / 1000).toFixed(1)} s after the load`);
  const base = await latencies(`http://127.0.0.1:${barePort}/forward`);
  const through = await latencies(relay.webhookUrl);
  console.log(`baseline: bare forwarder to Slack   p50 ${percentile(base, 50).toFixed(1)} ms  p99 ${percentile(base, 99).toFixed(1)} ms`);
  console.log(`relay intake-to-Slack (durable)     p50 ${percentile(through, 50).toFixed(1)} ms  p99 ${percentile(through, 99).toFixed(1)} ms`);
  console.log(`intake-to-Slack p50 vs baseline: ${(percentile(through, 50) / percentile(base, 50)).toFixed(2)}x`);
  console.log(`intake-to-Slack p99 vs baseline: ${(percentile(through, 99) / percentile(base, 99)).toFixed(2)}x`);
} finally {
  await relay.stop();
  await bare.stop();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
}
