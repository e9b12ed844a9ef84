// Starts the real Alertmanager binary (0.25, Debian's prometheus-alertmanager) on loopback for `npm start` and
// the tests: clustering off, or gossiping with its peers on loopback (an HA pair, alertmanager-pair.ts). The repository's alertmanager.yml sends its webhooks to the relay's fixed port;
// this writes a variant pointing at the receiver actually in use (another port, a test's webhook server).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startProcess, waitHealthyOrDiscard, type ManagedProcess } from './child-process.ts';
import { resolveConfigPaths } from './config-paths.ts';
import { alertmanagerVariant, editYaml, type AlertmanagerConfig } from './config-variants.ts';
import { freePort } from '../common/free-port.ts';

export const alertmanagerBinary = '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerOptions {
  configFile: string;
  port?: number;
  /** Notification log and silences; a fresh temp dir (removed at stop) when unset. */
  dataDir?: string;
  /** Origin (`http://127.0.0.1:PORT`) that replaces the origin of every webhook URL; paths are kept. */
  webhookOrigin?: string;
  /** Bearer token file that replaces every webhook's `credentials_file`. */
  credentialsFile?: string;
  binary?: string;
  extraArgs?: string[];
  echo?: boolean;
  name?: string;
  /**
   * Join a cluster: gossip on 127.0.0.1:listenPort with the peers' cluster addresses (host:port). Unset: a single
   * instance with clustering off.
   */
  cluster?: { listenPort: number; peers: string[] };
}

export interface AlertmanagerProcess {
  process: ManagedProcess;
  url: string;
  port: number;
  /** The gossip address (127.0.0.1:PORT) when clustered. */
  clusterAddress: string | undefined;
  /** The config Alertmanager actually runs with (in a temp dir). */
  configFile: string;
  stop(): Promise<void>;
}

/** Writes the variant of `configFile` into `dir` (relative paths made absolute) and returns its path. */
export function renderAlertmanagerConfig(
  configFile: string,
  dir: string,
  overrides: { webhookOrigin?: string; credentialsFile?: string } = {},
): string {
  const source = resolve(configFile);
  const { webhookOrigin, credentialsFile } = overrides;
  const text = editYaml<AlertmanagerConfig>(
    readFileSync(source, 'utf8'),
    (config) =>
      alertmanagerVariant(resolveConfigPaths(config, dirname(source)), {
        ...(webhookOrigin !== undefined ? { webhookOrigin: () => webhookOrigin } : {}),
        ...(credentialsFile !== undefined ? { credentialsFile: resolve(credentialsFile) } : {}),
      }),
    source,
  );
  const rendered = join(dir, 'alertmanager.yml');
  writeFileSync(rendered, text);
  return rendered;
}

/** Starts Alertmanager and waits until /-/ready answers. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const configDir = mkdtempSync(join(tmpdir(), 'alertmanager-config-'));
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'alertmanager-data-'));
  const cleanUp = (): void => {
    rmSync(configDir, { recursive: true, force: true });
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let configFile: string;
  try {
    configFile = renderAlertmanagerConfig(options.configFile, configDir, {
      ...(options.webhookOrigin !== undefined ? { webhookOrigin: options.webhookOrigin } : {}),
      ...(options.credentialsFile !== undefined ? { credentialsFile: options.credentialsFile } : {}),
    });
  } catch (error) {
    cleanUp();
    throw new Error(`cannot render ${options.configFile}: ${(error as Error).message}`);
  }
  const clusterAddress = options.cluster ? `127.0.0.1:${options.cluster.listenPort}` : undefined;
  const clusterArgs = options.cluster
    ? [
        `--cluster.listen-address=${clusterAddress}`,
        // Memberlist refuses to guess an advertise address on loopback.
        `--cluster.advertise-address=${clusterAddress}`,
        ...options.cluster.peers.map((peer) => `--cluster.peer=${peer}`),
      ]
    : // A single instance: no gossip port, no waiting for peers before the first notification.
      ['--cluster.listen-address='];
  const child = startProcess({
    name: options.name ?? `alertmanager:${port}`,
    command: options.binary ?? alertmanagerBinary,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}/`,
      ...clusterArgs,
      ...(options.extraArgs ?? []),
    ],
    echo: options.echo ?? false,
  });
  await waitHealthyOrDiscard(child, `${url}/-/ready`, 60_000, cleanUp);
  return {
    process: child,
    url,
    port,
    clusterAddress,
    configFile,
    async stop() {
      await child.stop();
      cleanUp();
    },
  };
}
