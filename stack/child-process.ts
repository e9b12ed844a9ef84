import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last lines it wrote to stdout and stderr, for error messages. */
  output(): string;
  /** The last lines it wrote to stderr alone (where V8 writes why it aborted). */
  errorOutput(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /**
   * SIGTERM to the process itself (it stops what it started, in its own order), SIGKILL to its whole group
   * after `graceMs`, and a SIGKILL sweep of the group once it has exited so nothing is left behind.
   */
  stop(graceMs?: number): Promise<number | NodeJS.Signals>;
  /** SIGKILL to its process group at once (crash tests). */
  kill(): Promise<number | NodeJS.Signals>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Also copy its output to ours, prefixed with the name (the `npm start` launcher). */
  echo?: boolean;
}

const keptLines = 200;

/**
 * Starts a process in its own process group (so stopping it also stops what it started, e.g. the embedded
 * PostgreSQL under the order service) and keeps the tail of its output.
 */
export function startProcess(options: StartOptions): ManagedProcess {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const errorLines: string[] = [];
  const keep =
    (...into: string[][]) =>
    (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        for (const kept of into) kept.push(line);
        if (options.echo) process.stdout.write(`[${options.name}] ${line}\n`);
      }
      for (const kept of into) if (kept.length > keptLines) kept.splice(0, kept.length - keptLines);
    };
  child.stdout?.on('data', keep(lines));
  child.stderr?.on('data', keep(lines, errorLines));
  const exited: Promise<number | NodeJS.Signals> =
    child.exitCode !== null
      ? Promise.resolve(child.exitCode)
      : once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | NodeJS.Signals);
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is empty
    }
  };
  return {
    name: options.name,
    child,
    output: () => lines.join('\n'),
    errorOutput: () => errorLines.join('\n'),
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await Promise.race([exited, delay(graceMs, 'timeout' as const)]);
      signalGroup('SIGKILL');
      return result === 'timeout' ? exited : result;
    },
    async kill() {
      signalGroup('SIGKILL');
      return exited;
    },
  };
}

/** Polls `url` until it answers 2xx, or fails with the process's own output when it exits or the deadline passes. */
export async function waitUntilHealthy(process_: ManagedProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | NodeJS.Signals | undefined;
  void process_.exited.then((code) => (exitedWith = code));
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${process_.name} exited (${exitedWith}) before ${url} answered:\n${process_.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${process_.name}: ${url} did not answer 2xx within ${timeoutMs} ms:\n${process_.output()}`);
    await delay(100);
  }
}

/** waitUntilHealthy, and when the process never gets healthy: kill it, run `cleanUp` (its temp dirs), rethrow. */
export async function waitHealthyOrDiscard(process_: ManagedProcess, url: string, timeoutMs: number, cleanUp: () => void = () => {}): Promise<void> {
  try {
    await waitUntilHealthy(process_, url, timeoutMs);
  } catch (error) {
    await process_.kill();
    cleanUp();
    throw error;
  }
}
