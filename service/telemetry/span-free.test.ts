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

/** Runs a probe script in a fresh Node process and returns the JSON it printed (the one line starting with `{"`). */
function probeResult<T>(script: string, env: Record<string, string>): T {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  // The console exporter prints spans on stdout too, but not as JSON.
  const line = result.stdout.split('\n').find((l) => l.startsWith('{"'));
  expect(line, result.stdout).toBeDefined();
  return JSON.parse(line!) as T;
}

const run = (env: Record<string, string>) => probeResult<{ instrumentations: string[]; httpPatched: boolean; pgPatched: boolean }>(probe, env);

/** Serves one request and tells what the handler's context holds: no span at all, or one that records or not. */
const requestProbe = `
const { startTelemetry } = await import(${JSON.stringify(telemetry)});
const t = await startTelemetry({ serviceName: 'probe', instrumentations: ['http', 'runtime-node'] });
const { trace, context } = await import('@opentelemetry/api');
const { createRequire } = await import('node:module');
const http = createRequire(import.meta.url)('http'); // require, which the http instrumentation patches
const server = http.createServer((req, res) => {
  const span = trace.getSpan(context.active());
  res.end(span === undefined ? 'none' : span.isRecording() ? 'recording' : 'not recording');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const answer = await fetch('http://127.0.0.1:' + server.address().port + '/');
console.log(JSON.stringify({ span: await answer.text() }));
server.close();
await t.shutdown();
`;

const spanOfARequest = (env: Record<string, string>): string => probeResult<{ span: string }>(requestProbe, { OTEL_TRACES_EXPORTER: 'console', ...env }).span;

describe('span-free telemetry', () => {
  it('patches neither http nor pg when no span is exported, and keeps their names for the recorders', () => {
    expect(run({})).toEqual({ instrumentations: ['express', 'http', 'pg', 'runtime-node'], httpPatched: false, pgPatched: false });
  });

  it('gives a request the sampler drops no span at all, and one it keeps a recording span (sampling at the door)', () => {
    expect(spanOfARequest({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe('none');
    expect(spanOfARequest({ OTEL_TRACES_SAMPLER: 'always_on' })).toBe('recording');
  });

  it('patches http and pg once spans are exported (OTEL_TRACES_EXPORTER)', () => {
    expect(run({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'always_off' })).toMatchObject({ httpPatched: true, pgPatched: true });
  });
});
