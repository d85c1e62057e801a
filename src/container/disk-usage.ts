import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../base/engine-error.js';

/** How many lstat calls one walk keeps in flight: enough to overlap I/O, few enough to stay polite. */
const BATCH = 64;

/**
 * Bytes under `dir` the way dockerd's directory.Size counts them (SizeRw, volume sizes): the
 * apparent size of every non-directory entry, each inode once (hard links share their bytes),
 * zero-length entries (overlay whiteouts) counting nothing. Asynchronous all the way, so a big
 * tree never holds the event loop for long. A missing directory (or one removed mid-walk) is 0.
 */
export async function directorySize(dir: string, signal?: AbortSignal): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const pending: string[] = [dir];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const cur = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(cur);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw err;
    }
    for (let i = 0; i < names.length; i += BATCH) {
      const paths = names.slice(i, i + BATCH).map((n) => join(cur, n));
      const stats = await Promise.all(paths.map((p) => lstat(p, { bigint: true }).catch(() => undefined)));
      stats.forEach((st, k) => {
        if (!st) return;
        if (st.isDirectory()) {
          pending.push(paths[k] as string);
          return;
        }
        if (st.size === 0n) return;
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) return;
        seen.add(key);
        total += Number(st.size);
      });
    }
  }
  return total;
}
