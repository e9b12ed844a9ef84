// Crash safety: the relay process is SIGKILLed at random points while a stream of webhooks comes in and deliveries
// go out, then restarted on the same outbox. The sender behaves as Alertmanager does (it retries until it gets a
// 2xx), so every notification is accepted once; every accepted notification must reach Slack and the mailbox.
// Exactly once: the only copy that may arrive twice is the one in flight at a kill, which the destination took but
// whose acknowledgement the relay never read (no relay can know whether it arrived; RFC 1047 for SMTP). So a
// duplicate is allowed only for a message a destination received from the relay that was killed: the last one
// before the kill, or one arriving while it was dead (each destination has at most one send in flight).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writeTestRelayConfig } from './support/relay/relay-config-file.ts';
import { postWebhook, webhookPayload } from './support/relay/webhook-fixtures.ts';
import { freePort } from '../common/free-port.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { startSlackStandIn } from './support/stand-ins/slack-stand-in.ts';
import { startSmtpSink } from './support/stand-ins/smtp-sink.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const clean of cleanups.reverse()) await clean();
});

it('delivers every accepted notification exactly once across SIGKILLs at random points', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const slack = await startSlackStandIn();
  cleanups.push(() => slack.close());
  const smtp = await startSmtpSink();
  cleanups.push(() => smtp.close());
  const token = 'crash-test-token-0123456789';
  const port = await freePort();
  const configFile = writeTestRelayConfig({ dir, tokens: [token], slackUrl: slack.url, smtp: { host: smtp.host, port: smtp.port }, slackRatePerSecond: 200, slackBurst: 20 });
  const start = (): Promise<RelayProcess> => startRelay({ configFile, port, outboxDir: dir, bearerToken: token, env: { LOG_LEVEL: 'warn' } });
  let relay = await start();
  cleanups.push(() => relay.stop());

  const total = 80;
  const kills = 4;
  const seed = Date.now();
  let random = seed;
  const nextRandom = (): number => ((random = (random * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const thresholds = Array.from({ length: kills }, () => 5 + Math.floor(nextRandom() * (total - 10))).sort((a, b) => a - b);

  // Senders: like Alertmanager, post each notification until it is answered 2xx (network errors and 5xx retried).
  const accepted = new Set<number>();
  let next = 1;
  const sendUntilAccepted = async (sequence: number): Promise<void> => {
    const payload = webhookPayload({ receiver: 'both', alertname: `Crash${sequence % 5}`, sequence });
    for (;;) {
      try {
        const answer = await postWebhook(relay.webhookUrl, token, payload);
        if (answer.status === 200) {
          accepted.add(sequence);
          return;
        }
        expect(answer.status).toBeGreaterThanOrEqual(500); // never a 4xx for a good payload
      } catch {
        // the relay is down: wait until it is back
      }
      await waitFor(async () => (await fetch(`${relay.url}/readyz`)).ok, { what: 'the relay back up', timeoutMs: 60_000 });
    }
  };
  const senders = Array.from({ length: 3 }, async () => {
    while (next <= total) await sendUntilAccepted(next++);
  });

  // The killer: SIGKILL when the accepted count passes each random threshold; note which messages each destination
  // received from the relay it killed (the last one before, and any arriving until the restart).
  const inFlightAtKill: { slack: Array<[number, number]>; email: Array<[number, number]> } = { slack: [], email: [] };
  const slackCount = (): number => slack.received.filter((r) => r.status === 200).length;
  for (const threshold of thresholds) {
    await waitFor(() => accepted.size >= threshold, { what: `${threshold} notifications accepted`, timeoutMs: 90_000 });
    const before = { slack: slackCount() - 1, email: smtp.received.length - 1 };
    await relay.kill();
    relay = await start();
    inFlightAtKill.slack.push([before.slack, slackCount() - 1]);
    inFlightAtKill.email.push([before.email, smtp.received.length - 1]);
  }
  await Promise.all(senders);
  expect(accepted.size).toBe(total);

  const sequenceOf = (text: string): number => Number(/sequence(?:\*\\n|: )(\d+)/.exec(text)?.[1]);
  const slackSequences = (): number[] => slack.delivered().map((p) => sequenceOf(JSON.stringify(p)));
  const mailSequences = (): number[] => smtp.received.map((m) => sequenceOf(m.parsed.text ?? ''));
  await waitFor(() => new Set(slackSequences()).size === total && new Set(mailSequences()).size === total, {
    what: `all ${total} notifications in Slack and the mailbox (seed ${seed})`,
    timeoutMs: 90_000,
  });
  const { samples } = await scrape(relay.metricsUrl);
  await waitFor(async () => sumOf((await scrape(relay.metricsUrl)).samples, 'alert_relay_outbox_depth') === 0, { what: 'the outbox empty' });
  expect(sumOf(samples, 'alert_relay_dead_letters_total')).toBe(0);

  // Each message gets one extra copy per kill it was in flight at (a quick second kill can catch it again).
  const checkOnce = (channel: 'slack' | 'email', sequences: number[]): void => {
    const extraAllowed = new Map<number, number>();
    for (const [from, to] of inFlightAtKill[channel]) {
      for (const s of new Set(sequences.slice(Math.max(0, from), to + 1))) extraAllowed.set(s, (extraAllowed.get(s) ?? 0) + 1);
    }
    const seen = new Map<number, number>();
    for (const s of sequences) seen.set(s, (seen.get(s) ?? 0) + 1);
    for (let s = 1; s <= total; s++) {
      const count = seen.get(s) ?? 0;
      const allowed = 1 + (extraAllowed.get(s) ?? 0);
      expect({ channel, sequence: s, seed, delivered: count >= 1, withinInFlightCopies: count <= allowed }).toEqual({ channel, sequence: s, seed, delivered: true, withinInFlightCopies: true });
    }
  };
  checkOnce('slack', slackSequences());
  checkOnce('email', mailSequences());
});
