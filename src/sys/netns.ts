import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { mountsUnder } from './mounts.js';
import { runWithInput } from './ip-batch.js';

const run = promisify(execFile);

/**
 * Network namespaces kept as bind-mounted nsfs files, as `ip netns add` keeps them: the file
 * holds the namespace alive with no process in it, so it can be set up before the runtime starts,
 * outlive skiffd restarts, and be joined by path (runc's spec, `--net container:`).
 */
export interface NetnsDriver {
  /** Creates the namespace at `path` and runs `ip` commands inside it, in one process. */
  create(path: string, insideLines: readonly string[]): Promise<void>;
  /** Runs `ip` commands inside an existing namespace. */
  exec(path: string, lines: readonly string[]): Promise<void>;
  /** Unmounts and deletes the file; harmless when it is gone. */
  remove(path: string): Promise<void>;
  /** The namespace files under `dir` that are mounted. */
  list(dir: string): Promise<string[]>;
}

export function createNetnsDriver(): NetnsDriver {
  const driver: NetnsDriver = {
    async create(path, insideLines) {
      mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'w', 0o444));
      try {
        // unshare(1) makes the namespace, bind-mounts it on `path`, then runs ip inside it.
        await runWithInput('unshare', [`--net=${path}`, 'ip', '-batch', '-'], ['link set lo up', ...insideLines].join('\n') + '\n');
      } catch (err) {
        await driver.remove(path);
        throw err;
      }
    },
    async exec(path, lines) {
      if (lines.length === 0) return;
      await runWithInput('nsenter', [`--net=${path}`, 'ip', '-batch', '-'], lines.join('\n') + '\n');
    },
    async remove(path) {
      if ((await mountsUnder(path)).includes(path)) await run('umount', ['-l', path]).catch(() => {});
      await unlink(path).catch(() => {});
    },
    async list(dir) {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.map((n) => `${dir}/${n}`);
    },
  };
  return driver;
}
