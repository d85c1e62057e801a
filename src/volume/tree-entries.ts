import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { getAttribute, listAttributes } from 'fs-xattr';
import type { TarEntry } from '../storage/layer-diff-tar.js';

/**
 * The tar entries of a host file tree, for `docker cp` out of a container and `docker export`.
 * Names are `prefix` + the path below `hostRoot`, parents before children, names in byte order;
 * hardlinks inside the tree become link entries; xattrs kept are security.capability and user.*.
 * Symlinks are never followed (the tree is the container's, its links mean the container's paths).
 */
const keptXattr = (n: string) => n === 'security.capability' || n.startsWith('user.');

async function xattrsOf(path: string): Promise<Map<string, Buffer> | undefined> {
  let names: string[];
  try {
    names = (await listAttributes(path)).filter(keptXattr);
  } catch {
    return undefined;
  }
  if (names.length === 0) return undefined;
  const out = new Map<string, Buffer>();
  for (const n of names) {
    try {
      out.set(n, await getAttribute(path, n));
    } catch {
      // removed meanwhile
    }
  }
  return out.size > 0 ? out : undefined;
}

const major = (rdev: number) => ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff);
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >> 12) & ~0xff);

async function entryOf(host: string, name: string, st: Stats): Promise<TarEntry | undefined> {
  const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
  if (st.isDirectory()) return { ...base, type: 'directory', xattrs: await xattrsOf(host) };
  if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkname: await fsp.readlink(host) };
  if (st.isFile()) return { ...base, type: 'file', size: st.size, source: host, xattrs: await xattrsOf(host) };
  if (st.isFIFO()) return { ...base, type: 'fifo' };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) };
  }
  return undefined; // sockets: tar cannot say them
}

export async function* treeEntries(hostRoot: string, prefix: string, opts: { skipRoot?: boolean; followRoot?: boolean } = {}): AsyncGenerator<TarEntry> {
  const links = new Map<string, string>();
  async function* walk(host: string, name: string, root: boolean): AsyncGenerator<TarEntry> {
    // The root may be a magic link (/proc/<pid>/root): it is the tree, not a link in it.
    const st = root && opts.followRoot ? await fsp.stat(host) : await fsp.lstat(host);
    const e = await entryOf(host, name, st);
    if (!e) return;
    if (e.type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        yield { ...e, type: 'link', linkname: first, size: 0, source: undefined, xattrs: undefined };
        return;
      }
      links.set(key, name);
    }
    if (!(root && opts.skipRoot)) yield e;
    if (e.type !== 'directory') return;
    let names: string[];
    try {
      names = await fsp.readdir(host);
    } catch {
      return;
    }
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const n of names) yield* walk(join(host, n), name === '' ? n : `${name}/${n}`, false);
  }
  yield* walk(hostRoot, prefix, true);
}
