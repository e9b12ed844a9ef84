// The one typed config of `npm start` / `npm run stack`, from the environment, validated at start. Ports default
// to the README's; every key is in the README's stack table.
import { join, resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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
  alertmanager: { port: number; configFile: string };
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
  const present = Object.fromEntries(Object.keys(envSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    // Names and reasons only: values may be secrets (webhook URLs, database passwords).
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new StackConfigError(`invalid environment for npm start:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const replicaPorts = Array.from({ length: e.ORDER_SERVICE_REPLICAS }, (_, i) => [e.PORT + i, e.METRICS_PORT + i]).flat();
  const fixed = [e.PROMETHEUS_PORT, e.ALERTMANAGER_PORT, e.RELAY_PORT, ...replicaPorts];
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
    alertmanager: { port: e.ALERTMANAGER_PORT, configFile: resolve(root, 'alertmanager/alertmanager.yml') },
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
