import { resolve } from 'node:path';
import { z } from 'zod';
import { booleanSetting as bool, describeIssues, parseEnv, portNumber as port } from '../common/config-fields.ts';
import type { HeapSnapshotConfig } from './diagnostics/heap-snapshots.ts';
import { nodeFlagArguments, nodeFlagValue } from './telemetry/node-flags.ts';

const positiveInt = z.coerce.number().int().positive();

/** Environment variables the order service reads; every key here is documented in docs/service.md. */
const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8080),
  /**
   * Listening sockets on PORT (SO_REUSEPORT, Linux): libuv accepts one connection per listener per event-loop turn,
   * so a busy loop takes a surge of new connections in before their clients give up (service/app/http-listeners.ts).
   * One elsewhere.
   */
  HTTP_LISTENERS: positiveInt.max(64).default(process.platform === 'linux' ? 8 : 1),
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
  /** Admission control, pool and worker queue bounds, order deadlines; off only to measure the service without them. */
  OVERLOAD_PROTECTION: bool.default(true),
  /** Default: twice DB_POOL_MAX. */
  ADMISSION_INITIAL_LIMIT: positiveInt.max(10_000).optional(),
  /**
   * Default: twice DB_POOL_MAX. Each request spends part of its time off the database (parsing, validating,
   * answering), so twice the pool keeps every connection busy; below it the limit would idle the bottleneck.
   */
  ADMISSION_MIN_LIMIT: positiveInt.max(10_000).optional(),
  ADMISSION_MAX_LIMIT: positiveInt.max(10_000).default(200),
  ADMISSION_LATENCY_TOLERANCE: z.coerce.number().min(1).max(10).default(2),
  /**
   * Default 0: over the limit, refused at once, as Envoy and Netflix's limiters do. A wait of a few ms absorbs
   * bursts, but under load timers fire late and every timed-out wait is a slow refusal (measured: 50 ms put the
   * refusals' p99 at 70 ms instead of under 5).
   */
  ADMISSION_QUEUE_MAX_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  ADMISSION_READ_RESERVE: z.coerce.number().min(0).max(0.9).default(0.1),
  ADMISSION_EVENT_LOOP_DELAY_MAX_MS: positiveInt.default(500),
  ADMISSION_HEAP_MAX_RATIO: z.coerce.number().gt(0).max(1).default(0.85),
  ADMISSION_DB_WAITING_MAX: positiveInt.default(50),
  /** Orders accepted and not yet processed, in seconds of processing at its current pace, beyond which new orders are refused. */
  ADMISSION_BACKLOG_MAX_SECONDS: positiveInt.max(3600).default(30),
  ADMISSION_RETRY_AFTER_SECONDS: positiveInt.max(3600).default(1),
  /** A client's requests to the order routes allowed per ADMISSION_CLIENT_WINDOW_SECONDS (429 beyond); unset: no per-client limit. */
  ADMISSION_CLIENT_MAX_REQUESTS: positiveInt.max(1_000_000).optional(),
  ADMISSION_CLIENT_WINDOW_SECONDS: positiveInt.max(3600).default(1),
  /** The request header naming the client (an API key, a tenant); a request without it is keyed by its address. */
  ADMISSION_CLIENT_KEY_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name such as X-Client-Id').optional(),
  DB_POOL_QUEUE_MAX: positiveInt.default(100),
  ORDER_DEADLINE_MS: positiveInt.default(1_000),
  /** Heap snapshots of earlier processes kept in --diagnostic-dir at start (near-heap-limit snapshots, newest first). */
  HEAP_SNAPSHOT_KEEP: z.coerce.number().int().min(0).max(100).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ServiceConfig {
  serviceName: string;
  http: { host: string; port: number; listeners: number; bodyLimit: string };
  /** The OTEL_* variables are the telemetry module's to read and check (service/telemetry/telemetry-env.ts). */
  telemetry: { serviceName: string; serviceVersion: string; metricsServer: { host: string; port: number }; instrumentations: string[] };
  db: {
    /** Unset: an embedded PostgreSQL is started with its data in `embedded.dataDir`. */
    url: string | undefined;
    embedded: { dataDir: string; port: number | undefined };
    pool: { name: string; max: number; minIdle: number; acquireTimeoutMs: number; queryTimeoutMs: number };
  };
  workers: { size: number; queueMax: number };
  overload: OverloadConfig;
  orders: { stuckProcessingAfterMs: number; reconcileIntervalMs: number; maxAttempts: number; statsIntervalMs: number };
  shutdownTimeoutMs: number;
  faultInjection: boolean;
  heapSnapshots: HeapSnapshotConfig;
  logLevel: string;
}

/** Overload protection (issue 9): what the service refuses at once instead of queueing. */
export interface OverloadConfig {
  enabled: boolean;
  admission: {
    initialLimit: number;
    minLimit: number;
    maxLimit: number;
    /** The limit shrinks once request latency is above this many times its no-load baseline. */
    latencyTolerance: number;
    /** Share of the limit that writes may not take, so reads are served during a write surge. */
    readReserve: number;
    /** Over the limit a request may wait this long for a slot, if the queue ahead of it can be served in that time. */
    queueMaxWaitMs: number;
    eventLoopDelayMaxMs: number;
    /** Old-generation used / the old-generation limit the process dies at. */
    heapMaxRatio: number;
    /** Callers waiting for a DB connection beyond which writes are shed. */
    dbWaitingMax: number;
    /** Seconds of processing the accepted, unprocessed orders take, beyond which new orders are refused. */
    backlogMaxSeconds: number;
    retryAfterSeconds: number;
    /** Per-client rate limit (429), when configured. */
    clientRate: { maxRequests: number; windowSeconds: number; keyHeader: string | undefined } | undefined;
  };
  /** Callers that may wait for a DB connection; beyond it a checkout fails at once. */
  dbPoolQueueMax: number;
  /** An order request not committed within this is answered 503 and never committed. */
  orderDeadlineMs: number;
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
  // Never echo the values: DATABASE_URL may carry a password (parseEnv names variables only).
  const parsed = parseEnv(envSchema, env);
  if (!parsed.ok) throw new ConfigError(`invalid configuration: ${parsed.problems.join('; ')}`);
  const e = parsed.value;
  const minLimit = e.ADMISSION_MIN_LIMIT ?? Math.min(2 * e.DB_POOL_MAX, e.ADMISSION_MAX_LIMIT);
  if (minLimit > e.ADMISSION_MAX_LIMIT) {
    throw new ConfigError(`invalid configuration: ADMISSION_MIN_LIMIT: ${minLimit} is above ADMISSION_MAX_LIMIT (${e.ADMISSION_MAX_LIMIT})`);
  }
  const flags = nodeFlagArguments(execArgv, env.NODE_OPTIONS ?? '');
  const flagsParsed = heapSnapshotFlagsSchema.safeParse(
    Object.fromEntries(Object.keys(heapSnapshotFlagsSchema.shape).flatMap((name) => {
      const value = nodeFlagValue(flags, name);
      return value === undefined ? [] : [[name, value]];
    })),
  );
  if (!flagsParsed.success) {
    throw new ConfigError(`invalid node flags: ${describeIssues(flagsParsed.error).join('; ')}`);
  }
  const diagnosticDir = flagsParsed.data['--diagnostic-dir'];
  return {
    serviceName: e.SERVICE_NAME,
    http: { host: e.HOST, port: e.PORT, listeners: e.HTTP_LISTENERS, bodyLimit: e.BODY_LIMIT },
    telemetry: {
      serviceName: e.SERVICE_NAME,
      serviceVersion: version,
      metricsServer: { host: e.HOST, port: e.METRICS_PORT },
      // What the service loads: its HTTP server, express routes, pg, and the runtime metrics.
      instrumentations: ['http', 'express', 'pg', 'runtime-node'],
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
    overload: {
      enabled: e.OVERLOAD_PROTECTION,
      admission: {
        initialLimit: Math.min(Math.max(e.ADMISSION_INITIAL_LIMIT ?? 2 * e.DB_POOL_MAX, minLimit), e.ADMISSION_MAX_LIMIT),
        minLimit,
        maxLimit: e.ADMISSION_MAX_LIMIT,
        latencyTolerance: e.ADMISSION_LATENCY_TOLERANCE,
        readReserve: e.ADMISSION_READ_RESERVE,
        queueMaxWaitMs: e.ADMISSION_QUEUE_MAX_WAIT_MS,
        eventLoopDelayMaxMs: e.ADMISSION_EVENT_LOOP_DELAY_MAX_MS,
        heapMaxRatio: e.ADMISSION_HEAP_MAX_RATIO,
        dbWaitingMax: e.ADMISSION_DB_WAITING_MAX,
        backlogMaxSeconds: e.ADMISSION_BACKLOG_MAX_SECONDS,
        retryAfterSeconds: e.ADMISSION_RETRY_AFTER_SECONDS,
        clientRate:
          e.ADMISSION_CLIENT_MAX_REQUESTS === undefined
            ? undefined
            : { maxRequests: e.ADMISSION_CLIENT_MAX_REQUESTS, windowSeconds: e.ADMISSION_CLIENT_WINDOW_SECONDS, keyHeader: e.ADMISSION_CLIENT_KEY_HEADER },
      },
      dbPoolQueueMax: e.DB_POOL_QUEUE_MAX,
      orderDeadlineMs: e.ORDER_DEADLINE_MS,
    },
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
