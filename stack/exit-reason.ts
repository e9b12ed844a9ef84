// Why a process ended, in the words an operator searches for: its exit code or signal, and "heap limit" when
// V8 said it ran out of heap (it then aborts: SIGABRT).

export interface ExitReason {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** V8 wrote "Reached heap limit" / "JavaScript heap out of memory" to stderr before it died. */
  heapLimit: boolean;
  /** One phrase: "heap limit (signal SIGABRT)", "signal SIGKILL", "exit code 1". */
  reason: string;
}

const heapLimitMessage = /Reached heap limit|JavaScript heap out of memory/;

export function exitReason(exitCode: number | null, signal: NodeJS.Signals | null, stderr: string): ExitReason {
  const heapLimit = heapLimitMessage.test(stderr);
  const how = signal !== null ? `signal ${signal}` : `exit code ${exitCode ?? 'unknown'}`;
  return { exitCode, signal, heapLimit, reason: heapLimit ? `heap limit (${how})` : how };
}
