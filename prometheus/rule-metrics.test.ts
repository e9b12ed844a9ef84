// Every metric a rule names must exist on a real /metrics of the job it selects: a rule on a missing name never
// fires, and nothing tells you. Starts the real order service, relay, Alertmanager and Prometheus, gives the
// service some work (orders, a forced major GC), and reads each one's exposition.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type AlertmanagerProcess } from '../stack/alertmanager-process.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startPrometheus, type PrometheusProcess } from '../stack/prometheus-process.ts';
import { startRelay, type RelayProcess } from '../stack/relay-process.ts';
import { metricTypes, scrape } from '../test/support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';
import { metricNamesIn } from './promql-metric-names.ts';
import { alertingRules, recordingRules } from './rule-catalogue.ts';
import { jobs } from './alerting-config.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The names a scrape exposes: sample names, and the families its TYPE lines declare (with histogram suffixes). */
function exposedNames(text: string, sampleNames: string[]): Set<string> {
  const names = new Set(sampleNames);
  for (const [family, type] of metricTypes(text)) {
    names.add(family);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${family}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${family}${suffix}`);
  }
  return names;
}

/** Selectors with label matchers (`name{label="value", ...}`) each job's rules use, job matcher left out. */
function selectorsByJob(): Map<string, Array<{ name: string; label: string; op: string; value: string }>> {
  const byJob = new Map<string, Array<{ name: string; label: string; op: string; value: string }>>();
  for (const rule of [...recordingRules(), ...alertingRules()]) {
    for (const [, name, matchers] of rule.expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)) {
      const parsed = [...matchers!.matchAll(/(\w+)\s*(=~|!=|!~|=)\s*"([^"]*)"/g)].map(([, label, op, value]) => ({ name: name!, label: label!, op: op!, value: value! }));
      const job = parsed.find((m) => m.label === 'job');
      if (job === undefined) continue;
      for (const one of jobsOf(job.op, job.value)) byJob.set(one, [...(byJob.get(one) ?? []), ...parsed.filter((m) => m.label !== 'job')]);
    }
  }
  return byJob;
}

/** The jobs a job matcher selects: `job="a"`, or `job=~"a|b"` (the runtime rules: every Node service on the telemetry module). */
function jobsOf(op: string, value: string): string[] {
  if (op === '=') return [value];
  expect(op, `job matcher ${op}"${value}"`).toBe('=~');
  expect(value, 'a job regex is a plain list of jobs').toMatch(/^[\w-]+(\|[\w-]+)*$/);
  return value.split('|');
}

/** Metric names each job's rules read, from the job="..." (or job=~"a|b") selector the expression uses. */
function namesByJob(): Map<string, Set<string>> {
  const byJob = new Map<string, Set<string>>();
  for (const rule of [...recordingRules(), ...alertingRules()]) {
    const selected = [...new Set([...rule.expr.matchAll(/job(=~?)"([^"]+)"/g)].map((m) => `${m[1]}${m[2]}`))];
    const raw = metricNamesIn(rule.expr).filter((name) => !name.includes(':') && name !== 'up');
    if (raw.length === 0) continue;
    expect(selected.length, `${'alert' in rule ? rule.alert : rule.record} uses exactly one job matcher`).toBe(1);
    const [, op, value] = /^(=~?)(.*)$/.exec(selected[0]!)!;
    for (const job of jobsOf(op!, value!)) {
      const names = byJob.get(job) ?? new Set<string>();
      for (const name of raw) names.add(name);
      byJob.set(job, names);
    }
  }
  return byJob;
}

describe('metrics named by the rules', () => {
  let service: OrderServiceProcess;
  let relay: RelayProcess;
  let alertmanager: AlertmanagerProcess;
  let prometheus: PrometheusProcess;
  let secrets: string;

  beforeAll(async () => {
    secrets = mkdtempSync(join(tmpdir(), 'rule-metrics-'));
    writeFileSync(join(secrets, 'relay-token'), 'rule-metrics-token\n', { mode: 0o600 });
    [service, relay] = await Promise.all([startOrderService({ env: { FAULT_INJECTION: 'true' } }), startRelay({ bearerToken: 'rule-metrics-token' })]);
    alertmanager = await startAlertmanager({ configFile: join(here, '../alertmanager/alertmanager.yml'), webhookOrigin: relay.url, credentialsFile: join(secrets, 'relay-token') });
    prometheus = await startPrometheus({
      configFile: join(here, 'prometheus.yml'),
      targets: { 'order-service': [new URL(service.metricsUrl).host], 'alert-relay': [new URL(relay.url).host], alertmanager: [new URL(alertmanager.url).host] },
      alertmanagers: [new URL(alertmanager.url).host],
    });
  });

  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), alertmanager?.stop(), relay?.stop(), service?.stop()]);
    rmSync(secrets, { recursive: true, force: true });
  });

  it('exist on the real /metrics of the job each rule selects', async () => {
    const wanted = namesByJob();
    expect([...wanted.keys()].sort()).toEqual(Object.values(jobs).sort());
    const metricsUrl: Record<string, string> = {
      [jobs.orderService]: service.metricsUrl,
      [jobs.relay]: relay.metricsUrl,
      [jobs.alertmanager]: `${alertmanager.url}/metrics`,
      [jobs.prometheus]: `${prometheus.url}/metrics`,
    };
    const missing = async (): Promise<Record<string, string[]>> => {
      // Work that makes lazily created series appear: an order (HTTP, DB pool, worker pool) and a major GC.
      await fetch(`${service.apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer: 'rule-metrics', items: [{ sku: 'SKU-1', quantity: 1, price: 1.5 }] }),
      });
      await fetch(`${service.apiUrl}/admin/faults/gc`, { method: 'POST' });
      const result: Record<string, string[]> = {};
      for (const [job, names] of wanted) {
        const { text, samples } = await scrape(metricsUrl[job]!);
        const exposed = exposedNames(text, samples.map((s) => s.name));
        const absent = [...names].filter((name) => !exposed.has(name));
        // A matcher on a label the series does not carry, or on a value it never takes, never matches either.
        for (const m of selectorsByJob().get(job) ?? []) {
          const series = samples.filter((sample) => sample.name === m.name);
          const ok = m.op === '=' ? series.some((sample) => sample.labels[m.label] === m.value) : series.some((sample) => m.label in sample.labels);
          if (!ok) absent.push(`${m.name}{${m.label}${m.op}"${m.value}"}`);
        }
        absent.sort();
        if (absent.length > 0) result[job] = absent;
      }
      return result;
    };
    let last: Record<string, string[]> = {};
    // Some series appear only after the work above has run through a collection; give them a generous deadline.
    await waitFor(
      async () => {
        last = await missing();
        return Object.keys(last).length === 0;
      },
      { what: 'every rule metric on the real /metrics', timeoutMs: 60_000, intervalMs: 2_000 },
    ).catch(() => undefined);
    expect(last, 'metrics the rules name that no real /metrics exposes').toEqual({});
  });

  it('include up for every scraped job (the InstanceDown rule)', async () => {
    const result = await waitFor(
      async () => {
        const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('count by (job) (up == 1)')}`);
        const body = (await response.json()) as { data: { result: Array<{ metric: { job: string } }> } };
        const seen = body.data.result.map((r) => r.metric.job).sort();
        return seen.length === Object.values(jobs).length ? seen : undefined;
      },
      { what: 'up == 1 for every job', timeoutMs: 60_000 },
    );
    expect(result).toEqual(Object.values(jobs).sort());
  });
});
