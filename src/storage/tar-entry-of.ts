import { promises as fsp, type Stats } from 'node:fs';
import type { TarEntry } from './layer-diff-tar.js';

/**
 * From a file of an overlay-form layer directory to its OCI tar entry: shared by the upper-dir
 * diff (RUN, commit, diff) and the layer packer (push, save), which must agree byte for byte.
 */

/** The xattrs a layer keeps for a path (see DiffFs in layer-diff.ts). */
export interface XattrReader {
  xattrs(path: string): Promise<Map<string, Buffer>>;
}

/** An overlay whiteout: a 0/0 character device. */
export const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

const major = (rdev: number) => ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff);
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >> 12) & ~0xff);

function typeOf(st: Stats): TarEntry['type'] | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return undefined;
}

/** `.wh.<name>` beside the path an overlay whiteout hides. */
export function whiteoutEntry(path: string, st: Stats): TarEntry {
  const slash = path.lastIndexOf('/');
  const name = `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
  return { name, type: 'file', mode: 0, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000), size: 0 };
}

/** The `.wh..wh..opq` marker inside an opaque directory. */
export function opaqueMarkerEntry(dir: TarEntry): TarEntry {
  return { name: `${dir.name}/.wh..wh..opq`, type: 'file', mode: dir.mode & 0o777, uid: dir.uid, gid: dir.gid, mtime: dir.mtime, size: 0 };
}

/**
 * The entry for a non-whiteout path, or undefined for what tar cannot say (sockets; Docker skips
 * them too). A file whose inode was already seen (`inodes`: dev:ino → first path) becomes a
 * hardlink entry without xattrs: they belong to the first entry only.
 */
export async function tarEntryOf(path: string, host: string, st: Stats, fs: XattrReader, inodes: Map<string, string>): Promise<TarEntry | undefined> {
  const type = typeOf(st);
  if (!type) return undefined;
  const entry: TarEntry = { name: path, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
  if (type === 'symlink') entry.linkname = await fsp.readlink(host);
  if (type === 'character-device' || type === 'block-device') {
    entry.devmajor = major(st.rdev);
    entry.devminor = minor(st.rdev);
  }
  if (type !== 'symlink') {
    const x = await fs.xattrs(host);
    if (x.size > 0) entry.xattrs = x;
  }
  if (type === 'file') {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? inodes.get(key) : undefined;
    if (first !== undefined) {
      entry.type = 'link';
      entry.linkname = first;
      delete entry.xattrs;
    } else {
      if (st.nlink > 1) inodes.set(key, path);
      entry.size = st.size;
      entry.source = host;
    }
  }
  return entry;
}
