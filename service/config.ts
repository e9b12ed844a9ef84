import { resolve } from 'node:path';
import { z } from 'zod';
import type { HeapSnapshotConfig } from './diagnostics/heap-snapshots.ts';
import { nodeFlagArguments, nodeFlagValue } from './telemetry/node-flags.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** Environment variables the order service reads; every key here is documented in README.md. */
const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8080),
  METRICS_PORT: port.default(9464),
  SERVICE_NAME: z.string().min(1).default('order-service'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('.data/service'),
  EMBEDDED_PG_PORT: port.optional(),
  DB_POOL_NAME: z.string().min(1).default('orders'),
  DB_POOL_MAX: positiveInt.max(1000).default(10),
  DB_POOL_MIN_IDLE: z.coerce.number().int().min(0).default(0),
  DB_ACQUIRE_TIMEOUT_MS: positiveInt.default(2000),
  DB_QUERY_TIMEOUT_MS: positiveInt.default(5000),
  WORKER_POOL_SIZE: positiveInt.max(256).default(2),
  WORKER_QUEUE_MAX: z.coerce.number().int().min(0).default(100),
  STUCK_PROCESSING_AFTER_MS: positiveInt.default(30_000),
  RECONCILE_INTERVAL_MS: positiveInt.default(5_000),
  MAX_PROCESSING_ATTEMPTS: positiveInt.default(3),
  ORDER_STATS_INTERVAL_MS: positiveInt.default(2_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'a size like 64kb').default('64kb'),
  FAULT_INJECTION: bool.default(false),
  /** Heap snapshots of earlier processes kept in --diagnostic-dir at start (near-heap-limit snapshots, newest first). */
  HEAP_SNAPSHOT_KEEP: z.coerce.number().int().min(0).max(100).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

export interface ServiceConfig {
  serviceName: string;
  http: { host: string; port: number; bodyLimit: string };
  telemetry: { serviceName: string; serviceVersion: string; metricsHost: string; metricsPort: number; otlpEndpoint: string | undefined };
  db: {
    /** Unset: an embedded PostgreSQL is started with its data in `embedded.dataDir`. */
    url: string | undefined;
    embedded: { dataDir: string; port: number | undefined };
    pool: { name: string; max: number; minIdle: number; acquireTimeoutMs: number; queryTimeoutMs: number };
  };
  workers: { size: number; queueMax: number };
  orders: { stuckProcessingAfterMs: number; reconcileIntervalMs: number; maxAttempts: number; statsIntervalMs: number };
  shutdownTimeoutMs: number;
  faultInjection: boolean;
  heapSnapshots: HeapSnapshotConfig;
  logLevel: string;
}

export class ConfigError extends Error {}

/** Node's own flags for near-heap-limit snapshots, which only take effect on the command line or in NODE_OPTIONS. */
const heapSnapshotFlagsSchema = z.object({
  '--heapsnapshot-near-heap-limit': z.coerce.number().int().min(0).default(0),
  '--diagnostic-dir': z.string().min(1).optional(),
});

/**
 * Validates the environment (and the Node flags the service reads) once at start; the error names every bad
 * variable and why.
 */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env, version = '0.1.0', execArgv: readonly string[] = process.execArgv): ServiceConfig {
  const known = Object.fromEntries(Object.keys(envSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    // Never echo the values: DATABASE_URL may carry a password.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const flags = nodeFlagArguments(execArgv, env.NODE_OPTIONS ?? '');
  const flagsParsed = heapSnapshotFlagsSchema.safeParse(
    Object.fromEntries(Object.keys(heapSnapshotFlagsSchema.shape).flatMap((name) => {
      const value = nodeFlagValue(flags, name);
      return value === undefined ? [] : [[name, value]];
    })),
  );
  if (!flagsParsed.success) {
    throw new ConfigError(`invalid node flags: ${flagsParsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const diagnosticDir = flagsParsed.data['--diagnostic-dir'];
  return {
    serviceName: e.SERVICE_NAME,
    http: { host: e.HOST, port: e.PORT, bodyLimit: e.BODY_LIMIT },
    telemetry: {
      serviceName: e.SERVICE_NAME,
      serviceVersion: version,
      metricsHost: e.HOST,
      metricsPort: e.METRICS_PORT,
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    db: {
      url: e.DATABASE_URL,
      embedded: { dataDir: e.DATA_DIR, port: e.EMBEDDED_PG_PORT },
      pool: {
        name: e.DB_POOL_NAME,
        max: e.DB_POOL_MAX,
        minIdle: Math.min(e.DB_POOL_MIN_IDLE, e.DB_POOL_MAX),
        acquireTimeoutMs: e.DB_ACQUIRE_TIMEOUT_MS,
        queryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
      },
    },
    workers: { size: e.WORKER_POOL_SIZE, queueMax: e.WORKER_QUEUE_MAX },
    orders: {
      stuckProcessingAfterMs: e.STUCK_PROCESSING_AFTER_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      maxAttempts: e.MAX_PROCESSING_ATTEMPTS,
      statsIntervalMs: e.ORDER_STATS_INTERVAL_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    faultInjection: e.FAULT_INJECTION,
    heapSnapshots: {
      nearHeapLimit: flagsParsed.data['--heapsnapshot-near-heap-limit'],
      dir: resolve(diagnosticDir ?? '.'),
      dirConfigured: diagnosticDir !== undefined,
      keep: e.HEAP_SNAPSHOT_KEEP,
    },
    logLevel: e.LOG_LEVEL,
  };
}
