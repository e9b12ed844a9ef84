import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, waitHealthyOrDiscard, type ManagedProcess } from './child-process.ts';
import { freePorts } from '../common/free-port.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface OrderServiceProcess {
  process: ManagedProcess;
  apiUrl: string;
  metricsUrl: string;
  dataDir: string;
  /** Graceful stop (SIGTERM); removes the data directory when this launcher created it. */
  stop(): Promise<void>;
}

export interface OrderServiceOptions {
  port?: number;
  metricsPort?: number;
  /** Embedded PostgreSQL data; a fresh temp dir (removed at stop) when unset and DATABASE_URL is not given. */
  dataDir?: string;
  /** Extra environment (docs/service.md, "Configuration"), e.g. FAULT_INJECTION, DB_POOL_MAX, DATABASE_URL. */
  env?: Record<string, string>;
  nodeArgs?: string[];
  echo?: boolean;
  name?: string;
}

/** Starts `node service/main.ts` as its own process group and waits until /readyz answers. */
export async function startOrderService(options: OrderServiceOptions = {}): Promise<OrderServiceProcess> {
  const [apiPort, otherPort] = await freePorts(2, { avoid: [options.port, options.metricsPort].filter((p) => p !== undefined) });
  const port = options.port ?? apiPort!;
  const metricsPort = options.metricsPort ?? otherPort!;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'order-service-'));
  const child = startProcess({
    name: options.name ?? `order-service:${port}`,
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), join(root, 'service/main.ts')],
    cwd: root,
    echo: options.echo ?? false,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...options.env,
    },
  });
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitHealthyOrDiscard(child, `${apiUrl}/readyz`, 120_000, () => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    process: child,
    apiUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    dataDir,
    async stop() {
      await child.stop();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
