// `npm start` restarts a replica that dies, as Compose's `restart: unless-stopped` would: one replica of the
// real stack is SIGKILLed, then dies of its heap (capped at 128 MiB, leaking through the fault API); each time
// the launcher logs why it died (signal, "heap limit", the heap snapshot it left), brings it back healthy on
// the same port, and Prometheus sees the same instance restart twice, which fires NodeProcessRestarted.
import { existsSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../stack/stack.ts';
import type { SupervisedOrderService } from '../stack/order-service-supervisor.ts';
import { scrape, sumOf } from './support/prometheus-text.ts';
import { startTestStack } from './support/test-stack.ts';
import { waitFor } from './support/wait-for.ts';

type LogLine = Record<string, unknown> & { msg: string; component?: string };
const launcherLog: LogLine[] = [];
let stack: RunningStack | undefined;
let replica: SupervisedOrderService;
let instance: string;

beforeAll(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void launcherLog.push(JSON.parse(line) as LogLine) });
  stack = await startTestStack({
    replicas: 2,
    stackEnv: { ORDER_SERVICE_MAX_OLD_SPACE_MB: '128', HEAP_SNAPSHOT_COUNT: '1' },
    restartBackoff: { initialMs: 200, factor: 2, maxMs: 2_000, resetAfterMs: 60_000 },
    log,
  });
  // The second replica: the first owns the embedded PostgreSQL both use, and stays up throughout.
  replica = stack.orderServices[1]!;
  instance = new URL(replica.metricsUrl).host;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

const healthy = async (): Promise<boolean> => (await fetch(`${replica.apiUrl}/readyz`).catch(() => undefined))?.ok === true;
const startTime = async (): Promise<number> => sumOf((await scrape(replica.metricsUrl)).samples, 'process_start_time_seconds');

async function promQuery(query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${stack!.prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  return ((await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
}

/** Waits until Prometheus has scraped the replica's current process (its start time) from the same target. */
async function waitScrapedByPrometheus(): Promise<number> {
  const started = await startTime();
  await waitFor(
    async () => (await promQuery(`process_start_time_seconds{job="order-service",instance="${instance}"}`))[0]?.value[1] === String(started),
    { what: `Prometheus scraping the process started at ${started} on ${instance}`, timeoutMs: 60_000, intervalMs: 500 },
  );
  return started;
}

/** Waits for the restart, and for Prometheus to have scraped the new process from the same target. */
async function waitForRestart(restarts: number, oldPid: number | undefined): Promise<LogLine> {
  await waitFor(async () => replica.restarts === restarts && (await healthy()), { what: `restart ${restarts} healthy`, timeoutMs: 90_000 });
  expect(replica.process.child.pid).not.toBe(oldPid);
  await waitScrapedByPrometheus();
  const deaths = launcherLog.filter((l) => l.component === 'order-service-2' && l.msg.includes(' died ('));
  expect(deaths).toHaveLength(restarts);
  const restarted = launcherLog.filter((l) => l.component === 'order-service-2' && l.msg === 'order-service-2 restarted');
  expect(restarted.at(-1)).toMatchObject({ restarts, port: Number(new URL(replica.apiUrl).port), pid: replica.process.child.pid });
  return deaths.at(-1)!;
}

describe('npm start restarts a replica that died', () => {
  it('brings a SIGKILLed replica back on the same port, logging the signal', async () => {
    const pid = replica.process.child.pid;
    // Prometheus must have seen the first process, or it would count one restart fewer.
    const startedBefore = await waitScrapedByPrometheus();
    await replica.process.kill();
    const death = await waitForRestart(1, pid);
    expect(death).toMatchObject({ signal: 'SIGKILL', exitCode: null, heapLimit: false, reason: 'signal SIGKILL' });
    expect(await startTime()).toBeGreaterThan(startedBefore);
  });

  it('brings back a replica that died of its heap, logging "heap limit" and its heap snapshot', async () => {
    const pid = replica.process.child.pid;
    const leak = await fetch(`${replica.apiUrl}/admin/faults/heap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ megabytes: 512 }),
    }).then(
      (response) => response.status,
      (error: unknown) => error,
    );
    expect(leak).toBeInstanceOf(Error);
    const death = await waitForRestart(2, pid);
    expect(death).toMatchObject({ signal: 'SIGABRT', heapLimit: true, reason: 'heap limit (signal SIGABRT)' });
    const snapshots = death.heapSnapshots as string[];
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toMatch(/order-service-2\/Heap\.[\d.]+\.heapsnapshot$/);
    expect(existsSync(snapshots[0]!)).toBe(true);
  });

  it('shows Prometheus the same instance restarting twice: NodeProcessRestarted fires for it', async () => {
    await waitFor(
      async () => {
        const alerts = await fetch(`${stack!.prometheus.url}/api/v1/alerts`).then((r) => r.json() as Promise<{ data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }>);
        return alerts.data.alerts.some((a) => a.labels.alertname === 'NodeProcessRestarted' && a.labels.instance === instance && a.state === 'firing');
      },
      { what: `NodeProcessRestarted firing for ${instance}`, timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const up = await promQuery(`up{job="order-service",instance="${instance}"}`);
    expect(up.map((r) => r.value[1])).toEqual(['1']);
  });
});
