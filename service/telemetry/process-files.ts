import { readdirSync, readFileSync } from 'node:fs';
import { nothingToStop, type Collector } from './collector.ts';

/** The soft "Max open files" limit from /proc/self/limits (undefined when unlimited or not on Linux). */
function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * Open file descriptors and their limit (the JVM's process_files_open_files / process_files_max_files): sockets
 * and files leak here before they fail with EMFILE. Linux only (/proc); elsewhere the gauges are absent.
 */
export const processFiles: Collector = (meter) => {
  const count = meter.createObservableGauge('process.unix.file_descriptor.count', {
    description: 'Number of open file descriptors.',
    unit: '{file_descriptor}',
  });
  const limit = meter.createObservableGauge('process.unix.file_descriptor.limit', {
    description: 'Soft limit of open file descriptors (ulimit -n).',
    unit: '{file_descriptor}',
  });
  meter.addBatchObservableCallback(
    (result) => {
      try {
        result.observe(count, readdirSync('/proc/self/fd').length);
      } catch {
        // Not Linux: no count rather than a wrong one.
      }
      const max = openFilesLimit();
      if (max !== undefined) result.observe(limit, max);
    },
    [count, limit],
  );
  return nothingToStop;
};
