import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasherDigest, newHasher, type Digest } from '../base/digest.js';
import { packTar, type TarEntry } from '../storage/layer-diff-tar.js';
import { treeEntries } from '../volume/tree-entries.js';
import { getAttribute } from 'fs-xattr';

/**
 * An unpacked layer directory back into a layer tar (for `docker save`): overlay whiteouts (0/0
 * character devices) become `.wh.<name>` entries, opaque directories get `.wh..wh..opq`. The
 * bytes are not those of the tar the layer came from (skiff keeps layers unpacked), so the
 * caller compares the digest with the layer's diffID.
 */
async function* layerEntries(dir: string): AsyncGenerator<TarEntry> {
  for await (const e of treeEntries(dir, '', { skipRoot: true })) {
    if (e.type === 'character-device' && e.devmajor === 0 && e.devminor === 0) {
      const slash = e.name.lastIndexOf('/');
      yield { ...e, type: 'file', name: `${e.name.slice(0, slash + 1)}.wh.${e.name.slice(slash + 1)}`, mode: 0, size: 0, devmajor: undefined, devminor: undefined };
      continue;
    }
    yield e;
    if (e.type === 'directory') {
      let opaque = false;
      try {
        opaque = (await getAttribute(join(dir, e.name), 'trusted.overlay.opaque')).toString() === 'y';
      } catch {
        opaque = false;
      }
      if (opaque) yield { name: `${e.name}/.wh..wh..opq`, type: 'file', mode: 0, uid: 0, gid: 0, mtime: e.mtime, size: 0 };
    }
  }
}

/** Packs `dir` into a file under `tmpDir`; returns its path, digest and size. */
export async function packLayerFile(dir: string, tmpDir: string): Promise<{ path: string; digest: Digest; size: number }> {
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
  await pipeline(packTar(layerEntries(dir)), tap, createWriteStream(path, { mode: 0o600 }));
  return { path, digest: hasherDigest(hasher), size };
}
