import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector';

export interface RunningProfile {
  /** Stops, writes the profile, returns the file path. */
  stopInto(file: string): Promise<string>;
}

/**
 * A V8 CPU profile of this process (the server) for one run only, so startup and the other
 * routes stay out of it. Sampling is wall-clock: under CPU contention time spent preempted
 * shows up in whatever frame was running (often `writev`); compare "app CPU ms/req" too.
 */
export async function startProfile(): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((done, fail) => session.post(method, params ?? {}, (err, result) => (err ? fail(err) : done(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return {
    async stopInto(file: string): Promise<string> {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
