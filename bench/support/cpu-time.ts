// CPU time from Linux /proc, for benches that must say how much of the machine a run took: the machine's busy
// cores (every process, the load generator included) and one process's CPU (every thread).
import { readFileSync } from 'node:fs';

/** Busy and total jiffies of all CPUs since boot (/proc/stat's first line). */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = fields[3]! + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Starts a measure of the whole machine; the returned function gives the mean busy cores since (e.g. 1.8 of 2). */
export function machineBusyCores(): () => number {
  const cores = Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 1);
  const start = machineJiffies();
  return () => {
    const end = machineJiffies();
    return ((end.busy - start.busy) / Math.max(end.total - start.total, 1)) * cores;
  };
}

/** utime + stime of a process (every thread), or of one of its threads, in ms (clock ticks of 10 ms). */
export function processCpuMs(pid: number, thread?: number): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
