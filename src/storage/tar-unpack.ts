import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { hasherDigest, newHasher, type Digest } from '../base/digest.js';
import { errnoCode, invalidParameter, isEngineError } from '../base/engine-error.js';
import { cleanEntryName, entryPath, resolveDirInRoot } from './confined-path.js';
import { PaxXattrTracker, type Xattrs } from './pax-xattrs.js';
import type { SpecialFileMaker } from './special-files.js';
import { openPlainTar } from './tar-source.js';
import type { TarSplitRecorder } from './tar-split.js';

/**
 * Unpacks one layer tar (plain or gzip) into `dest` in overlay form, computing its diffID
 * (sha256 of the uncompressed tar) on the way. A security boundary: see confined-path.ts.
 */
export interface UnpackDeps {
  special: SpecialFileMaker;
  setXattr: (path: string, name: string, value: Buffer | string) => Promise<void>;
}

export interface UnpackResult {
  diffId: Digest;
  /** Bytes of regular-file content written. */
  size: number;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';
const isRoot = () => process.getuid?.() === 0;

type Header = Partial<tar.Header> & { name: string; byteOffset?: number };
/** An entry's data stream (a streamx Readable, not Node's). */
type Body = AsyncIterable<unknown> & { resume(): unknown; on(ev: 'error', fn: () => void): unknown };

export async function unpackLayerTar(
  input: Readable,
  dest: string,
  deps: UnpackDeps,
  signal?: AbortSignal,
  recorder?: TarSplitRecorder,
): Promise<UnpackResult> {
  signal?.throwIfAborted();
  const hasher = newHasher();
  const pax = new PaxXattrTracker();
  const plain = await openPlainTar(
    input,
    (chunk) => {
      hasher.update(chunk);
      pax.feed(chunk);
      recorder?.feed(chunk);
    },
    signal,
  );
  const extract = tar.extract();
  const dirTimes: Array<{ path: string; mtime: Date }> = [];
  let size = 0;

  const handle = async (h: Header, body: Body): Promise<void> => {
    const components = cleanEntryName(h.name);
    const xattrs = pax.take(h.byteOffset);
    const base = components[components.length - 1] ?? '';
    if (base.startsWith(WHITEOUT_PREFIX)) {
      body.resume();
      return whiteout(dest, components, deps, h);
    }
    const { path } = await entryPath(dest, components);
    if (path !== dest) await clearFor(path, h);

    switch (h.type) {
      case 'directory':
        if (path !== dest) await fsp.mkdir(path, { mode: 0o755 }).catch(ignoreCode('EEXIST'));
        break;
      case 'file':
      case 'contiguous-file': {
        // O_EXCL|O_NOFOLLOW: the path was just cleared, so this can only create a new file here.
        const fh = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of body) await writeAll(fh, chunk as Uint8Array);
        } finally {
          await fh.close();
        }
        size += h.size ?? 0;
        recorder?.fileAt(h.byteOffset, components.join('/'));
        break;
      }
      case 'symlink':
        await fsp.symlink(h.linkname ?? '', path);
        break;
      case 'link': {
        const target = await hardlinkTarget(dest, h.linkname ?? '');
        if (target !== path) await fsp.link(target, path);
        // No metadata: the inode already has its own, and chown would strip its security.capability.
        body.resume();
        return;
      }
      case 'character-device':
      case 'block-device':
        await deps.special.mknod(path, h.type === 'character-device' ? 'c' : 'b', h.devmajor ?? 0, h.devminor ?? 0, h.mode ?? 0o600);
        break;
      case 'fifo':
        await deps.special.mkfifo(path, h.mode ?? 0o600);
        break;
      default:
        body.resume();
        return;
    }
    body.resume();
    await applyMetadata(path, h, xattrs, deps);
    if (h.type === 'directory') dirTimes.push({ path, mtime: h.mtime ?? new Date(0) });
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      const e = err instanceof Error ? err : new Error(String(err));
      signal?.removeEventListener('abort', onAbort);
      plain.release(e);
      extract.destroy(e);
      reject(isEngineError(e) || e.name === 'AbortError' ? e : invalidParameter(`failed to unpack layer: ${e.message}`, e));
    };
    const onAbort = () => fail(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    extract.on('entry', (h, body, next) => {
      // The entry stream errors too when the archive is cut short; the extract's error reports it.
      body.on('error', () => {});
      handle(h, body).then(
        () => next(),
        (err: unknown) => fail(err),
      );
    });
    extract.on('finish', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!failed) resolve();
    });
    extract.on('error', fail);
    plain.stream.on('error', fail);
    plain.stream.pipe(extract);
  });

  // Directory times last: writing their children changed them.
  // lutimes: a later entry may have replaced the directory with a symlink.
  for (const d of dirTimes.reverse()) await fsp.lutimes(d.path, d.mtime, d.mtime);
  return { diffId: hasherDigest(hasher), size };
}

/** An existing entry is replaced, except a directory by a directory (metadata is then updated). */
async function clearFor(path: string, h: Header): Promise<void> {
  let st;
  try {
    st = await fsp.lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (st.isDirectory() && h.type === 'directory') return;
  if (h.type === 'link' && h.linkname !== undefined && h.linkname !== null) {
    // A hardlink to itself is left alone (Docker does the same).
    const self = cleanEntryName(h.name).join('/');
    if (cleanEntryName(h.linkname).join('/') === self) return;
  }
  await fsp.rm(path, { recursive: true, force: true });
}

async function hardlinkTarget(dest: string, linkname: string): Promise<string> {
  let components: string[];
  try {
    components = cleanEntryName(linkname);
  } catch {
    throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target is outside the layer`);
  }
  if (components.length === 0) throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target is the layer root`);
  const { path } = await entryPath(dest, components, false).catch(() => {
    throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target does not exist in the layer`);
  });
  try {
    const st = await fsp.lstat(path);
    if (st.isDirectory()) throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target is a directory`);
  } catch (err) {
    if (isEngineError(err)) throw err;
    throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target does not exist in the layer`);
  }
  return path;
}

/** `.wh.<name>` becomes a 0/0 character device; `.wh..wh..opq` marks its directory opaque. */
async function whiteout(dest: string, components: string[], deps: UnpackDeps, h: Header): Promise<void> {
  const base = components[components.length - 1] ?? '';
  const dir = await resolveDirInRoot(dest, components.slice(0, -1), true);
  if (base === OPAQUE) {
    await deps.setXattr(dir, 'trusted.overlay.opaque', 'y');
    return;
  }
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return; // aufs bookkeeping: no meaning for overlay
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') throw invalidParameter(`invalid whiteout entry ${JSON.stringify(h.name)}`);
  const path = join(dir, name);
  await fsp.rm(path, { recursive: true, force: true });
  await deps.special.mknod(path, 'c', 0, 0, 0);
  if (isRoot()) await fsp.lchown(path, h.uid ?? 0, h.gid ?? 0);
}

async function applyMetadata(path: string, h: Header, xattrs: Xattrs | undefined, deps: UnpackDeps): Promise<void> {
  if (isRoot()) await fsp.lchown(path, h.uid ?? 0, h.gid ?? 0);
  // Decided by what is on disk, not the header: a hardlink may point at a symlink, and chmod and
  // setxattr(2) follow symlinks (to the host's files, since absolute targets aren't re-rooted here).
  const symlink = (await fsp.lstat(path)).isSymbolicLink();
  if (xattrs && !symlink) {
    // setxattr(2) follows symlinks, so symlinks get none (rarely meaningful anyway).
    for (const [name, value] of xattrs) {
      try {
        await deps.setXattr(path, name, value);
      } catch (err) {
        const code = errnoCode(err);
        if (code !== 'ENOTSUP' && code !== 'EPERM' && code !== 'EOPNOTSUPP') throw err;
      }
    }
  }
  // chmod after chown: chown clears setuid/setgid bits.
  if (!symlink) await fsp.chmod(path, (h.mode ?? 0o644) & 0o7777);
  if (h.type !== 'directory') {
    const t = h.mtime ?? new Date(0);
    await fsp.lutimes(path, t, t);
  }
}

async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  let off = 0;
  while (off < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}

function ignoreCode(code: string) {
  return (err: unknown) => {
    if (errnoCode(err) !== code) throw err;
  };
}
