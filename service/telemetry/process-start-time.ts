import { nothingToStop, type Collector } from './collector.ts';

/**
 * When the process started, in Unix seconds (`process_start_time_seconds` as every Prometheus client has it):
 * a change means a restart, the way a crash or OOM kill shows on a dashboard.
 */
export const processStartTime: Collector = (meter) => {
  const startedAt = (performance.timeOrigin) / 1000;
  meter
    .createObservableGauge('process.start_time', { description: 'Start time of the process since the Unix epoch.', unit: 's' })
    .addCallback((result) => result.observe(startedAt));
  return nothingToStop;
};
