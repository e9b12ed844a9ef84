import { pino, stdSerializers, type Logger } from 'pino';

export type { Logger };

/**
 * Errors are logged by what identifies them only: pg errors carry their client, whose connection parameters
 * would put the database user and password into the logs.
 */
function errorSerializer(error: unknown): Record<string, unknown> {
  const full = stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const key of ['type', 'message', 'code', 'stack', 'severity', 'routine']) if (full[key] !== undefined) kept[key] = full[key];
  return kept;
}

/** JSON logs on stdout; connection strings are redacted wherever they travel. */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    serializers: { err: errorSerializer },
    redact: { paths: ['databaseUrl', 'connectionString', '*.connectionString', 'password', '*.password'], censor: '[redacted]' },
  });
}
