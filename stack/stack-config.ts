// The one typed config of `npm start` / `npm run stack`, from the environment, validated at start. Ports default
// to those in docs/stack.md; every key is in its table of variables.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { booleanSetting as bool, fixedPortNumber as port, parseEnv } from '../common/config-fields.ts';

const envSchema = z.object({
  PORT: port.default(8080),
  METRICS_PORT: port.default(9464),
  ORDER_SERVICE_REPLICAS: z.coerce.number().int().min(1).max(10).default(2),
  FAULT_INJECTION: bool.default(false),
  /** Each replica's --max-old-space-size (the old-generation limit it dies at); V8's default when unset. */
  ORDER_SERVICE_MAX_OLD_SPACE_MB: z.coerce.number().int().min(16).max(65536).optional(),
  /** Heap snapshots each replica writes near its heap limit (--heapsnapshot-near-heap-limit); 0 is off. */
  HEAP_SNAPSHOT_COUNT: z.coerce.number().int().min(0).max(10).default(1),
  /** Where they go, one directory per replica under it; STACK_DATA_DIR/heap-snapshots when unset. */
  HEAP_SNAPSHOT_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  EMBEDDED_PG_PORT: port.optional(),
  PROMETHEUS_PORT: port.default(9090),
  ALERTMANAGER_PORT: port.default(9093),
  /** An HA pair of Alertmanagers clustered on loopback (the second on ALERTMANAGER_PEER_PORT), as in production. */
  ALERTMANAGER_HA: bool.default(false),
  ALERTMANAGER_PEER_PORT: port.default(9096),
  RELAY_PORT: port.default(9095),
  SLACK_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: port.default(2525),
  STACK_DATA_DIR: z.string().min(1).default('.data'),
  RELAY_TOKEN_FILE: z.string().min(1).default('alertmanager/secrets/relay-token'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface StackConfig {
  root: string;
  dataDir: string;
  orderService: {
    replicas: number;
    /** Replica i (0-based) listens on port + i and metricsPort + i. */
    port: number;
    metricsPort: number;
    faultInjection: boolean;
    /** --max-old-space-size of each replica, in MiB; unset: V8's default for the machine. */
    maxOldSpaceMb: number | undefined;
    /** Near-heap-limit snapshots per replica process (0: off), into heapSnapshotDir/order-service-<n>. */
    heapSnapshotCount: number;
    heapSnapshotDir: string;
    /** Unset: replica 0 runs an embedded PostgreSQL on embeddedPgPort and the others share it. */
    databaseUrl: string | undefined;
    embeddedPgPort: number | undefined;
  };
  prometheus: { port: number; configFile: string };
  alertmanager: {
    port: number;
    /** The second peer's web port when running an HA pair; undefined: one Alertmanager. */
    peerPort: number | undefined;
    configFile: string;
  };
  relay: {
    port: number;
    tokenFile: string;
    /** Unset: the Slack stand-in takes the pages. */
    slackWebhookUrl: string | undefined;
    /** Unset host: the local SMTP sink takes the emails, on smtpPort. */
    smtpHost: string | undefined;
    smtpPort: number;
  };
  logLevel: string;
}

export class StackConfigError extends Error {}

export function loadStackConfig(env: NodeJS.ProcessEnv, root: string): StackConfig {
  // Names and reasons only (parseEnv never echoes values): values may be secrets (webhook URLs, database passwords).
  const parsed = parseEnv(envSchema, env);
  if (!parsed.ok) throw new StackConfigError(`invalid environment for npm start:\n  ${parsed.problems.join('\n  ')}`);
  const e = parsed.value;
  const replicaPorts = Array.from({ length: e.ORDER_SERVICE_REPLICAS }, (_, i) => [e.PORT + i, e.METRICS_PORT + i]).flat();
  const fixed = [e.PROMETHEUS_PORT, e.ALERTMANAGER_PORT, ...(e.ALERTMANAGER_HA ? [e.ALERTMANAGER_PEER_PORT] : []), e.RELAY_PORT, ...replicaPorts];
  const clash = fixed.find((p, i) => fixed.indexOf(p) !== i);
  if (clash !== undefined) throw new StackConfigError(`invalid environment for npm start:\n  port ${clash} is given to two components (replica i uses PORT+i and METRICS_PORT+i)`);
  return {
    root,
    dataDir: resolve(root, e.STACK_DATA_DIR),
    orderService: {
      replicas: e.ORDER_SERVICE_REPLICAS,
      port: e.PORT,
      metricsPort: e.METRICS_PORT,
      faultInjection: e.FAULT_INJECTION,
      maxOldSpaceMb: e.ORDER_SERVICE_MAX_OLD_SPACE_MB,
      heapSnapshotCount: e.HEAP_SNAPSHOT_COUNT,
      heapSnapshotDir: resolve(root, e.HEAP_SNAPSHOT_DIR ?? join(e.STACK_DATA_DIR, 'heap-snapshots')),
      databaseUrl: e.DATABASE_URL,
      embeddedPgPort: e.EMBEDDED_PG_PORT,
    },
    prometheus: { port: e.PROMETHEUS_PORT, configFile: resolve(root, 'prometheus/prometheus.yml') },
    alertmanager: {
      port: e.ALERTMANAGER_PORT,
      peerPort: e.ALERTMANAGER_HA ? e.ALERTMANAGER_PEER_PORT : undefined,
      configFile: resolve(root, 'alertmanager/alertmanager.yml'),
    },
    relay: {
      port: e.RELAY_PORT,
      tokenFile: resolve(root, e.RELAY_TOKEN_FILE),
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      smtpHost: e.SMTP_HOST,
      smtpPort: e.SMTP_PORT,
    },
    logLevel: e.LOG_LEVEL,
  };
}
