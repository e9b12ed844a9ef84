// Keeps one order-service replica running as Compose's `restart: unless-stopped` or a Kubernetes pod would:
// when it dies, the launcher logs why (exit code, signal, "heap limit", the heap snapshot it left) and starts it
// again after an exponential backoff, on the same ports, so Prometheus sees the same instance with a new
// process_start_time_seconds.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { listHeapSnapshots } from '../service/diagnostics/heap-snapshots.ts';
import type { ManagedProcess } from './child-process.ts';
import { exitReason } from './exit-reason.ts';
import { startOrderService, type OrderServiceOptions, type OrderServiceProcess } from './order-service-process.ts';
import { defaultRestartBackoff, failuresAfterDeath, restartDelayMs, type RestartBackoff } from './restart-backoff.ts';

export interface SupervisedOrderService extends OrderServiceProcess {
  /** The replica's current process (a new one after each restart). */
  readonly process: ManagedProcess;
  /** How many times it was restarted after dying. */
  readonly restarts: number;
}

export interface SuperviseOptions extends OrderServiceOptions {
  name: string;
  /** Fixed, so that a restarted replica is the same Prometheus target. */
  port: number;
  metricsPort: number;
  /** Its near-heap-limit snapshot directory (--diagnostic-dir), to name the snapshot a heap death left. */
  heapSnapshotDir?: string;
  backoff?: RestartBackoff;
}

/** V8 writes why it aborts just before it dies; the pipe may deliver that after the exit event. */
async function stderrDrained(child: ChildProcess): Promise<void> {
  const stream = child.stderr;
  if (stream === null || stream.destroyed || stream.readableEnded) return;
  await Promise.race([once(stream, 'close'), delay(2_000)]);
}

/** Starts the replica (a failure to start rejects, as before) and restarts it whenever it dies until stop(). */
export async function superviseOrderService(options: SuperviseOptions, log: Logger): Promise<SupervisedOrderService> {
  const backoff = options.backoff ?? defaultRestartBackoff;
  const component = options.name;
  let current = await startOrderService(options);
  let startedAt = Date.now();
  let restarts = 0;
  let failures = 0;
  const stopping = new AbortController();
  let supervising: Promise<void> = Promise.resolve();

  const snapshotsNow = (): Set<string> => new Set(options.heapSnapshotDir === undefined ? [] : listHeapSnapshots(options.heapSnapshotDir).map((s) => s.path));
  let knownSnapshots = snapshotsNow();

  const watch = (service: OrderServiceProcess): void => {
    supervising = service.process.exited.then(() => (stopping.signal.aborted ? undefined : restartAfterDeath(service)));
  };

  async function restartAfterDeath(dead: OrderServiceProcess): Promise<void> {
    const ranForMs = Date.now() - startedAt;
    await stderrDrained(dead.process.child);
    const why = exitReason(dead.process.child.exitCode, dead.process.child.signalCode, dead.process.errorOutput());
    // Sweep what it started (an embedded PostgreSQL) and its temp data, as a container's end would.
    await dead.stop();
    const snapshots = snapshotsNow();
    const newSnapshots = [...snapshots].filter((path) => !knownSnapshots.has(path));
    knownSnapshots = snapshots;
    failures = failuresAfterDeath(failures, ranForMs, backoff);
    let delayMs = restartDelayMs(failures, backoff);
    log.error(
      {
        component,
        reason: why.reason,
        exitCode: why.exitCode,
        signal: why.signal,
        heapLimit: why.heapLimit,
        ...(newSnapshots.length > 0 ? { heapSnapshots: newSnapshots } : {}),
        ranForMs,
        restartInMs: delayMs,
        port: options.port,
        output: dead.process.output().split('\n').filter(Boolean).slice(-5),
      },
      `${component} died (${why.reason}); restarting in ${delayMs} ms`,
    );
    for (;;) {
      try {
        await delay(delayMs, undefined, { signal: stopping.signal });
      } catch {
        return; // stopped while waiting
      }
      try {
        const next = await startOrderService(options);
        if (stopping.signal.aborted) {
          await next.stop();
          return;
        }
        current = next;
        startedAt = Date.now();
        restarts++;
        log.warn({ component, restarts, pid: next.process.child.pid, port: options.port, apiUrl: next.apiUrl }, `${component} restarted`);
        watch(next);
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        failures++;
        delayMs = restartDelayMs(failures, backoff);
        log.error({ component, err: error, failures, restartInMs: delayMs }, `${component} did not restart; trying again in ${delayMs} ms`);
      }
    }
  }

  watch(current);
  return {
    get process() {
      return current.process;
    },
    get restarts() {
      return restarts;
    },
    get dataDir() {
      return current.dataDir;
    },
    apiUrl: current.apiUrl,
    metricsUrl: current.metricsUrl,
    async stop() {
      stopping.abort();
      await current.stop();
      // A restart in flight finishes starting, sees the stop, and stops what it started.
      await supervising;
    },
  };
}
