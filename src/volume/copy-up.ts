import { constants, promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { getAttribute, listAttributes, setAttribute } from 'fs-xattr';
import { errnoCode } from '../base/engine-error.js';

/**
 * Copy-up: a fresh (empty) volume mounted over a directory of the image gets that directory's
 * content, owners, modes, times and xattrs, as Docker does at the first mount. The container's
 * root is not mounted yet at that point, so the directory is read from the overlay's layers
 * (upper first): whiteouts hide entries, opaque directories hide the layers below them.
 */
const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

async function isOpaque(p: string): Promise<boolean> {
  try {
    return (await getAttribute(p, 'trusted.overlay.opaque')).toString() === 'y';
  } catch {
    return false;
  }
}

/** The layer dirs in which `rel` is a visible directory, top first (stops at an opaque one). */
async function mergedDirs(layers: readonly string[], rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const layer of layers) {
    const p = join(layer, rel);
    const st = await lstatOrUndefined(p);
    if (st === undefined) continue;
    if (!st.isDirectory()) break; // a file or a whiteout here hides everything below
    out.push(p);
    if (await isOpaque(p)) break;
  }
  return out;
}

async function copyXattrs(from: string, to: string): Promise<void> {
  let names: string[];
  try {
    names = await listAttributes(from);
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith('trusted.overlay.')) continue;
    try {
      await setAttribute(to, n, await getAttribute(from, n));
    } catch {
      // the volume's filesystem may not take it; content matters more
    }
  }
}

async function applyMeta(from: string, to: string, st: Stats): Promise<void> {
  await fsp.lchown(to, st.uid, st.gid);
  if (!st.isSymbolicLink()) {
    await copyXattrs(from, to);
    await fsp.chmod(to, st.mode & 0o7777); // after chown, which clears set-id bits
  }
  await fsp.lutimes(to, st.atime, st.mtime);
}

/** Returns whether anything was found to copy (the image has a directory at `rel`). */
export async function copyUp(layers: readonly string[], rel: string, target: string): Promise<boolean> {
  const top = await mergedDirs(layers, rel);
  const first = top[0];
  if (first === undefined) return false;
  const links = new Map<string, string>();

  const copyDir = async (dirs: string[], to: string): Promise<void> => {
    const seen = new Set<string>();
    for (const dir of dirs) {
      for (const name of await fsp.readdir(dir)) {
        if (seen.has(name)) continue;
        seen.add(name);
        const from = join(dir, name);
        const st = await fsp.lstat(from);
        if (isWhiteout(st)) continue;
        const dest = join(to, name);
        if (st.isDirectory()) {
          await fsp.mkdir(dest, { mode: 0o700 });
          const below = dirs.slice(dirs.indexOf(dir) + 1);
          const sub = [from];
          if (!(await isOpaque(from))) {
            for (const d of below) {
              const s = await lstatOrUndefined(join(d, name));
              if (!s || !s.isDirectory()) break;
              sub.push(join(d, name));
              if (await isOpaque(join(d, name))) break;
            }
          }
          await copyDir(sub, dest);
          await applyMeta(from, dest, st);
          continue;
        }
        if (st.isFile()) {
          const key = `${st.dev}:${st.ino}`;
          const prior = st.nlink > 1 ? links.get(key) : undefined;
          if (prior) {
            await fsp.link(prior, dest);
            continue;
          }
          await fsp.copyFile(from, dest, constants.COPYFILE_EXCL);
          if (st.nlink > 1) links.set(key, dest);
        } else if (st.isSymbolicLink()) {
          await fsp.symlink(await fsp.readlink(from), dest);
        } else {
          continue; // devices, fifos, sockets: Docker's copy-up keeps them, but images rarely put them under volumes
        }
        await applyMeta(from, dest, st);
      }
    }
  };

  await copyDir(top, target);
  // The volume's root takes the image directory's owner and mode (Docker's copyOwnership).
  const rootSt = await fsp.lstat(first);
  await fsp.chown(target, rootSt.uid, rootSt.gid);
  await fsp.chmod(target, rootSt.mode & 0o7777);
  return true;
}
