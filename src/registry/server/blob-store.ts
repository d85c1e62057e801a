import { createReadStream, type ReadStream, statSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { sha256Of } from '../../base/digest.js';
import type { ByteRange } from './byte-range.js';

/**
 * Content-addressed blob files under `<root>/blobs/sha256/<2 hex>/<hex>`. A blob only appears at
 * its final name by rename(2) of a file that was fsynced and whose digest was checked, so a
 * killed server never leaves a half-written blob visible. Temp files live on the same file
 * system (`<root>/tmp`) so the rename is atomic.
 */
export interface BlobStat {
  size: number;
  mtimeMs: number;
}

export class BlobStore {
  readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  path(digest: string): string {
    const hex = digest.slice('sha256:'.length);
    return join(this.blobsDir, hex.slice(0, 2), hex);
  }

  async stat(digest: string): Promise<BlobStat | undefined> {
    try {
      const s = await stat(this.path(digest));
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }

  /** Synchronous, for checks inside a database transaction (which must not await). */
  statSync(digest: string): BlobStat | undefined {
    const s = statSync(this.path(digest), { throwIfNoEntry: false });
    return s === undefined ? undefined : { size: s.size, mtimeMs: s.mtimeMs };
  }

  /** Stores small content (manifests) under its own digest. */
  async putBytes(data: Buffer): Promise<string> {
    const digest = sha256Of(data);
    const tmp = join(this.tmpDir, randomUUID());
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.adopt(tmp, digest);
    return digest;
  }

  /**
   * Moves an fsynced, digest-verified file into place. Always renames, even over an existing
   * copy: the fresh mtime tells a concurrent garbage collection that the blob is in use.
   */
  async adopt(file: string, digest: string): Promise<void> {
    const target = this.path(digest);
    await mkdir(dirname(target), { recursive: true });
    await rename(file, target);
    await syncDir(dirname(target));
  }

  /** Marks a blob as recently used (garbage collection spares blobs younger than its grace period). */
  async touch(digest: string): Promise<void> {
    const now = new Date();
    await utimes(this.path(digest), now, now).catch(() => {});
  }

  read(digest: string, range?: ByteRange): ReadStream {
    // 1 MiB reads: a quarter of the syscalls of the default for multi-megabyte layers.
    const highWaterMark = 1024 * 1024;
    return createReadStream(this.path(digest), range === undefined ? { highWaterMark } : { start: range.start, end: range.end, highWaterMark });
  }

  unlinkSync(digest: string): void {
    try {
      unlinkSync(this.path(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  async *walk(): AsyncGenerator<{ digest: string } & BlobStat> {
    for (const shard of await readdir(this.blobsDir).catch(() => [] as string[])) {
      for (const hex of await readdir(join(this.blobsDir, shard)).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{64}$/.test(hex)) continue;
        const s = await stat(join(this.blobsDir, shard, hex)).catch(() => undefined);
        if (s !== undefined) yield { digest: `sha256:${hex}`, size: s.size, mtimeMs: s.mtimeMs };
      }
    }
  }

  async removeTemp(name: string): Promise<void> {
    await unlink(join(this.tmpDir, name)).catch(() => {});
  }
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
