// `npm start`'s own stack (stack/stack.ts) for tests: the same wiring, on free ports, with its data in a temp dir.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { freePortRun, freePorts } from '../../common/free-port.ts';
import { loadStackConfig } from '../../stack/stack-config.ts';
import { startStack, type RunningStack, type StartStackOptions } from '../../stack/stack.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface TestStackOptions extends Pick<StartStackOptions, 'serviceEnv' | 'relayEnv' | 'restartBackoff'> {
  replicas?: number;
  faultInjection?: boolean;
  /** More of `npm start`'s own environment (stack-config.ts keys), e.g. ORDER_SERVICE_MAX_OLD_SPACE_MB. */
  stackEnv?: Record<string, string>;
  /** The launcher's log (default: warnings and errors to stdout). */
  log?: Logger;
  /** ALERTMANAGER_HA: an HA pair of Alertmanagers instead of one. */
  alertmanagerHa?: boolean;
  /** Other configs than the repository's (a measurement of earlier rules against the same faults). */
  prometheusConfigFile?: string;
  alertmanagerConfigFile?: string;
}

/** Starts the whole chain as `npm start` does; stop() also removes its data. */
export async function startTestStack(options: TestStackOptions = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-test-'));
  // Run as root, the embedded PostgreSQL runs as `postgres`, which must be able to reach its directory.
  chmodSync(dataDir, 0o711);
  const replicas = options.replicas ?? 2;
  // Replica i listens on PORT + i and METRICS_PORT + i: those must be free too (other tests bind ports). One run
  // for both: two runs asked for one after the other can overlap (the kernel hands out neighbouring ports), and
  // then a replica's API port is another replica's metrics port.
  const ports = await freePortRun(2 * replicas);
  const run = Array.from({ length: 2 * replicas }, (_, i) => ports + i);
  const [prometheusPort, alertmanagerPort, peerPort, relayPort, smtpPort] = await freePorts(5, { avoid: run });
  const env = {
    PORT: String(ports),
    METRICS_PORT: String(ports + replicas),
    ORDER_SERVICE_REPLICAS: String(replicas),
    FAULT_INJECTION: String(options.faultInjection ?? true),
    PROMETHEUS_PORT: String(prometheusPort),
    ALERTMANAGER_PORT: String(alertmanagerPort),
    ALERTMANAGER_HA: String(options.alertmanagerHa ?? false),
    ALERTMANAGER_PEER_PORT: String(peerPort),
    RELAY_PORT: String(relayPort),
    SMTP_PORT: String(smtpPort),
    STACK_DATA_DIR: dataDir,
    RELAY_TOKEN_FILE: join(dataDir, 'relay-token'),
    LOG_LEVEL: 'warn',
    ...options.stackEnv,
  };
  try {
    const config = loadStackConfig(env, root);
    if (options.prometheusConfigFile !== undefined) config.prometheus.configFile = options.prometheusConfigFile;
    if (options.alertmanagerConfigFile !== undefined) config.alertmanager.configFile = options.alertmanagerConfigFile;
    const stack = await startStack(config, options.log ?? pino({ level: 'warn' }), {
      ...(options.serviceEnv ? { serviceEnv: options.serviceEnv } : {}),
      ...(options.relayEnv ? { relayEnv: options.relayEnv } : {}),
      ...(options.restartBackoff ? { restartBackoff: options.restartBackoff } : {}),
    });
    return {
      ...stack,
      async stop() {
        await stack.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
