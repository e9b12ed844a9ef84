import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; connection strings are redacted wherever they travel. */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['databaseUrl', 'connectionString', '*.connectionString', 'password', '*.password'], censor: '[redacted]' },
  });
}
