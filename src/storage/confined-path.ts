import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, invalidParameter } from '../base/engine-error.js';

/**
 * Path handling for unpacking untrusted tars: nothing may be written outside the layer root.
 *
 * Entry names are cleaned lexically (a leading "/" is dropped, "." and ".." folded); a relative
 * name whose ".." climbs above the root is rejected. Parent directories are then resolved inside
 * the root the way a chroot would: symlinks met on the way are followed, absolute targets are
 * re-rooted at the layer root, and ".." stops at the root. The final component is never followed.
 * The layer directory is private to the unpacker while it is being written, so these lstat-based
 * checks cannot race with anyone.
 */
const MAX_SYMLINK_HOPS = 40;

/** The components of a tar entry name, or InvalidParameter if it escapes. "" or "." gives []. */
export function cleanEntryName(name: string): string[] {
  const absolute = name.startsWith('/');
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) {
        if (absolute) continue; // "/.." is "/"
        throw invalidParameter(`invalid tar entry ${JSON.stringify(name)}: path escapes the layer`);
      }
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

/**
 * The host path of the directory `components` names inside `root`, with every symlink resolved
 * inside the root. With `create`, missing directories are made (0755, as Docker does).
 */
export async function resolveDirInRoot(root: string, components: readonly string[], create: boolean, cache?: ResolvedDirs): Promise<string> {
  const key = components.join('/');
  const known = cache?.get(key);
  if (known !== undefined) return known;
  const dir = await resolveDirUncached(root, components, create);
  cache?.set(key, dir);
  return dir;
}

/**
 * Directories already resolved during one unpack, by entry-name prefix. Only real directories are
 * cached, and a resolution holds until something in the tree is removed or replaced: the owner
 * clears the cache then (see tar-unpack.ts), so a later symlink cannot be walked around.
 */
export type ResolvedDirs = Map<string, string>;

async function resolveDirUncached(root: string, components: readonly string[], create: boolean): Promise<string> {
  const queue = [...components];
  let resolved: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.shift() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const p = join(root, ...resolved, c);
    let st;
    try {
      st = await fsp.lstat(p);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || !create) throw err;
      await fsp.mkdir(p, { mode: 0o755 });
      resolved.push(c);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) throw invalidParameter(`too many levels of symbolic links in ${components.join('/')}`);
      const target = await fsp.readlink(p);
      if (target.startsWith('/')) resolved = [];
      queue.unshift(...target.split('/'));
      continue;
    }
    if (!st.isDirectory()) {
      throw invalidParameter(`invalid tar entry: ${[...resolved, c].join('/')} is not a directory`);
    }
    resolved.push(c);
  }
  return join(root, ...resolved);
}

/** Parent directory (resolved, created if needed) and host path of an entry; the last component is not followed. */
export async function entryPath(
  root: string,
  components: readonly string[],
  create = true,
  cache?: ResolvedDirs,
): Promise<{ dir: string; path: string; base: string }> {
  const base = components[components.length - 1];
  if (base === undefined) return { dir: root, path: root, base: '' };
  const dir = await resolveDirInRoot(root, components.slice(0, -1), create, cache);
  return { dir, path: join(dir, base), base };
}
