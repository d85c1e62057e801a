import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasherDigest, newHasher, type Digest } from '../base/digest.js';

/**
 * Writes a layer tar (for `docker save`) to a file under `tmpDir`; returns its path, digest and
 * size. The caller compares the digest with the layer's diffID: a layer packed again from its
 * directory (no tar-split journal) gives other bytes than the tar it came from.
 */
export async function writeLayerFile(tar: Readable, tmpDir: string): Promise<{ path: string; digest: Digest; size: number }> {
  await fsp.mkdir(tmpDir, { recursive: true });
  const path = join(tmpDir, `save-${randomBytes(8).toString('hex')}.tar`);
  const hasher = newHasher();
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hasher.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(tar, tap, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await fsp.rm(path, { force: true });
    throw err;
  }
  return { path, digest: hasherDigest(hasher), size };
}
