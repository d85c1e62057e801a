import { execFile } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
  /** Whether skiff-netsetup is there; without it create/exec (unshare + ip) and nft do the work. */
  readonly helper: boolean;
  /**
   * Runs a skiff-netsetup script in one process. The files named by `create` lines are made
   * first and, when the script fails, unmounted and deleted again.
   */
  setup(lines: readonly string[]): Promise<void>;
  /** Creates the namespace at `path` and runs `ip` commands inside it, in one process. */
  create(path: string, insideLines: readonly string[]): Promise<void>;
  /** Runs `ip` commands inside an existing namespace. */
  exec(path: string, lines: readonly string[]): Promise<void>;
  /** Unmounts and deletes the file; harmless when it is gone. */
  remove(path: string): Promise<void>;
  /** The namespace files under `dir` that are mounted. */
  list(dir: string): Promise<string[]>;
}

/** dist/src/sys/netns.js → <package root>/src/netsetup/skiff-netsetup */
export const defaultNetsetupPath = fileURLToPath(new URL('../../../src/netsetup/skiff-netsetup', import.meta.url));

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function createNetnsDriver(helperPath: string = defaultNetsetupPath): NetnsDriver {
  // `create PATH` and `create-userns PATH USERNS …` name files the helper mounts on.
  const created = (lines: readonly string[]) =>
    lines.flatMap((l) => (l.startsWith('create ') ? [l.slice('create '.length)] : l.startsWith('create-userns ') ? l.split(' ').slice(1, 3) : []));
  const driver: NetnsDriver = {
    helper: executable(helperPath),
    async setup(lines) {
      const files = created(lines);
      for (const path of files) {
        mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true, mode: 0o700 });
        closeSync(openSync(path, 'w', 0o444));
      }
      try {
        await runWithInput(helperPath, [], lines.join('\n') + '\n');
      } catch (err) {
        for (const path of files) await driver.remove(path);
        throw err;
      }
    },
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
