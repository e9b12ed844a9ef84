// `npm start`'s own stack (stack/stack.ts) for tests: the same wiring, on free ports, with its data in a temp dir.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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
  /** Other configs than the repository's (a measurement of earlier rules against the same faults). */
  prometheusConfigFile?: string;
  alertmanagerConfigFile?: string;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Free ports for the stack, none given twice: `block(n)` is the first of n consecutive free ports, as the
 * launcher gives replica i PORT + i and METRICS_PORT + i (a lone free port says nothing about the next one).
 */
function portPicker() {
  const taken = new Set<number>();
  const block = async (count: number): Promise<number> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const base = await freePort();
      const ports = Array.from({ length: count }, (_, i) => base + i);
      if (ports.some((port) => taken.has(port) || port > 65535)) continue;
      if (!(await Promise.all(ports.slice(1).map(canBind))).every(Boolean)) continue;
      for (const port of ports) taken.add(port);
      return base;
    }
    throw new Error(`no ${count} consecutive free ports on 127.0.0.1 after 100 tries`);
  };
  return { block, one: () => block(1) };
}

/** Starts the whole chain as `npm start` does; stop() also removes its data. */
export async function startTestStack(options: TestStackOptions = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-test-'));
  // Run as root, the embedded PostgreSQL runs as `postgres`, which must be able to reach its directory.
  chmodSync(dataDir, 0o711);
  const replicas = options.replicas ?? 2;
  const ports = portPicker();
  const env = {
    PORT: String(await ports.block(replicas)),
    METRICS_PORT: String(await ports.block(replicas)),
    ORDER_SERVICE_REPLICAS: String(replicas),
    FAULT_INJECTION: String(options.faultInjection ?? true),
    PROMETHEUS_PORT: String(await ports.one()),
    ALERTMANAGER_PORT: String(await ports.one()),
    RELAY_PORT: String(await ports.one()),
    SMTP_PORT: String(await ports.one()),
    STACK_DATA_DIR: dataDir,
    RELAY_TOKEN_FILE: join(dataDir, 'relay-token'),
    LOG_LEVEL: 'warn',
  };
  try {
    const config = loadStackConfig(env, root);
    if (options.prometheusConfigFile !== undefined) config.prometheus.configFile = options.prometheusConfigFile;
    if (options.alertmanagerConfigFile !== undefined) config.alertmanager.configFile = options.alertmanagerConfigFile;
    const stack = await startStack(config, pino({ level: 'warn' }), {
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
