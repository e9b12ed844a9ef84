// Loaded into a benchmarked process with `--import`: on SIGUSR2 it writes process.memoryUsage() (heap used, RSS) as
// JSON to BENCH_MEMORY_FILE, so a bench reads the heap of a process whose telemetry is off as well as on.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MEMORY_FILE;
if (file) process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify(process.memoryUsage())));
