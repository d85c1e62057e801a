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

/** Changing a running container's cgroup limits (`docker update`) through `runc update --resources -`. */
export interface ResourceControl {
  update(id: string, resources: object): Promise<void>;
}

export function createResourceControl(runtimePath: string, runtimeRoot: string): ResourceControl {
  return {
    update: (id, resources) =>
      new Promise((resolve, reject) => {
        const child = execFile(runtimePath, ['--root', runtimeRoot, 'update', '--resources', '-', id], { timeout: 30_000 }, (err, _out, stderr) => {
          if (!err) return resolve();
          const text = typeof stderr === 'string' && stderr.trim() ? stderr.trim() : String(err);
          reject(systemError(`Cannot update container ${id}: ${text}`, err));
        });
        child.stdin?.end(JSON.stringify(resources));
      }),
  };
}
