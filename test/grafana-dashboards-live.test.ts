// THE dashboard test: every panel target, template variable and annotation of every generated dashboard runs
// against `npm start`'s own stack (stack/stack.ts: a real Prometheus that scraped two real order-service
// replicas, the real relay and a real Alertmanager), and must return something a panel can draw. A panel naming a metric that does not exist fails.
// One replica gets faults injected (docs/service.md, "Fault injection"), the other only traffic: every panel must have data
// for both, so nothing shows "No data" on a healthy instance either.
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDashboards } from '../grafana/all-dashboards.ts';
import {
  annotationExprs,
  metricNamesIn,
  panelTargets,
  runLabelValues,
  runQuery,
  variableQueries,
  type PanelTarget,
} from '../grafana/verification/dashboard-queries.ts';
import { metricNamesIn as metricsReadBy } from '../prometheus/promql-metric-names.ts';
import type { InterpolationContext } from '../grafana/verification/query-interpolation.ts';
import { intervals, jobs } from '../prometheus/alerting-config.ts';
import type { RunningStack } from '../stack/stack.ts';
import { startTestStack } from './support/test-stack.ts';
import { waitFor } from '../common/wait-for.ts';

const scrapeIntervalSeconds = Number.parseInt(intervals.scrape, 10);
const dashboards = allDashboards();

const hostOf = (url: string): string => new URL(url).host;

/** `npm start`'s stack with small pools and queues, so that the injected faults saturate them within seconds. */
function startStack(): Promise<RunningStack> {
  return startTestStack({
    replicas: 2,
    faultInjection: true,
    serviceEnv: { DB_POOL_MAX: '4', DB_ACQUIRE_TIMEOUT_MS: '300', WORKER_POOL_SIZE: '2', WORKER_QUEUE_MAX: '4', ORDER_STATS_INTERVAL_MS: '1000', LOG_LEVEL: 'error' },
    // Digests every few seconds, so that email deliveries happen within the test.
    relayEnv: { RELAY_DIGEST_SECONDS: '3', LOG_LEVEL: 'error' },
  });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

let orderSequence = 0;
/** A few orders per replica: new ones, replays of the same Idempotency-Key, and one that fails as fraud. */
async function orderTraffic(apiUrl: string): Promise<void> {
  const key = `live-${process.pid}-${orderSequence++}`;
  const order = { customer: `customer-${orderSequence % 7}`, items: [{ sku: 'SKU-1', quantity: 2, price: 9.99 }] };
  const fraud = { customer: 'suspicious', items: [{ sku: 'SKU-X', quantity: 10_000, price: 999_999 }] };
  await Promise.allSettled([
    post(`${apiUrl}/orders`, order, { 'idempotency-key': key }).then(() => post(`${apiUrl}/orders`, order, { 'idempotency-key': key })),
    post(`${apiUrl}/orders`, order, { 'idempotency-key': `${key}-b` }),
    post(`${apiUrl}/orders`, fraud, { 'idempotency-key': `${key}-f` }),
    fetch(`${apiUrl}/orders/00000000-0000-0000-0000-000000000000`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.arrayBuffer()),
  ]);
}

/** The faults of the incident, on one replica: errors, a held DB pool, a saturated worker pool, a blocked loop, GC. */
async function injectFaults(apiUrl: string): Promise<void> {
  const fault = (name: string, body: unknown = {}): Promise<number> => post(`${apiUrl}/admin/faults/${name}`, body);
  await fault('errors', { ratio: 0.3 });
  await fault('db-hold', { connections: 4, seconds: 2 });
  await fault('cpu', { tasks: 12, ms: 300 });
  await fault('block-loop', { ms: 150 });
  await fault('heap', { megabytes: 8 });
  await fault('gc');
}

/** Webhooks straight to the relay, besides Alertmanager's: a duplicate, and Slack answering 500 then 404. */
async function relayTraffic(stack: RunningStack, round: number): Promise<void> {
  const payload = {
    version: '4',
    groupKey: `{}:{alertname="LiveDashboardTest${round}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'slack-oncall',
    groupLabels: { alertname: `LiveDashboardTest${round}` },
    commonLabels: { alertname: `LiveDashboardTest${round}`, severity: 'critical' },
    commonAnnotations: { summary: 'Dashboard test alert.' },
    externalURL: stack.alertmanager.url,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: `LiveDashboardTest${round}`, severity: 'critical', instance: 'test' },
        annotations: { summary: 'Dashboard test alert.', description: 'Sent by the dashboard test.' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `${stack.prometheus.url}/graph`,
        fingerprint: `f${round.toString(16).padStart(15, '0')}`,
      },
    ],
  };
  if (round === 1) stack.slackStandIn!.script({ status: 500 }, { status: 404, body: 'channel_not_found' });
  const headers = { authorization: `Bearer ${stack.relay.bearerToken}` };
  await post(stack.relay.webhookUrl, payload, headers);
  await post(stack.relay.webhookUrl, payload, headers); // the same notification again: deduplicated
  const warning = { ...payload, receiver: 'email-team', groupKey: `${payload.groupKey}:team`, commonLabels: { ...payload.commonLabels, severity: 'warning' } };
  await post(stack.relay.webhookUrl, warning, headers);
}

describe('dashboards against a real, scraped stack', () => {
  let stack: RunningStack | undefined;
  let traffic: Promise<void> | undefined;
  let trafficStopped = false;

  beforeAll(async () => {
    stack = await startStack();
    const running = stack;
    const [faulted, healthy] = running.orderServices;
    traffic = (async () => {
      for (let round = 0; !trafficStopped; round++) {
        await Promise.allSettled([orderTraffic(faulted!.apiUrl), orderTraffic(healthy!.apiUrl)]);
        if (round % 10 === 0) {
          await injectFaults(faulted!.apiUrl).catch(() => undefined);
          // The heap-after-GC gauge appears after the first major GC, which a loaded service soon has.
          await post(`${healthy!.apiUrl}/admin/faults/gc`, {}).catch(() => undefined);
        }
        if (round < 40 && round % 4 === 1) await relayTraffic(running, round).catch(() => undefined);
        // Pacing of the load generator (about ten rounds a second at most), not a wait for a condition.
        await delay(100);
      }
    })();
  }, 300_000);

  afterAll(async () => {
    trafficStopped = true;
    await traffic;
    await stack?.stop();
  }, 120_000);

  type Choice = InterpolationContext['variables'];
  const contextFor = (variables: Choice): InterpolationContext => ({
    variables,
    rangeSeconds: 300,
    stepSeconds: scrapeIntervalSeconds,
    scrapeIntervalSeconds,
  });

  /** The instance values each dashboard is checked with: every replica alone, and all together where multi-valued. */
  async function variableChoices(prometheusUrl: string, dashboard: (typeof dashboards)[number]['dashboard']): Promise<Choice[]> {
    const now = Date.now() / 1000;
    let choices: Choice[] = [{}];
    for (const query of variableQueries(dashboard)) {
      const values = await runLabelValues(prometheusUrl, query, now - 300, now);
      const variable = dashboard.templating?.list?.find((v) => v.name === query.variable);
      const multi = variable?.multi === true;
      // A single-valued variable with each of its values; a multi-valued one as it opens, with all of them.
      const options = multi ? [{ values, multi }] : values.map((value) => ({ values: [value], multi }));
      choices = choices.flatMap((choice) => options.map((option) => ({ ...choice, [query.variable]: option })));
    }
    return choices;
  }

  it('every variable query finds every instance: both order-service replicas, or the pipeline parts', async () => {
    const prometheusUrl = stack!.prometheus.url;
    const hostsOfJob: Record<string, string[]> = {
      [jobs.orderService]: stack!.orderServices.map((replica) => hostOf(replica.metricsUrl)),
      [jobs.relay]: [hostOf(stack!.relay.url)],
      [jobs.alertmanager]: [hostOf(stack!.alertmanager.url)],
      [jobs.prometheus]: [hostOf(stack!.prometheus.url)],
    };
    for (const { dashboard } of dashboards) {
      for (const query of variableQueries(dashboard)) {
        // job="a" or job=~"a|b": every instance of the jobs it names.
        const [, , names] = /job(=~?)"([^"]+)"/.exec(query.selector) ?? [];
        const expected = (names ?? '').split('|').flatMap((job) => hostsOfJob[job] ?? [`unknown job ${job}`]).sort();
        const values = await waitFor(
          async () => {
            const now = Date.now() / 1000;
            const found = (await runLabelValues(prometheusUrl, query, now - 300, now)).sort();
            return found.length === expected.length ? found : undefined;
          },
          { what: `${dashboard.uid} variable ${query.variable} to list ${expected.join(', ')}`, timeoutMs: 60_000, intervalMs: 1_000 },
        );
        expect(values, `${dashboard.uid}: $${query.variable}`).toEqual(expected);
      }
    }
  });

  it('every panel target returns drawable data for every instance choice', async () => {
    const prometheusUrl = stack!.prometheus.url;
    let failures: string[] = [];
    const probe = async (): Promise<boolean> => {
      failures = [];
      const end = Date.now() / 1000;
      for (const { dashboard } of dashboards) {
        for (const variables of await variableChoices(prometheusUrl, dashboard)) {
          for (const target of panelTargets(dashboard)) {
            const where = `${describeTarget(target)} with ${JSON.stringify(variables)}`;
            // The relay is on the runtime board too, but has no DB or worker pool: those panels stay empty for it.
            if (isRelayChoice(variables, stack!) && metricsReadBy(target.expr).some((name) => /^(db_client_connection|worker_pool)_/.test(name))) continue;
            try {
              const result = await runQuery(prometheusUrl, target.expr, target.instant, contextFor(variables), end);
              if (result.drawableSamples === 0) failures.push(`${where}: no data (${result.series} series)`);
            } catch (error) {
              failures.push(`${where}: ${(error as Error).message}`);
            }
          }
        }
      }
      return failures.length === 0;
    };
    await waitFor(probe, { what: 'every panel to have data', timeoutMs: 240_000, intervalMs: 5_000 }).catch(() => undefined);
    expect(failures, `panels with "No data":\n${failures.join('\n')}`).toEqual([]);
  }, 300_000);

  it('every metric a dashboard names exists in Prometheus (none drawn as 0 in its place)', async () => {
    const prometheusUrl = stack!.prometheus.url;
    const wanted = new Map<string, string[]>();
    for (const { dashboard } of dashboards) {
      const exprs = [...panelTargets(dashboard).map((t) => ({ expr: t.expr, where: describeTarget(t) })), ...annotationExprs(dashboard).map((expr) => ({ expr, where: `${dashboard.uid} annotation` }))];
      for (const { expr, where } of exprs) for (const name of metricsReadBy(expr)) wanted.set(name, [...(wanted.get(name) ?? []), where]);
    }
    let missing: string[] = [];
    await waitFor(
      async () => {
        const present = await metricNamesIn(prometheusUrl);
        missing = [...wanted.keys()].filter((name) => !present.has(name));
        return missing.length === 0;
      },
      { what: 'every metric the dashboards name', timeoutMs: 120_000, intervalMs: 2_000 },
    ).catch(() => undefined);
    expect(missing.map((name) => `${name} (used by ${wanted.get(name)!.join('; ')})`)).toEqual([]);
  }, 180_000);

  it('every annotation query runs', async () => {
    const prometheusUrl = stack!.prometheus.url;
    for (const { dashboard } of dashboards) {
      for (const variables of await variableChoices(prometheusUrl, dashboard)) {
        for (const expr of annotationExprs(dashboard)) {
          await expect(runQuery(prometheusUrl, expr, false, contextFor(variables), Date.now() / 1000), `${dashboard.uid}: ${expr}`).resolves.toBeDefined();
        }
      }
    }
  });
});

/** True when the instance picked is the relay's alone (the runtime board's single choice). */
function isRelayChoice(variables: InterpolationContext['variables'], stack: RunningStack): boolean {
  const instance = (variables as Record<string, { values: string[] } | undefined>).instance;
  return instance !== undefined && instance.values.length === 1 && instance.values[0] === hostOf(stack.relay.url);
}

function describeTarget(target: PanelTarget): string {
  return `${target.dashboard} panel ${target.panelId} "${target.panelTitle}" ${target.refId}`;
}
