// With no span exported the tracing instrumentations are built (the env switches are theirs to read) but patch
// nothing; once spans are exported they patch http and pg as usual. Each case in its own Node process: patches are
// process-wide.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const telemetry = fileURLToPath(new URL('./index.ts', import.meta.url));
const probe = `
import { createRequire } from 'node:module';
const { startTelemetry } = await import(${JSON.stringify(telemetry)});
const t = await startTelemetry({ serviceName: 'probe', instrumentations: ['http', 'express', 'pg', 'runtime-node'] });
const require = createRequire(import.meta.url);
const http = require('http');
const pg = require('pg');
console.log(JSON.stringify({
  instrumentations: [...t.instrumentations].sort(),
  httpPatched: Boolean(http.Server.prototype.emit.__wrapped),
  pgPatched: Boolean(pg.Client.prototype.query.__wrapped),
}));
await t.shutdown();
`;

function run(env: Record<string, string>): { instrumentations: string[]; httpPatched: boolean; pgPatched: boolean } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { instrumentations: string[]; httpPatched: boolean; pgPatched: boolean };
}

describe('span-free telemetry', () => {
  it('patches neither http nor pg when no span is exported, and keeps their names for the recorders', () => {
    expect(run({})).toEqual({ instrumentations: ['express', 'http', 'pg', 'runtime-node'], httpPatched: false, pgPatched: false });
  });

  it('patches http and pg once spans are exported (OTEL_TRACES_EXPORTER)', () => {
    expect(run({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'always_off' })).toMatchObject({ httpPatched: true, pgPatched: true });
  });
});
