import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Digest } from '../base/digest.js';
import { errnoCode, invalidParameter, isEngineError } from '../base/engine-error.js';
import { streamHasher, type StreamHasher } from '../sys/hash-thread.js';
import { cleanEntryName, entryPath, resolveDirInRoot, type ResolvedDirs } from './confined-path.js';
import { PaxXattrTracker, type Xattrs } from './pax-xattrs.js';
import type { SpecialFileMaker } from './special-files.js';
import { openPlainTar } from './tar-source.js';
import type { TarSplitRecorder } from './tar-split.js';
import { WriteBehind } from './write-behind.js';
import { creationMode, modeIsDefault, ownerIsDefault, processCreationDefaults } from './creation-defaults.js';

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
  const hasher = streamHasher();
  try {
    return await unpackHashed(input, dest, deps, hasher, signal, recorder);
  } finally {
    hasher.release();
  }
}

async function unpackHashed(
  input: Readable,
  dest: string,
  deps: UnpackDeps,
  hasher: StreamHasher,
  signal?: AbortSignal,
  recorder?: TarSplitRecorder,
): Promise<UnpackResult> {
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
  // `dest` starts empty and only this walk writes to it: parents resolved once stay valid until
  // something is removed, which clears the cache.
  const dirs: ResolvedDirs = new Map();
  const behind = new WriteBehind(FILES_BEHIND, BYTES_BEHIND);
  const replace = (path: string, h: Header) => clearFor(path, h, dirs);
  const defaults = processCreationDefaults();
  // Directories whose mode has the setgid bit: what is created in them takes their group.
  const setgidDirs = new Set<string>();
  if ((await fsp.stat(dest)).mode & 0o2000) setgidDirs.add(dest);
  /** Which of owner and mode a just-created entry in `dir` already has. */
  const asCreated = (h: Header, dir: string): Preset => ({
    owner: ownerIsDefault(defaults, h.uid ?? 0, h.gid ?? 0, setgidDirs.has(dir)),
    mode: modeIsDefault(defaults, entryMode(h)),
  });

  const handle = async (h: Header, body: Body): Promise<void> => {
    behind.throwIfFailed();
    const components = cleanEntryName(h.name);
    const xattrs = pax.take(h.byteOffset);
    const base = components[components.length - 1] ?? '';
    if (base.startsWith(WHITEOUT_PREFIX)) {
      body.resume();
      dirs.clear();
      return whiteout(dest, components, deps, h);
    }
    const { dir, path } = await entryPath(dest, components, true, dirs);
    let preset: Preset = NOTHING_PRESET;

    switch (h.type) {
      case 'directory':
        // A directory kept for a directory (or the root) gets all its metadata applied.
        if (path !== dest && (await createOrReplace(path, h, replace, () => fsp.mkdir(path, { mode: creationMode(entryMode(h)) }).then(() => true)))) {
          preset = asCreated(h, dir);
        }
        break;
      case 'file':
      case 'contiguous-file': {
        // O_EXCL|O_NOFOLLOW: only a new file is opened; whatever was there is removed first.
        const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
        const fh = (await createOrReplace(path, h, replace, () => fsp.open(path, flags, creationMode(entryMode(h))))) as FileHandle;
        let tail: Uint8Array[];
        try {
          tail = await writeBodyButTail(fh, body);
        } catch (err) {
          await fh.close();
          throw err;
        }
        size += h.size ?? 0;
        recorder?.fileAt(h.byteOffset, components.join('/'));
        const finished = finishFile(fh, tail, h, asCreated(h, dir));
        // xattrs are set by path, so that file is finished before a later entry may replace it.
        if (xattrs) {
          await finished;
          await setXattrs(path, xattrs, deps);
        } else {
          await behind.add(finished, tail.reduce((n, c) => n + c.length, 0));
        }
        return;
      }
      case 'symlink':
        await createOrReplace(path, h, replace, () => fsp.symlink(h.linkname ?? '', path));
        preset = asCreated(h, dir);
        break;
      case 'link': {
        const target = await hardlinkTarget(dest, h.linkname ?? '', dirs);
        if (target !== path) await createOrReplace(path, h, replace, () => fsp.link(target, path));
        // No metadata: the inode already has its own, and chown would strip its security.capability.
        body.resume();
        return;
      }
      case 'character-device':
      case 'block-device':
        await replace(path, h);
        await deps.special.mknod(path, h.type === 'character-device' ? 'c' : 'b', h.devmajor ?? 0, h.devminor ?? 0, h.mode ?? 0o600);
        break;
      case 'fifo':
        await replace(path, h);
        await deps.special.mkfifo(path, h.mode ?? 0o600);
        break;
      default:
        body.resume();
        return;
    }
    body.resume();
    await applyMetadata(path, h, xattrs, deps, preset);
    if (h.type === 'directory') {
      dirTimes.push({ path, mtime: h.mtime ?? new Date(0) });
      if (entryMode(h) & 0o2000) setgidDirs.add(path);
      else setgidDirs.delete(path);
    }
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
      reject(unpackError(e));
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
  }).catch(async (err: unknown) => {
    // Files still being finished hold descriptors into `dest`: let them close before the caller removes it.
    await behind.settle().catch(() => {});
    throw err;
  });
  await behind.settle().catch((err: unknown) => {
    throw unpackError(err instanceof Error ? err : new Error(String(err)));
  });

  // Directory times last: writing their children changed them.
  // lutimes: a later entry may have replaced the directory with a symlink.
  for (const d of dirTimes.reverse()) await fsp.lutimes(d.path, d.mtime, d.mtime);
  return { diffId: await hasher.digest(), size };
}

/** Engine errors and aborts as they are; anything else (a bad archive, a failed write) is a 400. */
const unpackError = (e: Error): Error => (isEngineError(e) || e.name === 'AbortError' ? e : invalidParameter(`failed to unpack layer: ${e.message}`, e));

/**
 * An existing entry is replaced, except a directory by a directory (metadata is then updated) and
 * a hardlink by itself. Returns whether the path is now free.
 */
async function clearFor(path: string, h: Header, dirs: ResolvedDirs): Promise<boolean> {
  let st;
  try {
    st = await fsp.lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return true;
    throw err;
  }
  if (st.isDirectory() && h.type === 'directory') return false;
  if (h.type === 'link' && h.linkname !== undefined && h.linkname !== null) {
    // A hardlink to itself is left alone (Docker does the same).
    const self = cleanEntryName(h.name).join('/');
    if (cleanEntryName(h.linkname).join('/') === self) return false;
  }
  dirs.clear();
  await fsp.rm(path, { recursive: true, force: true });
  return true;
}

/**
 * Creates the entry, assuming the path is free (it nearly always is: `dest` started empty); when
 * it is not (EEXIST, whatever is there, symlinks included, is never followed), replaces it.
 */
async function createOrReplace<T>(path: string, h: Header, replace: (path: string, h: Header) => Promise<boolean>, create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  if (!(await replace(path, h))) return undefined;
  return create();
}

async function hardlinkTarget(dest: string, linkname: string, dirs: ResolvedDirs): Promise<string> {
  let components: string[];
  try {
    components = cleanEntryName(linkname);
  } catch {
    throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target is outside the layer`);
  }
  if (components.length === 0) throw invalidParameter(`invalid hardlink ${JSON.stringify(linkname)}: target is the layer root`);
  const { path } = await entryPath(dest, components, false, dirs).catch(() => {
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

/** What creating an entry already got right (see creation-defaults.ts). */
interface Preset {
  owner: boolean;
  mode: boolean;
}
const NOTHING_PRESET: Preset = { owner: false, mode: false };

const entryMode = (h: Header): number => (h.mode ?? 0o644) & 0o7777;

/** Owner, xattrs, mode and time of a directory, symlink or special file this walk just made. */
async function applyMetadata(path: string, h: Header, xattrs: Xattrs | undefined, deps: UnpackDeps, preset: Preset): Promise<void> {
  if (isRoot() && !preset.owner) await fsp.lchown(path, h.uid ?? 0, h.gid ?? 0);
  // The entry's type is what is on disk: the walk created it (or kept a directory for a directory).
  // chmod and setxattr(2) follow symlinks, so symlinks get neither.
  const symlink = h.type === 'symlink';
  if (xattrs && !symlink) await setXattrs(path, xattrs, deps);
  const t = h.mtime ?? new Date(0);
  await Promise.all([
    // chmod after chown: chown clears setuid/setgid bits.
    symlink || preset.mode ? undefined : fsp.chmod(path, entryMode(h)),
    // Directories get their times at the end: writing their children changes them.
    h.type === 'directory' ? undefined : fsp.lutimes(path, t, t),
  ]);
}

async function setXattrs(path: string, xattrs: Xattrs, deps: UnpackDeps): Promise<void> {
  for (const [name, value] of xattrs) {
    try {
      await deps.setXattr(path, name, value);
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOTSUP' && code !== 'EPERM' && code !== 'EOPNOTSUPP') throw err;
    }
  }
}

/**
 * The rest of a regular file after its body was read: the last bytes written, then owner, mode and
 * time through the descriptor (the path may already name a later entry), then closed.
 */
async function finishFile(fh: FileHandle, tail: Uint8Array[], h: Header, preset: Preset): Promise<void> {
  try {
    if (tail.length > 0) await writeChunks(fh, tail);
    if (isRoot() && !preset.owner) await fh.chown(h.uid ?? 0, h.gid ?? 0);
    const t = h.mtime ?? new Date(0);
    // chmod after chown (chown clears setuid/setgid bits); the time after the last write.
    await Promise.all([preset.mode ? undefined : fh.chmod(entryMode(h)), fh.utimes(t, t)]);
  } finally {
    await fh.close();
  }
}

/** Bytes of a file's content gathered for one writev: one thread-pool round trip, not one per chunk. */
const WRITE_BATCH = 4 * 1024 * 1024;
/** Files finished behind the walk at once, and the bytes they may hold. */
const FILES_BEHIND = 8;
const BYTES_BEHIND = 16 * 1024 * 1024;

/** Reads a file's body, writing it in batches as it comes; returns the last batch, not yet written. */
async function writeBodyButTail(fh: FileHandle, body: Body): Promise<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  let batched = 0;
  for await (const chunk of body) {
    const c = chunk as Uint8Array;
    batch.push(c);
    batched += c.length;
    if (batched >= WRITE_BATCH) {
      await writeChunks(fh, batch);
      batch = [];
      batched = 0;
    }
  }
  return batch;
}

async function writeChunks(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  const { bytesWritten } = await fh.writev(chunks);
  // A short write (a full disk answers with one before ENOSPC): write the rest chunk by chunk.
  let skip = bytesWritten;
  for (const c of chunks) {
    if (skip >= c.length) {
      skip -= c.length;
      continue;
    }
    await writeAll(fh, c.subarray(skip));
    skip = 0;
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
