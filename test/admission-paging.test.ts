// The shedding pages through the whole chain: a replica of `npm start`'s stack whose database stalls under
// steady order traffic refuses most requests at once (admission control); the OrderRequestsShed alert fires in
// the real Prometheus, goes through the real Alertmanager and the relay to the Slack stand-in, and the
// order-service dashboard's "share shed" and "shed by reason" panels, run as Grafana runs them, draw it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpolateQuery } from '../grafana/verification/query-interpolation.ts';
import type { RunningStack } from '../stack/stack.ts';
import { startOrderTraffic, type OrderTraffic } from './support/order-traffic.ts';
import { startTestStack } from './support/test-stack.ts';
import { waitFor } from '../common/wait-for.ts';

const dashboardFile = fileURLToPath(new URL('../grafana/dashboards/order-service.json', import.meta.url));

interface JsonPanel {
  id?: number;
  targets?: Array<{ expr?: string }>;
  panels?: JsonPanel[];
}

function panelExprs(id: number): string[] {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { panels: JsonPanel[] };
  const all = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const panel = all.find((p) => p.id === id);
  if (!panel) throw new Error(`order-service dashboard has no panel ${id}`);
  return (panel.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : []));
}

async function instantQuery(prometheusUrl: string, query: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await response.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query failed: ${query}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

describe('admission control pages through the chain', () => {
  let stack: RunningStack | undefined;
  let traffic: OrderTraffic | undefined;

  beforeAll(async () => {
    // Two request connections, a short deadline: a stalled database makes the replica shed almost everything.
    stack = await startTestStack({
      replicas: 1,
      faultInjection: true,
      serviceEnv: { DB_POOL_MAX: '2', DB_ACQUIRE_TIMEOUT_MS: '10000', ORDER_DEADLINE_MS: '500', DB_POOL_QUEUE_MAX: '4' },
    });
  }, 300_000);

  afterAll(async () => {
    await traffic?.stop();
    await stack?.stop();
  }, 120_000);

  it('fires OrderRequestsShed (critical) into Slack and shows it on the dashboard', async () => {
    const replica = stack!.orderServices[0]!;
    const instance = new URL(replica.metricsUrl).host;
    const hold = await fetch(`${replica.apiUrl}/admin/faults/db-hold`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: 2, seconds: 240 }),
    });
    expect(hold.status).toBe(202);
    traffic = startOrderTraffic(replica.apiUrl, { perSecond: 20, maxInFlight: 40 });
    const startedAt = Date.now();

    const message = await waitFor(
      () =>
        stack!.slackStandIn!.delivered().find((payload) => {
          const text = JSON.stringify(payload);
          return text.includes('OrderRequestsShed') && /critical/i.test(text);
        }),
      { what: 'the critical OrderRequestsShed page in the Slack stand-in', timeoutMs: 180_000, intervalMs: 500 },
    );
    console.log(`shedding to Slack page: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    expect(JSON.stringify(message)).toContain(instance);
    // The clients were told to back off, at once: only 503s (no 201 can be stored while the DB is held).
    const statuses = Object.fromEntries(traffic.statuses);
    expect(statuses['503'] ?? 0, JSON.stringify(statuses)).toBeGreaterThan(0);
    expect(statuses['201'] ?? 0).toBe(0);
    expect(statuses['0'] ?? 0, 'requests without an answer').toBe(0);

    // The dashboard draws it: the share-shed panel is above the critical level, the by-reason panel names why.
    const context = { variables: { instance: { values: [instance], multi: true } }, rangeSeconds: 300, stepSeconds: 5, scrapeIntervalSeconds: 5 };
    const [shareExpr] = panelExprs(21);
    const share = await instantQuery(stack!.prometheus.url, interpolateQuery(shareExpr!, context));
    expect(share.find((s) => s.metric.instance === instance)?.value ?? 0).toBeGreaterThan(0.5);
    const byReason = await instantQuery(stack!.prometheus.url, interpolateQuery(panelExprs(22).find((e) => e.includes('shed_total'))!, context));
    expect(byReason.filter((s) => s.value > 0).map((s) => s.metric.reason).length).toBeGreaterThan(0);
  }, 240_000);
});
