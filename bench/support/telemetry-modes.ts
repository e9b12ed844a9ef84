// The telemetry modes both telemetry benches compare, by the OTEL_* variables a user would set: off, metrics only
// (the default), and metrics plus traces sampled at 10% and 100%, exported over OTLP/HTTP to `receiverUrl`.

export interface TelemetryMode {
  /** The mode's short name (BENCH_PROFILE_MODES). */
  key: string;
  title: string;
  env: Record<string, string>;
}

export function telemetryModes(receiverUrl: string): TelemetryMode[] {
  const traces = (ratio: string): Record<string, string> => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio });
  return [
    { key: 'off', title: 'off (OTEL_SDK_DISABLED)', env: { OTEL_SDK_DISABLED: 'true' } },
    { key: 'metrics', title: 'metrics only', env: {} },
    { key: 'traces10', title: 'metrics + traces 10%', env: traces('0.1') },
    { key: 'traces100', title: 'metrics + traces 100%', env: traces('1') },
  ];
}
