// `npm run bench`: the seed's surge against one order service with the incident's heap cap, overload protection
// off and on side by side, at 1x, 2x and 10x its measured capacity (issue 9). Capacity is measured first, in
// the same run: closed loop, 64 connections, protection off. Each scenario gets a fresh service on the same
// PostgreSQL; a crash in one does not colour the next. Absolute figures drift on a shared 2-core machine (the
// load generator runs on it too); compare the columns of one run. Latencies are given as the clients saw them
// and as the service measured them (http_server_request_duration_seconds): on a loaded machine the first also
// hold the kernel's and the load generator's own delays.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { freePorts } from '../common/free-port.ts';
import { startOrderService } from '../stack/order-service-process.ts';
import { runSurge, type SurgeResult } from '../test/support/surge-load.ts';
import { startTestPostgres } from '../test/support/test-postgres.ts';
import { machineBusyCores, processCpuMs } from './support/cpu-time.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
/** BENCH_LEVELS=2x,10x runs only those; BENCH_CAPACITY=n skips measuring capacity. */
const onlyLevels = process.env.BENCH_LEVELS?.split(',');
const givenCapacity = process.env.BENCH_CAPACITY === undefined ? undefined : Number(process.env.BENCH_CAPACITY);
const heapCap = '--max-old-space-size=256';
const serviceEnv = { DB_POOL_MAX: '10', LOG_LEVEL: 'error' };

interface Row {
  scenario: string;
  surge: SurgeResult;
  crashed: boolean;
  stored: number;
  backlogSeconds: number | undefined;
  shedReasons: string;
  /** 201s the service sent (orders_created_total): a client that gave up before reading its 201 is not in the clients' count. */
  createdByService: number | undefined;
  /** The machine's busy cores during the surge: service, database and load generator. */
  busyCores: number;
}

const db = await startTestPostgres();
const rows: Row[] = [];
let run = 0;

async function storedFor(customer: string): Promise<{ stored: number; open: number }> {
  const { rows: [row] } = await db.pool.query<{ stored: number; open: number }>(
    `SELECT count(*)::int AS stored, count(*) FILTER (WHERE status IN ('PENDING', 'PROCESSING'))::int AS open FROM orders WHERE customer = $1`,
    [customer],
  );
  return row!;
}

async function scenario(title: string, protection: boolean, load: { connections: number; rate?: number; amount: number; durationSeconds?: number }): Promise<Row> {
  const customer = `bench-${process.pid}-${run++}`;
  const service = await startOrderService({ nodeArgs: [heapCap], env: { ...serviceEnv, DATABASE_URL: db.url, OVERLOAD_PROTECTION: String(protection) } });
  try {
    const machine = machineBusyCores();
    const surge = await runSurge({ apiUrl: service.apiUrl, metricsUrl: service.metricsUrl, customer, ...load });
    const busyCores = machine();
    const crashed = service.process.child.exitCode !== null || service.process.child.signalCode !== null;
    const shedReasons = crashed ? '' : await shedByReason(service.metricsUrl);
    // The backlog: every accepted order reaches COMPLETED or FAILED; measured up to 90 s after the surge.
    const ended = performance.now();
    let backlogSeconds: number | undefined;
    while (!crashed && performance.now() - ended < 90_000) {
      if ((await storedFor(customer)).open === 0) {
        backlogSeconds = (performance.now() - ended) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Read after the backlog wait, as the stored count is: requests already read by the service when the load
    // generator gave up are still answered (and counted) after the surge.
    const createdByService = crashed ? undefined : await counterValue(service.metricsUrl, 'orders_created_total');
    const row = { scenario: title, surge, crashed, stored: (await storedFor(customer)).stored, backlogSeconds, shedReasons, createdByService, busyCores };
    print(row);
    return row;
  } finally {
    await service.stop();
  }
}

/** Refusals by reason, from the service's own counters. */
async function shedByReason(metricsUrl: string): Promise<string> {
  const text = await (await fetch(metricsUrl)).text();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^http_server_admission_shed_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm)) {
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return [...counts].filter(([, n]) => n > 0).map(([reason, n]) => `${reason}=${n}`).join(',');
}

async function counterValue(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(match[1]);
  return total;
}

const fmt = (n: number | undefined, digits = 0): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

function print(row: Row): void {
  const s = row.surge;
  console.log(
    [
      row.scenario.padEnd(24),
      `${fmt(s.goodputPerSecond).padStart(5)} 201/s (steady from ${fmt(s.steadyFromSeconds, 1)} s: ${fmt(s.steadyGoodputPerSecond)})`,
      `client: accepted p50/p99 ${fmt(s.acceptedP50Ms)}/${fmt(s.acceptedP99Ms)} ms, shed p99 ${fmt(s.shedP99Ms)} ms, first request on a connection p99 ${fmt(s.firstRequestP99Ms)} ms`,
      `server: accepted p99 ${fmt(s.server?.acceptedP99Ms)} ms, shed p99 ${fmt(s.server?.shedP99Ms, 1)} ms, shed <10ms ${fmt((s.server?.shedWithin10msShare ?? Number.NaN) * 100, 1)}%`,
      `heap old-gen peak ${fmt((s.heapOldGenerationPeakBytes ?? Number.NaN) / 2 ** 20)} MiB`,
      `event-loop p99 max ${fmt((s.eventLoopDelayP99MaxSeconds ?? Number.NaN) * 1000)} ms`,
      row.crashed ? 'CRASHED' : 'up',
      `201s ${s.created} (sent by the service ${row.createdByService ?? '-'}) stored ${row.stored} (stored without a 201 sent: ${row.createdByService === undefined ? '-' : row.stored - row.createdByService}; without a 201 received: ${row.stored - s.created})`,
      `unanswered (timed out at 10 s or failed) ${s.unanswered}`,
      `backlog ${row.backlogSeconds === undefined ? '>90' : fmt(row.backlogSeconds, 1)} s`,
      `machine busy ${fmt(row.busyCores, 2)} of ${availableParallelism()} cores`,
      `statuses ${JSON.stringify(s.statuses)}`,
      row.shedReasons ? `shed ${row.shedReasons}` : '',
    ].join('  '),
  );
}

try {
  console.log(`heap cap ${heapCap}, ${seconds} s a scenario, DB pool 10; the machine is shared: compare within this run`);
  const capacityRow = givenCapacity === undefined ? await scenario('capacity (64 conn, off)', false, { connections: 64, amount: 600 * seconds }) : undefined;
  const capacity = givenCapacity ?? Math.max(50, Math.round(capacityRow!.surge.goodputPerSecond));
  console.log(`measured capacity: ${capacity} orders/s`);
  const levels = [
    { name: '1x', connections: 64, factor: 1 },
    { name: '2x', connections: 1000, factor: 2 },
    { name: '10x', connections: 5000, factor: 10 },
  ];
  for (const level of levels.filter((l) => !onlyLevels || onlyLevels.includes(l.name))) {
    const rate = capacity * level.factor;
    // Sending for a fixed time: the steady part (after every connection was accepted) is measured up to its end.
    const load = { connections: level.connections, rate, amount: rate * seconds, durationSeconds: seconds };
    for (const protection of [false, true]) rows.push(await scenario(`${level.name} ${level.connections} conn ${protection ? 'on' : 'off'}`, protection, load));
  }
  const [offAt1x, onAt1x] = rows.filter((row) => row.scenario.startsWith('1x '));
  if (offAt1x && onAt1x) console.log(`\n1x throughput, protection on / off: ${(onAt1x.surge.goodputPerSecond / offAt1x.surge.goodputPerSecond).toFixed(3)}`);
  for (const row of rows.filter((r) => !r.scenario.startsWith('1x '))) {
    const steady = row.surge.steadyGoodputPerSecond;
    console.log(
      `${row.scenario}: goodput / capacity ${(row.surge.goodputPerSecond / capacity).toFixed(2)} over the run, ${steady === undefined ? '-' : (steady / capacity).toFixed(2)} steady`,
    );
  }
  if (!onlyLevels || onlyLevels.includes('10x')) await refusalFloor(capacity, capacityRow?.busyCores);
} finally {
  await db.destroy();
}

/**
 * What refusing the 10x surge costs at the least, whatever the service does: the same load against a node:http
 * server that refuses every request and does nothing else (bench/support/refusing-server.ts). Added to what the
 * service and its database took at capacity, it says whether this machine can hold goodput at capacity under
 * the 10x surge at all, with the load generator on it.
 */
async function refusalFloor(capacity: number, busyAtCapacity: number | undefined): Promise<void> {
  const [port] = await freePorts(1);
  const server = spawn(process.execPath, ['bench/support/refusing-server.ts', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(server.stdout!, 'data');
    const rate = capacity * 10;
    const serverBefore = processCpuMs(server.pid!);
    const machine = machineBusyCores();
    const started = performance.now();
    const surge = await runSurge({ apiUrl: `http://127.0.0.1:${port}`, customer: 'floor', connections: 5000, rate, amount: rate * seconds, durationSeconds: seconds });
    const busyCores = machine();
    const serverCores = (processCpuMs(server.pid!) - serverBefore) / (performance.now() - started);
    const cores = availableParallelism();
    console.log(
      `\nrefusal floor, 10x (${rate}/s, 5000 conn) against node:http refusing everything: ${surge.statuses['503'] ?? 0} answered 503, ${surge.unanswered} unanswered; ` +
        `machine busy ${fmt(busyCores, 2)} of ${cores} cores (the refusing server ${fmt(serverCores, 2)}, the rest mostly the load generator)`,
    );
    if (busyAtCapacity !== undefined) {
      console.log(
        `at capacity the machine was busy ${fmt(busyAtCapacity, 2)} cores: goodput at capacity under the 10x surge needs at least ${fmt(busyAtCapacity + 0.9 * busyCores, 2)} of ${cores} (capacity, plus refusing the other nine tenths at the floor)`,
      );
    }
  } finally {
    server.kill('SIGTERM');
  }
}
