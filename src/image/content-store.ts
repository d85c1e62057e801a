import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { digestHex, hasherDigest, isDigest, newHasher, type Digest } from '../base/digest.js';
import { errnoCode, invalidParameter, notFound } from '../base/engine-error.js';

/**
 * Content-addressed blobs at `<root>/blobs/sha256/<hex>`. A blob file exists only once its
 * bytes are complete and verified: writes go to `<root>/tmp/<rand>`, are fsynced, checked
 * against the expected digest, renamed into place, and the directory is fsynced.
 */
export class ContentStore {
  readonly root: string;
  private readonly blobDir: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.root = root;
    this.blobDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.blobDir, { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
  }

  path(digest: Digest): string {
    if (!isDigest(digest)) throw invalidParameter(`invalid digest: ${digest}`);
    return join(this.blobDir, digestHex(digest));
  }

  /** Stores bytes (or a stream of them); with `expected`, a mismatch is rejected and nothing is kept. */
  async put(data: Uint8Array | string | Readable, expected?: Digest, signal?: AbortSignal): Promise<Digest> {
    await this.init();
    if (expected !== undefined && (await this.has(expected))) {
      // Content-addressed: an existing blob with this digest is already the right bytes. Drain streams.
      if (data instanceof Readable) data.resume();
      return expected;
    }
    const tmp = join(this.tmpDir, `blob-${randomBytes(8).toString('hex')}`);
    const hasher = newHasher();
    const source = data instanceof Readable ? data : Readable.from([typeof data === 'string' ? Buffer.from(data) : data]);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hasher.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
      await pipeline(source, tap, out, signal ? { signal } : {});
      const fh = await fsp.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const actual = hasherDigest(hasher);
      if (expected !== undefined && actual !== expected) {
        throw invalidParameter(`digest mismatch: expected ${expected}, got ${actual}`);
      }
      await fsp.rename(tmp, this.path(actual));
      await fsyncDir(this.blobDir);
      return actual;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async get(digest: Digest): Promise<Buffer> {
    try {
      return await fsp.readFile(this.path(digest));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw notFound(`content ${digest}: not found`, err);
      throw err;
    }
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      await fsp.access(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  async delete(digest: Digest): Promise<void> {
    await fsp.rm(this.path(digest), { force: true });
  }

  /** Empties `<root>/tmp`, where interrupted writes leave files; call at startup. */
  async cleanupTemp(): Promise<void> {
    await fsp.rm(this.tmpDir, { recursive: true, force: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
