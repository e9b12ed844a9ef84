// autocannon ships no types and @types/autocannon lags its major version; this is the part the benchmarks and
// the surge test use.
declare module 'autocannon' {
  interface Result {
    requests: { average: number };
    latency: { p50: number; p99: number };
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  function autocannon(options: Record<string, unknown>): Promise<Result>;
  namespace autocannon {
    export type { Result };
  }
  export default autocannon;
}
