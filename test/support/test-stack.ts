// `npm start`'s own stack (stack/stack.ts) for tests: the same wiring, on free ports, with its data in a temp dir.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { freePort } from '../../stack/free-port.ts';
import { loadStackConfig } from '../../stack/stack-config.ts';
import { startStack, type RunningStack, type StartStackOptions } from '../../stack/stack.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface TestStackOptions extends Pick<StartStackOptions, 'serviceEnv' | 'relayEnv'> {
  replicas?: number;
  faultInjection?: boolean;
  /** ALERTMANAGER_HA: an HA pair of Alertmanagers instead of one. */
  alertmanagerHa?: boolean;
}

/** Starts the whole chain as `npm start` does; stop() also removes its data. */
export async function startTestStack(options: TestStackOptions = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-test-'));
  // Run as root, the embedded PostgreSQL runs as `postgres`, which must be able to reach its directory.
  chmodSync(dataDir, 0o711);
  const env = {
    PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    ORDER_SERVICE_REPLICAS: String(options.replicas ?? 2),
    FAULT_INJECTION: String(options.faultInjection ?? true),
    PROMETHEUS_PORT: String(await freePort()),
    ALERTMANAGER_PORT: String(await freePort()),
    ALERTMANAGER_HA: String(options.alertmanagerHa ?? false),
    ALERTMANAGER_PEER_PORT: String(await freePort()),
    RELAY_PORT: String(await freePort()),
    SMTP_PORT: String(await freePort()),
    STACK_DATA_DIR: dataDir,
    RELAY_TOKEN_FILE: join(dataDir, 'relay-token'),
    LOG_LEVEL: 'warn',
  };
  try {
    const stack = await startStack(loadStackConfig(env, root), pino({ level: 'warn' }), {
      ...(options.serviceEnv ? { serviceEnv: options.serviceEnv } : {}),
      ...(options.relayEnv ? { relayEnv: options.relayEnv } : {}),
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
