import { totalmem } from 'node:os';
import { nothingToStop, type Collector } from './collector.ts';

/**
 * The memory the process may use before the kernel kills it: the cgroup limit (libuv reads cgroup v2
 * memory.max or v1 memory.limit_in_bytes for the process's own cgroup), else the machine's memory. Without a
 * limit libuv answers 0 or a huge "unlimited" value, hence the comparison with the machine's memory.
 */
export function memoryLimitBytes(): number {
  const constrained = process.constrainedMemory();
  const machine = totalmem();
  return constrained > 0 && constrained < machine ? constrained : machine;
}

/** Container memory limit (what container_spec_memory_limit_bytes shows next to a JVM pod's metrics). */
export const memoryLimit: Collector = (meter) => {
  meter
    .createObservableGauge('process.memory.limit', {
      description: 'Memory the process may use before an OOM kill: the cgroup limit, else the machine memory.',
      unit: 'By',
    })
    .addCallback((result) => result.observe(memoryLimitBytes()));
  return nothingToStop;
};
