// An Alertmanager HA pair, for real: two Alertmanager 0.25 processes clustered on loopback, the alerts posted to
// both through the v2 API as Prometheus posts them, the relay and the Slack stand-in behind them, the repository's
// alertmanager.yml. Five faults at once, each its own group: every fault pages exactly once and resolves exactly
// once, with both peers up, with the peer that pages killed before it could page, and with it killed after the
// pages and before the resolutions. Two Alertmanagers that do not gossip (a split cluster) both send everything:
// the relay's dedupe (which leaves out the externalURL, different per peer) still lets each page through once.
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { clusterSize, peerPosition, startHaPipeline, type HaPipeline, type InjectedAlert } from './support/alertmanager-ha-pipeline.ts';
import { waitFor } from '../common/wait-for.ts';

const faults = 5;
const pipelines: HaPipeline[] = [];
afterAll(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.stop()));
});

function faultAlerts(startsAt: Date): InjectedAlert[] {
  return Array.from({ length: faults }, (_, i) => ({
    labels: { alertname: `HaFault${i + 1}`, severity: 'critical', service: 'order-service', instance: `10.0.0.${i + 1}:9464`, job: 'order-service' },
    annotations: { summary: `Injected fault ${i + 1}.`, description: `Fault ${i + 1} injected by the HA test.` },
    startsAt: startsAt.toISOString(),
    // As Prometheus does: a firing alert ends a while ahead unless it is sent again.
    endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
    generatorURL: 'http://127.0.0.1:9090/graph',
  }));
}

const resolved = (alerts: InjectedAlert[], at: Date): InjectedAlert[] => alerts.map((a) => ({ ...a, endsAt: at.toISOString() }));

interface PageCounts {
  firing: Map<string, number>;
  resolved: Map<string, number>;
  other: string[];
}

/** The pages on-call saw in Slack, per fault and status. */
function pages(p: HaPipeline): PageCounts {
  const counts: PageCounts = { firing: new Map(), resolved: new Map(), other: [] };
  for (const payload of p.slack.delivered()) {
    const text = String((payload as { text?: unknown }).text);
    const match = /\[(FIRING|RESOLVED)[^\]]*\] (HaFault\d+)/.exec(text);
    if (!match) {
      counts.other.push(text);
      continue;
    }
    const map = match[1] === 'FIRING' ? counts.firing : counts.resolved;
    map.set(match[2]!, (map.get(match[2]!) ?? 0) + 1);
  }
  return counts;
}
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

type Kill = 'none' | 'before-page' | 'after-page';

/** Fires the faults, optionally kills the peer that notifies, resolves them, waits until nothing more can come. */
async function runIncident(p: HaPipeline, kill: Kill, clustered: boolean): Promise<{ pages: PageCounts; webhooks: number; deduplicated: number; killedPosition?: number }> {
  let killedPosition: number | undefined;
  if (clustered) {
    await waitFor(async () => (await Promise.all(p.peers.map(clusterSize))).every((n) => n === 2), { what: 'both peers to see a cluster of 2', timeoutMs: 60_000 });
  }
  const notifier = async (): Promise<AlertmanagerProcess> => {
    const positions = await Promise.all(p.peers.map(peerPosition));
    expect([...positions].sort()).toEqual([0, 1]);
    return p.peers[positions.indexOf(0)]!;
  };
  const firstToNotify = clustered ? await notifier() : undefined;
  const alerts = faultAlerts(new Date());
  await p.send(alerts);
  if (kill === 'before-page') {
    // At once, well inside the critical route's group_wait (5 s): this peer has not notified yet.
    await p.kill(firstToNotify!);
    killedPosition = 0;
  }
  await waitFor(() => total(pages(p).firing) >= faults, { what: `${faults} firing pages`, timeoutMs: 90_000, intervalMs: 250 });
  if (kill === 'after-page') {
    await p.kill(await notifier());
    killedPosition = 0;
  }
  await p.send(resolved(alerts, new Date()));
  // Resolutions leave at the group's next group_interval tick (1 m on the critical route).
  await waitFor(() => total(pages(p).resolved) >= faults, { what: `${faults} resolution pages`, timeoutMs: 150_000, intervalMs: 250 });
  // Nothing more can come once every live peer has dropped the groups (all resolved and notified) and the relay
  // has delivered everything it stored.
  await waitFor(async () => (await Promise.all(p.alive().map((peer) => p.groups(peer)))).every((g) => g.length === 0), { what: 'the live peers to drop the resolved groups', timeoutMs: 120_000, intervalMs: 500 });
  await waitFor(async () => (await p.relayMetric('alert_relay_outbox_depth')) === 0, { what: 'the relay outbox to drain', timeoutMs: 60_000 });
  return {
    pages: pages(p),
    webhooks: await p.relayMetric('alert_relay_webhooks_received_total'),
    deduplicated: await p.relayMetric('alert_relay_notifications_deduplicated_total'),
    ...(killedPosition !== undefined ? { killedPosition } : {}),
  };
}

function expectExactlyOnce(result: { pages: PageCounts }): void {
  const names = Array.from({ length: faults }, (_, i) => `HaFault${i + 1}`);
  expect(result.pages.other, 'pages that are none of the injected faults').toEqual([]);
  expect(Object.fromEntries(result.pages.firing), 'firing pages per fault').toEqual(Object.fromEntries(names.map((n) => [n, 1])));
  expect(Object.fromEntries(result.pages.resolved), 'resolution pages per fault').toEqual(Object.fromEntries(names.map((n) => [n, 1])));
}

const scenarios: Array<{ name: string; clustered: boolean; kill: Kill }> = [
  { name: 'a clustered pair, both peers up', clustered: true, kill: 'none' },
  { name: 'a clustered pair, the notifying peer killed before it paged', clustered: true, kill: 'before-page' },
  { name: 'a clustered pair, the notifying peer killed after the pages, before the resolutions', clustered: true, kill: 'after-page' },
  { name: 'two Alertmanagers that do not gossip (a split cluster): both send everything', clustered: false, kill: 'none' },
];

describe.concurrent('Alertmanager HA: 5 injected faults page exactly once and resolve exactly once', () => {
  it.each(scenarios)('$name', async ({ name, clustered, kill }) => {
    const p = await startHaPipeline({ clustered });
    pipelines.push(p);
    const result = await runIncident(p, kill, clustered);
    console.log(
      `[ha] ${name}: firing pages ${total(result.pages.firing)}, resolution pages ${total(result.pages.resolved)} for ${faults} faults; ` +
        `webhooks the relay received ${result.webhooks}, dropped as duplicates ${result.deduplicated}`,
    );
    expectExactlyOnce(result);
    if (!clustered) {
      // Each peer sent every firing and every resolution: the relay dropped the second copy of each.
      expect(result.deduplicated).toBe(2 * faults);
    }
  });
});
