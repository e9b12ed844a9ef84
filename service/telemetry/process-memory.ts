import type { Collector } from './collector.ts';
import { nothingToStop } from './collector.ts';

/**
 * Memory outside the JS heap, from one process.memoryUsage() per scrape: RSS (what the OOM killer sees, the
 * JVM's process_resident_memory_bytes), external memory of C++ objects bound to JS, and ArrayBuffers
 * (`jvm_buffer_memory_used_bytes`, direct buffers).
 */
export const processMemory: Collector = (meter) => {
  const rss = meter.createObservableGauge('process.memory.usage', {
    description: 'Resident set size: physical memory the process uses.',
    unit: 'By',
  });
  const external = meter.createObservableGauge('nodejs.memory.external', {
    description: 'Memory of C++ objects bound to JavaScript objects (includes array buffers).',
    unit: 'By',
  });
  const arrayBuffers = meter.createObservableGauge('nodejs.memory.array_buffers', {
    description: 'Memory of ArrayBuffers and SharedArrayBuffers, including Node Buffers.',
    unit: 'By',
  });
  meter.addBatchObservableCallback(
    (result) => {
      const usage = process.memoryUsage();
      result.observe(rss, usage.rss);
      result.observe(external, usage.external);
      result.observe(arrayBuffers, usage.arrayBuffers);
    },
    [rss, external, arrayBuffers],
  );
  return nothingToStop;
};
