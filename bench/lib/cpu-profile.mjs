// V8's CPU profiler (the one behind `node --cpu-prof`) over a window of a run, through the
// inspector: the profile then shows the measured load only, not start-up and module loading.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Start profiling this process; `stop(file)` writes a .cpuprofile and returns its path. */
export async function startCpuProfile(intervalUs = 200) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    /** @param {string} file */
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      return file;
    },
  };
}
