import { nothingToStop, type Collector } from './collector.ts';

/** CPU time the process has used, by mode (the JVM's process_cpu_seconds_total, split as in semconv). */
export const processCpu: Collector = (meter) => {
  meter
    .createObservableCounter('process.cpu.time', { description: 'Total CPU seconds the process used, by mode.', unit: 's' })
    .addCallback((result) => {
      const usage = process.cpuUsage();
      result.observe(usage.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(usage.system / 1e6, { 'cpu.mode': 'system' });
    });
  return nothingToStop;
};
