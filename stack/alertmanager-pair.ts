// Two real Alertmanagers clustered on loopback, as every production Alertmanager runs: Prometheus sends each alert
// to both; they gossip their notification log, so the peer first in the cluster's order notifies and the other
// notifies only when, after its peer timeout, the log says nobody has. One peer lost, the other still notifies.
import { startAlertmanager, type AlertmanagerOptions, type AlertmanagerProcess } from './alertmanager-process.ts';
import { freePorts } from '../common/free-port.ts';

export interface AlertmanagerPairOptions extends Omit<AlertmanagerOptions, 'port' | 'dataDir' | 'cluster' | 'name'> {
  /** Web ports of the two peers; free ones when unset. */
  ports?: [number, number];
  /** Data dirs of the two peers (each its own notification log and silences); temp dirs when unset. */
  dataDirs?: [string, string];
}

export interface AlertmanagerPair {
  peers: [AlertmanagerProcess, AlertmanagerProcess];
  stop(): Promise<void>;
}

export async function startAlertmanagerPair(options: AlertmanagerPairOptions): Promise<AlertmanagerPair> {
  const { ports, dataDirs, ...common } = options;
  // Held together so no two of the four are the same port; given web ports are kept out of the gossip ones.
  const [w1, w2, g1, g2] = await freePorts(4, { avoid: ports ?? [] });
  const web = ports ?? [w1!, w2!];
  const gossip = [g1!, g2!];
  const start = (i: 0 | 1): Promise<AlertmanagerProcess> =>
    startAlertmanager({
      ...common,
      port: web[i],
      ...(dataDirs ? { dataDir: dataDirs[i] } : {}),
      name: `alertmanager-${i + 1}:${web[i]}`,
      cluster: { listenPort: gossip[i]!, peers: [`127.0.0.1:${gossip[1 - i]}`] },
    });
  const first = await start(0);
  let second: AlertmanagerProcess;
  try {
    second = await start(1);
  } catch (error) {
    await first.stop();
    throw error;
  }
  return {
    peers: [first, second],
    async stop() {
      await Promise.all([first.stop(), second.stop()]);
    },
  };
}
