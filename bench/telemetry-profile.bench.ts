// `npm run bench`: where telemetry's cost lies, and how much of the order service's main thread it takes, by CPU
// profile. Throughput and CPU time on this host move by a third between slices and even between two identical
// services side by side (docs/benchmarks.md, "Telemetry cost"); a profile's shares are ratios inside one process
// over the same seconds, and hold. For each mode (telemetry off, metrics only, traces at 10% and 100% to an OTLP
// receiver), BENCH_PROFILE_ROUNDS times (default 2, the order reversed every other round): one service under a
// saturating load (BENCH_PROFILE_RATE orders/s instead, when set) for BENCH_PROFILE_SECONDS (default 10), its main
// thread profiled from the first order to the last one processed (bench/support/cpu-profile.ts), every sample
// charged to its owner (bench/support/profile-shares.ts). If the main thread is what saturates, what telemetry takes
// of it (and the GC it adds over off) is what it takes of throughput; if the machine's cores are (the database and
// the load generator share them), its share of all the machine's CPU is. Both are printed, with how busy the main
// thread and the machine were under the load: here neither saturates fully (the main thread 49-66%, the cores
// 1.7-1.9 of 2), so what throughput loses lies between the two. Then the busy time per order over off's (the cost
// by difference, drift of the host included), and each mode's costliest telemetry frames.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../common/wait-for.ts';
import { startOrderService, type OrderServiceProcess } from '../stack/order-service-process.ts';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';
import { machineBusyCores, processCpuMs } from './support/cpu-time.ts';
import { loadOrders } from './support/order-load.ts';
import { isTelemetry, profileShares, type CpuProfile, type ProfileShares } from './support/profile-shares.ts';
import { telemetryModes, type TelemetryMode } from './support/telemetry-modes.ts';

const rounds = Number(process.env.BENCH_PROFILE_ROUNDS ?? 2);
/** Orders a second; 0: saturation (as fast as the service answers), the bar's condition. */
const rate = Number(process.env.BENCH_PROFILE_RATE ?? 0);
/** Connections at saturation (16, as the other order benches; at 64 telemetry's share was higher: docs/benchmarks.md). */
const connections = Number(process.env.BENCH_PROFILE_CONNECTIONS ?? 16);
const seconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 10);
const receiver = await startOtlpReceiver({ keep: false });
const scratch = mkdtempSync(join(tmpdir(), 'telemetry-profile-'));

const allModes = telemetryModes(receiver.url);
/** BENCH_PROFILE_MODES (e.g. `metrics,traces10`) profiles only those, after off, which every figure is read against. */
const picked = process.env.BENCH_PROFILE_MODES?.split(',').map((key) => key.trim());
const unknown = picked?.filter((key) => !allModes.some((m) => m.key === key)) ?? [];
if (unknown.length > 0) throw new Error(`BENCH_PROFILE_MODES: unknown mode ${unknown.join(', ')} (known: ${allModes.map((m) => m.key).join(', ')})`);
const modes = allModes.filter((m) => m.key === 'off' || !picked || picked.includes(m.key));
/**
 * Until the service's main thread uses under 5% of a core: the orders of the load processed. (The whole process
 * never gets under 2% while profiled: the profiler's own thread samples 4,000 times a second.)
 */
const untilIdle = (pid: number): Promise<unknown> =>
  waitFor(
    async () => {
      const before = processCpuMs(pid, pid);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return processCpuMs(pid, pid) - before <= 25;
    },
    { what: 'the service idle', timeoutMs: 120_000, intervalMs: 0 },
  );

interface ProfileRun {
  shares: ProfileShares;
  orders: number;
  /** The main thread's busy share of the load's seconds: near 1, it is what saturates. */
  mainThreadBusy: number;
  /** The machine's busy cores under the load (of 2 here): near all of them, the cores are what saturates. */
  machineBusyUnderLoad: number;
  /** CPU ms of the whole machine (every process: service, database, load generator) over the profiled window. */
  machineMs: number;
}

async function profileOnce(mode: TelemetryMode, index: number): Promise<ProfileRun> {
  const file = join(scratch, `profile-${index}.json`);
  const service = await startOrderService({
    name: `telemetry-profile-${index}`,
    nodeArgs: ['--import', './bench/support/cpu-profile.ts'],
    env: { DB_POOL_MAX: '10', WORKER_QUEUE_MAX: '10000', LOG_LEVEL: 'error', BENCH_PROFILE_FILE: file, ...mode.env },
  });
  try {
    const pid = service.process.child.pid!;
    await loadOrders(service.apiUrl, 3, { connections: 8 }); // warm-up at saturation: JIT, pool connections, worker threads
    await untilIdle(pid);
    service.process.child.kill('SIGUSR2');
    await waitFor(() => existsSync(`${file}.started`), { what: 'the profiler started', timeoutMs: 10_000 });
    const machine = machineBusyCores();
    const windowStart = performance.now();
    const mainBefore = processCpuMs(pid, pid);
    const underLoad = machineBusyCores();
    const result = await loadOrders(service.apiUrl, seconds, rate > 0 ? { connections: 8, overallRate: rate } : { connections });
    const machineBusyUnderLoad = underLoad();
    const mainThreadBusy = (processCpuMs(pid, pid) - mainBefore) / (seconds * 1000);
    await untilIdle(pid);
    const machineMs = machine() * (performance.now() - windowStart);
    service.process.child.kill('SIGUSR2');
    const profile = await waitFor(() => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CpuProfile) : undefined), { what: 'the profile written', timeoutMs: 30_000 });
    if (result['2xx'] === 0) throw new Error(`${mode.title}: no order succeeded`);
    return { shares: profileShares(profile), orders: result['2xx'], mainThreadBusy, machineBusyUnderLoad, machineMs };
  } finally {
    await service.stop();
  }
}

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const results = new Map<string, ProfileRun[]>(modes.map((m) => [m.title, []]));
try {
  let index = 0;
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const run = await profileOnce(mode, index++);
      results.get(mode.title)!.push(run);
      const top = [...run.shares.byOwner].filter(([owner]) => owner.startsWith('@opentelemetry/') || owner === 'service/telemetry').slice(0, 6);
      console.log(
        `round ${round + 1} ${mode.title.padEnd(24)} main thread ${pct(run.mainThreadBusy)} busy under load (machine ${run.machineBusyUnderLoad.toFixed(2)} cores), ${(run.shares.busyMs / run.orders).toFixed(2)} ms/order  telemetry ${pct(run.shares.telemetry)}  GC ${pct(run.shares.gc)}  ${top.map(([o, s]) => `${o.replace('@opentelemetry/', '')} ${pct(s)}`).join(', ')}`,
      );
    }
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const offGc = mean(results.get(modes[0]!.title)!.map((r) => r.shares.gc));
  console.log(`\nmain thread ${rate > 0 ? `at ${rate} orders/s` : 'at saturation'}, mean of ${rounds} rounds`);
  console.log(`${'mode'.padEnd(24)} ${'telemetry'.padStart(9)} ${'GC'.padStart(6)}  ${'GC over off'.padStart(11)}  ${'of machine'.padStart(10)}  implied throughput vs off: main thread saturating / machine saturating`);
  for (const mode of modes) {
    const runs = results.get(mode.title)!;
    const telemetry = mean(runs.map((r) => r.shares.telemetry));
    const gc = mean(runs.map((r) => r.shares.gc));
    const added = telemetry + Math.max(0, gc - offGc);
    // Telemetry's main-thread time (and the GC it adds) as a share of all the machine's CPU over the same window.
    const ofMachine = mean(runs.map((r) => (added * r.shares.busyMs) / r.machineMs));
    // Without telemetry the saturated resource would do the same work in that much less time.
    console.log(`${mode.title.padEnd(24)} ${pct(telemetry).padStart(9)} ${pct(gc).padStart(6)}  ${pct(Math.max(0, gc - offGc)).padStart(11)}  ${pct(ofMachine).padStart(10)}  ${(1 - added).toFixed(3)} / ${(1 - ofMachine).toFixed(3)}`);
  }
  // The same cost by difference: the main thread's busy time per order over off's, whatever it was spent in. It
  // also holds what no frame of telemetry shows (the GC, caches and listeners it adds), and all the drift of this
  // host between runs, which the spread of one mode's rounds shows.
  const perOrder = (runs: ProfileRun[]): number[] => runs.map((r) => r.shares.busyMs / r.orders);
  const offPerOrder = mean(perOrder(results.get(modes[0]!.title)!));
  console.log(`\nbusy main-thread time per order, mean [range] of ${rounds} rounds, and over off`);
  for (const mode of modes) {
    const values = perOrder(results.get(mode.title)!);
    const ownFrames = mean(results.get(mode.title)!.map((r) => r.shares.telemetry));
    const over = mean(values) / offPerOrder - 1;
    console.log(
      `${mode.title.padEnd(24)} ${mean(values).toFixed(3)} ms [${Math.min(...values).toFixed(3)}-${Math.max(...values).toFixed(3)}]  over off ${pct(over).padStart(6)} (telemetry's own frames ${pct(ownFrames)}, the rest ${pct(over - ownFrames * (1 + over))})`,
    );
  }
  // What costs most: telemetry's frames (the nearest owned frame each sample was charged to), mean over rounds.
  for (const mode of modes.slice(1)) {
    const runs = results.get(mode.title)!;
    const frames = new Map<string, number>();
    for (const run of runs) for (const [frame, share] of run.shares.byFrame) if (isTelemetry(frame.slice(0, frame.indexOf(' ')))) frames.set(frame, (frames.get(frame) ?? 0) + share / runs.length);
    const top = [...frames].sort((a, b) => b[1] - a[1]).slice(0, 16);
    console.log(`\n${mode.title}: telemetry's costliest frames\n${top.map(([frame, share]) => `  ${pct(share).padStart(6)}  ${frame.replace('@opentelemetry/', '')}`).join('\n')}`);
  }
} finally {
  await receiver.close();
  rmSync(scratch, { recursive: true, force: true });
}
