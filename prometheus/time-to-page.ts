// `npm run time-to-page [-- --runs 3]`: the five critical faults of the seed incident, each made to happen for
// real on `npm start`'s own stack (three replicas, light order traffic to each), timed from the fault request to
// the page in the Slack stand-in, through real Prometheus, Alertmanager and the relay with the shipped intervals.
// Prints each run and the median. `--prometheus-config` / `--alertmanager-config` run it against other configs
// (earlier rules) for a before/after comparison. Too long for `npm test` (a few minutes a run); the chain tests
// keep a bound on two of these.
import { parseArgs } from 'node:util';
import type { RunningStack } from '../stack/stack.ts';
import type { SupervisedOrderService as OrderServiceProcess } from '../stack/order-service-supervisor.ts';
import { startOrderTraffic, type OrderTraffic } from '../test/support/order-traffic.ts';
import { slackPages } from '../test/support/slack-pages.ts';
import { startTestStack } from '../test/support/test-stack.ts';
import { waitFor } from '../common/wait-for.ts';

interface Fault {
  name: string;
  replica: number;
  /** The alerts that page for it (the first to reach Slack counts). */
  alerts: string[];
  /** Makes the fault happen; returns what ends it (when it can be ended). */
  inject(service: OrderServiceProcess): Promise<() => Promise<void>>;
}

const post = async (service: OrderServiceProcess, path: string, body: unknown): Promise<void> => {
  const response = await fetch(`${service.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}`);
};
const nothingToEnd = async (): Promise<void> => {};

const faults: Fault[] = [
  {
    name: 'DB pool exhausted (all 10 connections held 40 s, orders queue)',
    replica: 1,
    alerts: ['NodeDBPoolExhausted', 'NodeDBPoolAcquireTimeouts'],
    inject: async (service) => {
      await post(service, '/admin/faults/db-hold', { connections: 10, seconds: 40 });
      return nothingToEnd;
    },
  },
  {
    name: 'worker queue full (400 tasks of 100 ms for 2 threads and a queue of 100)',
    replica: 1,
    alerts: ['NodeWorkerPoolTasksRejected'],
    inject: async (service) => {
      await post(service, '/admin/faults/cpu', { tasks: 400, ms: 100 });
      return nothingToEnd;
    },
  },
  {
    name: 'event loop blocked (1.5 s of every 2 s)',
    replica: 1,
    alerts: ['NodeEventLoopDelayHigh', 'InstanceDown'],
    inject: async (service) => {
      const block = (): void => void post(service, '/admin/faults/block-loop', { ms: 1500 }).catch(() => undefined);
      block();
      const timer = setInterval(block, 2000);
      return async () => clearInterval(timer);
    },
  },
  {
    name: 'every order answers 500',
    replica: 0,
    alerts: ['HTTPServerErrorRatioHigh'],
    inject: async (service) => {
      await post(service, '/admin/faults/errors', { ratio: 1 });
      return nothingToEnd;
    },
  },
  {
    name: 'a replica killed (SIGKILL)',
    replica: 2,
    alerts: ['InstanceDown', 'NodeProcessRestarted'],
    inject: async (service) => {
      void service.process.kill();
      return nothingToEnd;
    },
  },
];

async function query(stack: RunningStack, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${stack.prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.data.result;
}

/** Seconds from each fault request to its first page, undefined when none came within the deadline. */
async function measureOnce(options: { prometheusConfigFile?: string; alertmanagerConfigFile?: string }): Promise<Array<number | undefined>> {
  const stack = await startTestStack({
    replicas: 3,
    faultInjection: true,
    // A killed replica stays down (npm start would restart it within seconds, and a single restart with its memory
    // normal pages nothing, like a deploy): this measures the page for a replica that is gone.
    restartBackoff: { initialMs: 600_000, factor: 1, maxMs: 600_000, resetAfterMs: 600_000 },
    ...options,
  });
  const traffic: OrderTraffic[] = [];
  try {
    const instances = stack.orderServices.map((s) => new URL(s.metricsUrl).host);
    traffic.push(...stack.orderServices.map((s) => startOrderTraffic(s.apiUrl, { perSecond: 5 })));
    // A running system: every replica scraped, with a recorded request rate, before the first fault.
    await waitFor(async () => (await query(stack, `count(rate(http_server_request_duration_seconds_count{job="order-service"}[1m]) > 1) by (instance)`)).length === 3, {
      what: 'traffic on all three replicas in Prometheus',
      timeoutMs: 180_000,
    });
    const early = stack.slackStandIn!.received.filter((r) => r.status === 200);
    if (early.length > 0) console.log(`  pages before any fault (false pages): ${early.map((r) => (r.payload as { text?: string }).text).join(' | ')}`);
    const results: Array<number | undefined> = [];
    for (const fault of faults) {
      const service = stack.orderServices[fault.replica]!;
      const instance = instances[fault.replica]!;
      const faultAt = Date.now();
      const end = await fault.inject(service);
      const page = await waitFor(() => slackPages(stack.slackStandIn!, { instance, alertnames: fault.alerts, status: 'firing', after: faultAt })[0], {
        what: `a page for "${fault.name}"`,
        timeoutMs: 150_000,
        intervalMs: 100,
      }).catch(() => undefined);
      await end();
      const seconds = page === undefined ? undefined : (page.at - faultAt) / 1000;
      results.push(seconds);
      console.log(`  ${fault.name}: ${seconds === undefined ? 'no page within 150 s' : `${seconds.toFixed(1)} s (${page!.text.replace(/^\S+ /, '')})`}`);
      // The next fault on the same replica starts from a quiet state: the pool released, the queue drained.
      if (fault.replica === 1) {
        await waitFor(
          async () =>
            (await query(stack, `max(instance_pool:db_client_connection_utilization:ratio{instance="${instance}"}) < 1 and max(instance_pool:worker_pool_queue_depth:sum{instance="${instance}"}) == 0 and max(nodejs_eventloop_delay_p99_seconds{instance="${instance}"}) < 0.2`)).length > 0,
          { what: 'replica 2 quiet again', timeoutMs: 120_000 },
        ).catch(() => console.log('  (replica 2 did not settle; going on)'));
      }
    }
    return results;
  } finally {
    await Promise.allSettled(traffic.map((t) => t.stop()));
    await stack.stop();
  }
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1' }, 'prometheus-config': { type: 'string' }, 'alertmanager-config': { type: 'string' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a positive whole number, got ${values.runs}`);
const all: Array<Array<number | undefined>> = [];
for (let run = 1; run <= runs; run++) {
  console.log(`run ${run} of ${runs}`);
  all.push(
    await measureOnce({
      ...(values['prometheus-config'] ? { prometheusConfigFile: values['prometheus-config'] } : {}),
      ...(values['alertmanager-config'] ? { alertmanagerConfigFile: values['alertmanager-config'] } : {}),
    }),
  );
}
console.log('\nfault | runs (s) | median (s)');
faults.forEach((fault, i) => {
  const measured = all.map((r) => r[i]);
  const found = measured.filter((s): s is number => s !== undefined);
  const m = median(found);
  console.log(`${fault.name} | ${measured.map((s) => (s === undefined ? 'none' : s.toFixed(1))).join(', ')} | ${m === undefined ? 'none' : m.toFixed(1)}`);
});
