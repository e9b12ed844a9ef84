// The alert chain behind an Alertmanager HA pair, for tests: Slack stand-in <- relay <- two real Alertmanagers
// (clustered on loopback, or two independent ones: what a broken cluster looks like to the relay). Alerts are
// injected through Alertmanager's v2 API exactly as Prometheus sends them: the same alert to every peer, again on
// every change, with endsAt set when it resolves.
import { fileURLToPath } from 'node:url';
import { startAlertmanager, type AlertmanagerProcess } from '../../stack/alertmanager-process.ts';
import { startAlertmanagerPair } from '../../stack/alertmanager-pair.ts';
import { startRelay, type RelayProcess } from '../../stack/relay-process.ts';
import { startSlackStandIn, type SlackStandIn } from './stand-ins/slack-stand-in.ts';
import { parsePrometheusText } from './prometheus-text.ts';

const alertmanagerConfig = fileURLToPath(new URL('../../alertmanager/alertmanager.yml', import.meta.url));

export interface InjectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface HaPipeline {
  slack: SlackStandIn;
  relay: RelayProcess;
  peers: AlertmanagerProcess[];
  /** Peers not killed by the test. */
  alive(): AlertmanagerProcess[];
  /** Posts alerts to every live peer, as Prometheus does (a dead peer is skipped, as Prometheus's send to it fails). */
  send(alerts: InjectedAlert[]): Promise<void>;
  /** SIGKILL one peer (no goodbye to the cluster, as a lost node). */
  kill(peer: AlertmanagerProcess): Promise<void>;
  /** Alert groups a peer still holds (empty once every resolution is sent and the groups are gone). */
  groups(peer: AlertmanagerProcess): Promise<unknown[]>;
  /** A sample of the relay's /metrics, summed over label sets matching `labels`. */
  relayMetric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startHaPipeline(options: { clustered: boolean }): Promise<HaPipeline> {
  const slack = await startSlackStandIn();
  const cleanup: Array<() => Promise<void>> = [() => slack.close()];
  const stopAll = async (): Promise<void> => {
    for (const stop of cleanup.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    // No ALERTMANAGER_URL: silence links use the sending peer's externalURL (which the dedupe key leaves out). The
    // relay's own Watchdog page stays out of the way of the counts.
    const relay = await startRelay({ slackWebhookUrl: slack.url, env: { RELAY_WATCHDOG_MISSING_SECONDS: '3600' } });
    cleanup.push(() => relay.stop());
    const common = { configFile: alertmanagerConfig, webhookOrigin: relay.url, credentialsFile: relay.tokenFile };
    let peers: AlertmanagerProcess[];
    if (options.clustered) {
      const pair = await startAlertmanagerPair(common);
      cleanup.push(() => pair.stop());
      peers = [...pair.peers];
    } else {
      const first = await startAlertmanager(common);
      cleanup.push(() => first.stop());
      const second = await startAlertmanager(common);
      cleanup.push(() => second.stop());
      peers = [first, second];
    }
    const killed = new Set<AlertmanagerProcess>();
    const alive = (): AlertmanagerProcess[] => peers.filter((p) => !killed.has(p));
    return {
      slack,
      relay,
      peers,
      alive,
      async send(alerts) {
        await Promise.all(
          alive().map(async (peer) => {
            const response = await fetch(`${peer.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
            if (!response.ok) throw new Error(`${peer.url}/api/v2/alerts answered ${response.status}: ${await response.text()}`);
          }),
        );
      },
      async kill(peer) {
        killed.add(peer);
        await peer.process.kill();
      },
      async groups(peer) {
        const response = await fetch(`${peer.url}/api/v2/alerts/groups`);
        if (!response.ok) throw new Error(`${peer.url}/api/v2/alerts/groups answered ${response.status}`);
        return (await response.json()) as unknown[];
      },
      async relayMetric(name, labels = {}) {
        const samples = parsePrometheusText(await (await fetch(relay.metricsUrl)).text());
        return samples
          .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
          .reduce((sum, s) => sum + s.value, 0);
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Alertmanager's position in its cluster (0 notifies first; the others wait position x peer timeout). */
export async function peerPosition(peer: AlertmanagerProcess): Promise<number> {
  const samples = parsePrometheusText(await (await fetch(`${peer.url}/metrics`)).text());
  const position = samples.find((s) => s.name === 'alertmanager_peer_position');
  if (position === undefined) throw new Error(`${peer.url}/metrics has no alertmanager_peer_position (not clustered?)`);
  return position.value;
}

/** Cluster members a peer sees (itself included). */
export async function clusterSize(peer: AlertmanagerProcess): Promise<number> {
  const samples = parsePrometheusText(await (await fetch(`${peer.url}/metrics`)).text());
  return samples.find((s) => s.name === 'alertmanager_cluster_members')?.value ?? 0;
}
