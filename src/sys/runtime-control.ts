import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { systemError } from '../base/engine-error.js';

const run = promisify(execFile);

/** Freezing and thawing a running container through the OCI runtime (the cgroup freezer). */
export interface RuntimeControl {
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
}

export function createRuntimeControl(runtimePath: string, runtimeRoot: string): RuntimeControl {
  const call = async (verb: 'pause' | 'resume', id: string) => {
    try {
      await run(runtimePath, ['--root', runtimeRoot, verb, id], { timeout: 30_000 });
    } catch (err) {
      const stderr = (err as { stderr?: unknown }).stderr;
      const text = typeof stderr === 'string' && stderr.trim() ? stderr.trim() : String(err);
      throw systemError(`cannot ${verb} container: ${text}`, err);
    }
  };
  return { pause: (id) => call('pause', id), resume: (id) => call('resume', id) };
}
