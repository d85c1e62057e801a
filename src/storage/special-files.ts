import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Node has no mknod(2). Device nodes, fifos and overlay whiteouts (0/0 character devices) are
 * rare in layers, so spawning coreutils' `mknod`/`mkfifo` per entry is acceptable.
 * Injected so tests (and other platforms) can replace it.
 */
export interface SpecialFileMaker {
  mknod(path: string, kind: 'c' | 'b', major: number, minor: number, mode: number): Promise<void>;
  mkfifo(path: string, mode: number): Promise<void>;
}

export const spawnSpecialFileMaker: SpecialFileMaker = {
  async mknod(path, kind, major, minor, mode) {
    await run('mknod', ['-m', (mode & 0o7777).toString(8), '--', path, kind, String(major), String(minor)]);
  },
  async mkfifo(path, mode) {
    await run('mkfifo', ['-m', (mode & 0o7777).toString(8), '--', path]);
  },
};
