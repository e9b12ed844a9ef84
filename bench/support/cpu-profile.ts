// Loaded into a benchmarked process with `--import`: the first SIGUSR2 starts V8's CPU profiler on the main thread,
// the next stops it and writes the profile (the .cpuprofile format) to BENCH_PROFILE_FILE. So a bench profiles
// only its load window, not the process's start-up, which `--cpu-prof` would include.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PROFILE_FILE;
const intervalUs = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 250);
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!running) {
        running = true;
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
        await session.post('Profiler.start');
        writeFileSync(`${file}.started`, '');
        return;
      }
      running = false;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    })();
  });
}
