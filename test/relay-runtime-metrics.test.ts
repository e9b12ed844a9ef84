// The relay process serves the same runtime metrics as the order service (the telemetry module, same names), beside
// its own alert_relay_* counters, on its one /metrics: so the runtime alerts and the runtime dashboard cover it.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../common/wait-for.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { metricCatalogue } from '../service/telemetry/metric-catalogue.ts';
import { metricTypes, scrape } from './support/prometheus-text.ts';

/** Runtime groups of the catalogue: what any Node service on the telemetry module serves (pools, HTTP and orders are the order service's). */
const runtimeGroups = new Set(['Heap and memory', 'Garbage collection', 'Event loop', 'Process', 'Resource']);
/** Families that exist only after a major GC, which an idle relay may not have run yet. */
const afterMajorGc = new Set(['v8js_memory_heap_used_after_gc_bytes', 'v8js_memory_heap_old_generation_used_after_gc_bytes']);

describe('relay /metrics', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await startRelay({ name: 'relay-runtime-metrics', env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=relay-test' } });
  }, 90_000);
  afterAll(async () => {
    await relay?.stop();
  });

  it('serves every runtime family of the catalogue under the same names, beside its own alert_relay_* counters, in valid exposition format', async () => {
    const wanted = metricCatalogue.filter((e) => runtimeGroups.has(e.group) && !afterMajorGc.has(e.name)).map((e) => e.name);
    let served = new Set<string>();
    // GC pauses appear with the first GC: webhook bodies the relay reads and refuses make garbage until one runs.
    await waitFor(
      async () => {
        for (let i = 0; i < 5; i++) {
          const response = await fetch(relay.webhookUrl, { method: 'POST', headers: { authorization: `Bearer ${relay.bearerToken}`, 'content-type': 'application/json' }, body: `{"x":"${'a'.repeat(500_000)}"` });
          await response.arrayBuffer();
        }
        served = new Set(metricTypes((await scrape(relay.metricsUrl)).text).keys());
        return wanted.every((name) => served.has(name));
      },
      { what: 'every runtime family on the relay /metrics', timeoutMs: 60_000, intervalMs: 200 },
    ).catch(() => undefined);
    expect(wanted.filter((name) => !served.has(name))).toEqual([]);
    expect([...served].filter((name) => name.startsWith('alert_relay_')).length).toBeGreaterThanOrEqual(8);
    // prom-client's default metrics (other names for the same things) are gone.
    expect([...served].filter((name) => /^nodejs_(heap|gc|eventloop_lag|version)|^process_(resident|cpu_user|heap)/.test(name))).toEqual([]);

    const { text, samples } = await scrape(relay.metricsUrl);
    expect(samples.find((s) => s.name === 'target_info')?.labels).toMatchObject({ service_name: 'alert-relay', deployment_environment_name: 'relay-test' });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
    // promtool exits 3 for lint warnings (naming advice) and 1 for a malformed exposition.
    expect(check.status === 0 || check.status === 3, `${check.stdout}${check.stderr}`).toBe(true);
    expect(`${check.stdout}${check.stderr}`).not.toMatch(/error while linting|text format parsing error/);
  });
});
