// autocannon ships no types and @types/autocannon lags its major version; the benchmarks use this much of it.
declare module 'autocannon' {
  function autocannon(options: Record<string, unknown>): Promise<unknown>;
  export default autocannon;
}
