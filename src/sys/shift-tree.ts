import { constants, promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { getAttribute, listAttributes, setAttribute } from 'fs-xattr';
import { spawnSpecialFileMaker, type SpecialFileMaker } from '../storage/special-files.js';
import { shiftCapabilityXattr } from '../storage/file-caps.js';
import type { IdShift } from '../container/id-mapping.js';

/** Linux's dev_t split (glibc's gnu_dev_major/minor). */
const major = (rdev: number) => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number) => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

async function copyXattrs(from: string, to: string, shift: IdShift): Promise<void> {
  let names: string[];
  try {
    names = await listAttributes(from);
  } catch {
    return;
  }
  for (const n of names) {
    // trusted.overlay.opaque must survive: it is what makes a directory hide the layers below.
    let value = await getAttribute(from, n);
    if (n === 'security.capability') value = shiftCapabilityXattr(value, (r) => shift.capRoot(r));
    await setAttribute(to, n, value);
  }
}

async function applyMeta(from: string, to: string, st: Stats, shift: IdShift): Promise<void> {
  await fsp.lchown(to, shift.uid(st.uid), shift.gid(st.gid));
  if (!st.isSymbolicLink()) {
    // After chown, which clears set-id bits and security.capability.
    await fsp.chmod(to, st.mode & 0o7777);
    await copyXattrs(from, to, shift);
  }
  await fsp.lutimes(to, st.atime, st.mtime);
}

/**
 * Copies the tree at `src` (a layer's diff directory, in overlay form) to `dst` with every owner
 * shifted: content, modes, times, hard links, symlinks, devices and whiteouts (0/0 character
 * devices), fifos, and xattrs (opaque markers, file capabilities made namespaced). `dst` must
 * not exist. One spawn per device node or fifo (Node has no mknod); they are rare in layers.
 */
export async function copyShiftedTree(src: string, dst: string, shift: IdShift, special: SpecialFileMaker = spawnSpecialFileMaker): Promise<void> {
  const links = new Map<string, string>();
  const dirTimes: Array<{ path: string; st: Stats }> = [];

  const copyEntry = async (s: string, d: string, st: Stats): Promise<void> => {
    if (st.isDirectory()) {
      await fsp.mkdir(d, { mode: 0o700 });
      for (const name of await fsp.readdir(s)) {
        const cs = join(s, name);
        await copyEntry(cs, join(d, name), await fsp.lstat(cs));
      }
      await applyMeta(s, d, st, shift);
      dirTimes.push({ path: d, st }); // children changed its mtime: set again at the end
      return;
    }
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        await fsp.link(first, d);
        return;
      }
      links.set(key, d);
    }
    if (st.isFile()) await fsp.copyFile(s, d, constants.COPYFILE_FICLONE);
    else if (st.isSymbolicLink()) await fsp.symlink(await fsp.readlink(s), d);
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await special.mknod(d, st.isCharacterDevice() ? 'c' : 'b', major(st.rdev), minor(st.rdev), st.mode);
    } else if (st.isFIFO()) await special.mkfifo(d, st.mode);
    else return; // sockets mean nothing in an image
    await applyMeta(s, d, st, shift);
  };

  await copyEntry(src, dst, await fsp.lstat(src));
  for (const { path, st } of dirTimes.reverse()) await fsp.utimes(path, st.atime, st.mtime);
}

/**
 * Gives a directory (not its content) to the container's root when it is still the host root's
 * and empty: a fresh upper dir or volume. A directory with content keeps its owner (a volume
 * another container filled, a copy-up that already carried the image's shifted owner).
 */
export async function chownIfFresh(path: string, uid: number, gid: number): Promise<boolean> {
  const st = await fsp.lstat(path);
  if (!st.isDirectory() || st.uid !== 0 || st.gid !== 0) return false;
  if ((await fsp.readdir(path)).length > 0) return false;
  await fsp.lchown(path, uid, gid);
  return true;
}

/** Gives a directory (not its content) to the container's root: its overlay upper dir. */
export async function chownTop(path: string, uid: number, gid: number): Promise<void> {
  await fsp.lchown(path, uid, gid);
}
