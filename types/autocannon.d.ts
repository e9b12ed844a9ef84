// autocannon ships no types and @types/autocannon lags its major version; this is the part the benchmarks and
// the surge test use.
declare module 'autocannon' {
  interface Result {
    requests: { average: number; sent: number };
    latency: { p50: number; p99: number };
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  /** The running benchmark: a promise of the result that also emits per-response events. */
  interface Instance extends Promise<Result> {
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): Instance;
  }
  function autocannon(options: Record<string, unknown>): Instance;
  namespace autocannon {
    export type { Result, Instance };
  }
  export default autocannon;
}
