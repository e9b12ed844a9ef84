// The order service's /metrics against reality: one real service (embedded PostgreSQL, worker threads) whose
// pools, heap, GC and event loop are pushed through the fault-injection API, then read back from real scrapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricCatalogue } from '../service/telemetry/metric-catalogue.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { metricTypes, scrape, sumOf, type Sample } from './support/prometheus-text.ts';
import { waitFor } from '../common/wait-for.ts';

const dbPoolMax = 3;
const workerQueueMax = 4;
const pool = { db_client_connection_pool_name: 'orders' };
const workers = { worker_pool_name: 'orders' };
const MiB = 1024 * 1024;
/** The replica's old-generation cap; the exported old-generation limit must be exactly this. */
const maxOldSpaceMiB = 512;

let service: OrderServiceProcess;

async function post(path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${service.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  await response.arrayBuffer();
  return response;
}

const metricsNow = async (): Promise<Sample[]> => (await scrape(service.metricsUrl)).samples;

beforeAll(async () => {
  service = await startOrderService({
    name: 'service-metrics',
    nodeArgs: [`--max-old-space-size=${maxOldSpaceMiB}`],
    env: {
      FAULT_INJECTION: 'true',
      DB_POOL_MAX: String(dbPoolMax),
      DB_ACQUIRE_TIMEOUT_MS: '2000',
      WORKER_POOL_SIZE: '1',
      WORKER_QUEUE_MAX: String(workerQueueMax),
    },
  });
});

afterAll(async () => {
  await service?.stop();
});

describe('order service /metrics', () => {
  it('serves HTTP request durations by method, route and status code', async () => {
    const created = await post('/orders', { customer: 'metrics-test', items: [{ sku: 'SKU-1', quantity: 2, price: 9.5 }] });
    expect(created.status).toBe(201);
    const missing = await fetch(`${service.apiUrl}/orders/00000000-0000-4000-8000-000000000000`);
    await missing.arrayBuffer();
    expect(missing.status).toBe(404);

    const samples = await waitFor(
      async () => {
        const s = await metricsNow();
        const count = (route: string, method: string, status: string): number =>
          sumOf(s, 'http_server_request_duration_seconds_count', { http_route: route, http_request_method: method, http_response_status_code: status });
        return count('/orders', 'POST', '201') >= 1 && count('/orders/:id', 'GET', '404') >= 1 && s;
      },
      { what: 'POST /orders 201 and GET /orders/:id 404 in http_server_request_duration_seconds' },
    );
    const buckets = samples.filter((s) => s.name === 'http_server_request_duration_seconds_bucket' && s.labels.http_route === '/orders');
    expect(buckets.some((b) => b.labels.le === '+Inf' && b.value >= 1)).toBe(true);
    expect(sumOf(samples, 'orders_created_total')).toBeGreaterThanOrEqual(1);
  });

  it('shows the DB pool saturating: connections used, callers pending, acquire timeouts', async () => {
    const before = await metricsNow();
    const timeoutsBefore = sumOf(before, 'db_client_connection_timeouts_total', pool);
    expect(sumOf(before, 'db_client_connection_max', pool)).toBe(dbPoolMax);
    expect(sumOf(before, 'db_client_connection_idle_min', pool)).toBe(0);
    expect(sumOf(before, 'db_client_connection_idle_max', pool)).toBe(dbPoolMax);

    // Every connection held for 4 s and two callers more: they wait, then give up after the 2 s acquire timeout.
    expect((await post('/admin/faults/db-hold', { connections: dbPoolMax + 2, seconds: 4 })).status).toBe(202);
    await waitFor(
      async () => {
        const s = await metricsNow();
        return (
          sumOf(s, 'db_client_connection_count', { ...pool, db_client_connection_state: 'used' }) === dbPoolMax &&
          sumOf(s, 'db_client_connection_count', { ...pool, db_client_connection_state: 'idle' }) === 0 &&
          sumOf(s, 'db_client_connection_pending_requests', pool) >= 2
        );
      },
      { what: `all ${dbPoolMax} connections used and 2 callers pending`, intervalMs: 50 },
    );
    await waitFor(async () => sumOf(await metricsNow(), 'db_client_connection_timeouts_total', pool) >= timeoutsBefore + 2, {
      what: 'two acquire timeouts counted',
    });
    await waitFor(async () => sumOf(await metricsNow(), 'db_client_connection_count', { ...pool, db_client_connection_state: 'used' }) === 0, {
      what: 'the held connections back in the pool',
    });
  });

  it('records how long callers waited for a connection and how long they held it', async () => {
    const before = await metricsNow();
    const waits = (s: Sample[]) => ({
      count: sumOf(s, 'db_client_connection_wait_time_seconds_count', pool),
      sum: sumOf(s, 'db_client_connection_wait_time_seconds_sum', pool),
      useSum: sumOf(s, 'db_client_connection_use_time_seconds_sum', pool),
    });
    const start = waits(before);
    // Twice as many 0.5 s queries as connections: the second half waits for the first to finish (< 2 s timeout).
    expect((await post('/admin/faults/db-hold', { connections: 2 * dbPoolMax, seconds: 0.5 })).status).toBe(202);
    const end = await waitFor(
      async () => {
        const now = waits(await metricsNow());
        return now.count >= start.count + 2 * dbPoolMax && now.useSum >= start.useSum + 2 * dbPoolMax * 0.45 && now;
      },
      { what: 'every held query acquired, used and returned its connection' },
    );
    // Each of the second half waited about one 0.5 s query.
    expect(end.sum - start.sum).toBeGreaterThanOrEqual(dbPoolMax * 0.4);
  });

  it('shows the worker pool saturating: busy thread, queue depth, rejections, wait and run time', async () => {
    const before = await metricsNow();
    const completedBefore = sumOf(before, 'worker_pool_tasks_completed_total', workers);
    const rejectedBefore = sumOf(before, 'worker_pool_tasks_rejected_total', workers);
    const runSumBefore = sumOf(before, 'worker_pool_task_run_time_seconds_sum', workers);
    const waitSumBefore = sumOf(before, 'worker_pool_task_wait_time_seconds_sum', workers);
    expect(sumOf(before, 'worker_pool_thread_max', workers)).toBe(1);

    // One thread, a queue of 4: of 10 tasks of 300 ms, one runs, four wait, five are rejected.
    const tasks = 10;
    expect((await post('/admin/faults/cpu', { tasks, ms: 300 })).status).toBe(202);
    await waitFor(
      async () => {
        const s = await metricsNow();
        const depth = sumOf(s, 'worker_pool_queue_depth', workers);
        return (
          sumOf(s, 'worker_pool_thread_count', { ...workers, worker_pool_thread_state: 'busy' }) === 1 &&
          sumOf(s, 'worker_pool_thread_count', { ...workers, worker_pool_thread_state: 'idle' }) === 0 &&
          depth >= 1 &&
          sumOf(s, 'worker_pool_queue_remaining', workers) === workerQueueMax - depth &&
          sumOf(s, 'worker_pool_tasks_rejected_total', workers) > rejectedBefore
        );
      },
      { what: 'the worker busy, tasks queued, and rejections counted', intervalMs: 50 },
    );
    const after = await waitFor(
      async () => {
        const s = await metricsNow();
        const ended = sumOf(s, 'worker_pool_tasks_completed_total', workers) - completedBefore + sumOf(s, 'worker_pool_tasks_rejected_total', workers) - rejectedBefore;
        return ended >= tasks && sumOf(s, 'worker_pool_queue_depth', workers) === 0 && s;
      },
      { what: 'every task completed or rejected' },
    );
    const completed = sumOf(after, 'worker_pool_tasks_completed_total', workers) - completedBefore;
    expect(sumOf(after, 'worker_pool_tasks_rejected_total', workers) - rejectedBefore).toBeGreaterThanOrEqual(1);
    expect(sumOf(after, 'worker_pool_task_run_time_seconds_sum', workers) - runSumBefore).toBeGreaterThanOrEqual(completed * 0.3 * 0.9);
    // The queued tasks waited behind the 300 ms tasks ahead of them.
    expect(sumOf(after, 'worker_pool_task_wait_time_seconds_sum', workers) - waitSumBefore).toBeGreaterThanOrEqual(0.25);
    expect(sumOf(after, 'worker_pool_task_run_time_seconds_count', workers)).toBe(sumOf(after, 'worker_pool_tasks_completed_total', workers));
  });

  it('reports each worker thread: event-loop utilization and heap used', async () => {
    const samples = await waitFor(
      async () => {
        const s = await metricsNow();
        return s.some((x) => x.name === 'worker_pool_worker_heap_used_bytes') && s;
      },
      { what: 'worker heap reported' },
    );
    const heaps = samples.filter((s) => s.name === 'worker_pool_worker_heap_used_bytes');
    const elus = samples.filter((s) => s.name === 'worker_pool_worker_eventloop_utilization_ratio');
    expect(heaps).toHaveLength(1);
    expect(heaps[0]!.value).toBeGreaterThan(MiB);
    expect(heaps[0]!.labels.worker_pool_worker_id).toMatch(/^\d+$/);
    expect(elus.map((e) => e.labels.worker_pool_worker_id)).toEqual(heaps.map((h) => h.labels.worker_pool_worker_id));
    for (const elu of elus) {
      expect(elu.value).toBeGreaterThanOrEqual(0);
      expect(elu.value).toBeLessThanOrEqual(1);
    }
  });

  it('exports the old-generation limit the process dies at: the --max-old-space-size cap, below heap_size_limit', async () => {
    const samples = await waitFor(
      async () => {
        const s = await metricsNow();
        return s.some((x) => x.name === 'v8js_memory_heap_old_generation_limit_bytes') && s;
      },
      { what: 'v8js_memory_heap_old_generation_limit_bytes exported' },
    );
    const limit = sumOf(samples, 'v8js_memory_heap_old_generation_limit_bytes');
    const heapSizeLimit = sumOf(samples, 'v8js_memory_heap_size_limit_bytes');
    expect(limit).toBe(maxOldSpaceMiB * MiB);
    // heap_size_limit adds the young generation reservation (three semi-spaces of at least 1 MiB).
    expect(heapSizeLimit - limit).toBeGreaterThanOrEqual(3 * MiB);
    const used = sumOf(samples, 'v8js_memory_heap_old_generation_used_bytes');
    expect(used).toBeGreaterThan(MiB);
    // The old generation is every space but the young ones: the per-space heap used of the same scrape, less
    // new_space and new_large_object_space (a little allocation may happen between the two readings).
    const spaces = samples.filter((s) => s.name === 'v8js_memory_heap_used_bytes');
    const oldSpaces = spaces.filter((s) => !['new_space', 'new_large_object_space'].includes(s.labels.v8js_heap_space_name!));
    expect(oldSpaces.length).toBeLessThan(spaces.length - 1);
    expect(Math.abs(used - oldSpaces.reduce((sum, s) => sum + s.value, 0))).toBeLessThan(2 * MiB);
  });

  it('shows retained heap in heap and old-generation used, and after GC once a major GC ran; a forced GC is a recorded pause', async () => {
    const heapUsed = (s: Sample[]) => sumOf(s, 'v8js_memory_heap_used_bytes');
    const oldUsed = (s: Sample[]) => sumOf(s, 'v8js_memory_heap_old_generation_used_bytes');
    const before = await metricsNow();
    const majorBefore = sumOf(before, 'v8js_gc_duration_seconds_count', { v8js_gc_type: 'major' });
    const usedBefore = heapUsed(before);
    const oldUsedBefore = oldUsed(before);

    expect((await post('/admin/faults/heap', { megabytes: 64 })).status).toBe(200);
    await waitFor(
      async () => {
        const s = await metricsNow();
        return heapUsed(s) >= usedBefore + 48 * MiB && oldUsed(s) >= oldUsedBefore + 48 * MiB;
      },
      { what: 'heap used and old generation used up by the retained 64 MiB' },
    );

    expect((await post('/admin/faults/gc')).status).toBe(200);
    const afterGc = await waitFor(
      async () => {
        const s = await metricsNow();
        return sumOf(s, 'v8js_gc_duration_seconds_count', { v8js_gc_type: 'major' }) > majorBefore && s;
      },
      { what: 'a major GC pause recorded' },
    );
    const leakedLiveSet = sumOf(afterGc, 'v8js_memory_heap_used_after_gc_bytes');
    const leakedOldLiveSet = sumOf(afterGc, 'v8js_memory_heap_old_generation_used_after_gc_bytes');
    expect(leakedLiveSet).toBeGreaterThanOrEqual(64 * MiB);
    expect(leakedLiveSet).toBeLessThan(sumOf(afterGc, 'v8js_memory_heap_size_limit_bytes'));
    // A full GC promotes what survives: the retained arrays are all in the old generation.
    expect(leakedOldLiveSet).toBeGreaterThanOrEqual(64 * MiB);
    expect(leakedOldLiveSet).toBeLessThanOrEqual(leakedLiveSet);
    expect(leakedOldLiveSet).toBeLessThan(sumOf(afterGc, 'v8js_memory_heap_old_generation_limit_bytes'));
    // Sub-millisecond buckets exist, so minor GCs are not all lumped into the first bucket.
    expect(afterGc.some((s) => s.name === 'v8js_gc_duration_seconds_bucket' && Number(s.labels.le) < 0.001)).toBe(true);

    // Freed and collected: the live set falls back.
    const freed = await fetch(`${service.apiUrl}/admin/faults/heap`, { method: 'DELETE' });
    await freed.arrayBuffer();
    expect((await post('/admin/faults/gc')).status).toBe(200);
    await waitFor(
      async () => {
        const s = await metricsNow();
        return (
          sumOf(s, 'v8js_memory_heap_used_after_gc_bytes') < leakedLiveSet - 48 * MiB &&
          sumOf(s, 'v8js_memory_heap_old_generation_used_after_gc_bytes') < leakedOldLiveSet - 48 * MiB
        );
      },
      { what: 'heap and old generation after GC back down once the retained heap is freed' },
    );
  });

  it('shows a blocked event loop in the p99 and max delay', async () => {
    await waitFor(
      async () => {
        // Blocking in every probe keeps the long delays a large share of the samples between two scrapes.
        expect((await post('/admin/faults/block-loop', { ms: 300 })).status).toBe(202);
        const s = await metricsNow();
        return sumOf(s, 'nodejs_eventloop_delay_p99_seconds') >= 0.25 && sumOf(s, 'nodejs_eventloop_delay_max_seconds') >= 0.25;
      },
      { what: 'event-loop p99 and max delay at least 250 ms' },
    );
  });

  it('serves exactly the families of the metric catalogue (docs/metrics.md), each with its type and catalogued labels', async () => {
    const catalogue = new Map(metricCatalogue.map((entry) => [entry.name, entry]));
    // Every family is served by now: counters at 0 from the start, histograms since the requests, GC and tasks above.
    const missingFrom = (types: Map<string, string>) => [...catalogue.keys()].filter((name) => !types.has(name));
    // The event-loop delay gauges skip a scrape that follows the previous one too closely (under 5 samples).
    let last = await scrape(service.metricsUrl);
    await waitFor(
      async () => {
        // The admission baseline appears once a 100 ms window held 10 order requests: a burst of reads gives it one.
        await Promise.all(Array.from({ length: 20 }, () => fetch(`${service.apiUrl}/orders/00000000-0000-4000-8000-000000000000`).then((r) => r.body?.cancel())));
        last = await scrape(service.metricsUrl);
        return missingFrom(metricTypes(last.text)).length === 0;
      },
      { what: 'a scrape with every catalogue family', intervalMs: 250 },
    ).catch(() => undefined);
    const { text, samples } = last;
    const types = metricTypes(text);
    expect(missingFrom(types), 'catalogued in service/telemetry/metric-catalogue.ts but not served').toEqual([]);
    const uncatalogued = [...types.keys()].filter((name) => !catalogue.has(name));
    expect(uncatalogued, 'served but missing from service/telemetry/metric-catalogue.ts (then run npm run docs)').toEqual([]);
    for (const [name, type] of types) {
      const entry = catalogue.get(name)!;
      expect(`${name} ${type}`).toBe(`${name} ${entry.type}`);
      // Every label served is catalogued (some, such as http_route or error_type, are on some series only).
      const ofFamily = samples.filter((s) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`].includes(s.name));
      const served = new Set(ofFamily.flatMap((s) => Object.keys(s.labels)));
      served.delete('le');
      expect([...served].filter((label) => !(label in entry.labels)), `labels of ${name} missing from the catalogue`).toEqual([]);
      for (const [label, values] of Object.entries(entry.labels)) {
        if (values.length === 0) continue;
        const seen = ofFamily.flatMap((s) => (s.labels[label] === undefined ? [] : [s.labels[label]]));
        expect(seen.filter((value) => !values.includes(value)), `values of ${name}{${label}} missing from the catalogue`).toEqual([]);
      }
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
      if (type === 'histogram') {
        for (const suffix of ['_bucket', '_sum', '_count']) expect(samples.some((s) => s.name === name + suffix), name + suffix).toBe(true);
      } else {
        expect(samples.some((s) => s.name === name), `${name} has samples`).toBe(true);
      }
    }
    // Scrapes of /metrics (dozens by now: GET, 200, no express route) are not counted as HTTP requests of the API.
    const unroutedOk = samples.filter(
      (s) => s.name === 'http_server_request_duration_seconds_count' && s.labels.http_route === undefined && s.labels.http_response_status_code === '200',
    );
    expect(unroutedOk.reduce((total, s) => total + s.value, 0), 'scrapes counted as HTTP requests').toBe(0);
    // A `# UNIT` line names the unit the family name ends with (before _total).
    for (const [, name, unit] of text.matchAll(/^# UNIT (\S+) (\S+)$/gm)) expect(name!.replace(/_total$/, '')).toMatch(new RegExp(`_${unit}$`));
    // Attribute dots became underscores; no label keeps a dot, no name keeps an unsuffixed base unit.
    expect(samples.every((s) => Object.keys(s.labels).every((k) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)))).toBe(true);
    const sample = (name: string, labels: Record<string, string> = {}) => sumOf(samples, name, labels);
    expect(sample('process_start_time_seconds')).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(sample('process_start_time_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(sample('process_cpu_time_seconds_total', { cpu_mode: 'user' })).toBeGreaterThan(0);
    expect(sample('process_unix_file_descriptor_count')).toBeGreaterThan(3);
    expect(sample('process_unix_file_descriptor_limit')).toBeGreaterThanOrEqual(sample('process_unix_file_descriptor_count'));
    expect(sample('process_memory_usage_bytes')).toBeGreaterThan(sample('v8js_memory_heap_used_bytes'));
    expect(sample('process_memory_limit_bytes')).toBeGreaterThan(sample('process_memory_usage_bytes'));
    expect(sample('v8js_memory_heap_size_limit_bytes')).toBeGreaterThan(64 * MiB);
    expect(samples.filter((s) => s.name === 'v8js_memory_heap_used_bytes').map((s) => s.labels.v8js_heap_space_name)).toContain('old_space');
    expect(sample('nodejs_memory_external_bytes')).toBeGreaterThanOrEqual(sample('nodejs_memory_array_buffers_bytes'));
    const states = samples.filter((s) => s.name === 'nodejs_eventloop_time_seconds_total').map((s) => s.labels.nodejs_eventloop_state);
    expect(states.sort()).toEqual(['active', 'idle']);
    const utilization = sample('nodejs_eventloop_utilization_ratio');
    expect(utilization).toBeGreaterThanOrEqual(0);
    expect(utilization).toBeLessThanOrEqual(1);
  });
});
