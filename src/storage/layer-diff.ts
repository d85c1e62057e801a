import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { getAttribute, listAttributes } from 'fs-xattr';
import { errnoCode } from '../base/engine-error.js';
import type { TarEntry } from './layer-diff-tar.js';
import { isWhiteout, opaqueMarkerEntry, tarEntryOf, whiteoutEntry } from './tar-entry-of.js';

/**
 * What a container changed: its overlay upper dir read against the image's layer dirs.
 * Overlay whiteouts (0/0 character devices) become `.wh.<name>` entries, opaque directories
 * (`trusted.overlay.opaque=y`) get a `.wh..wh..opq` entry, hardlinks within the layer become
 * link entries. Used for RUN steps, `docker commit` and `docker diff`.
 */
export interface UpperChange {
  /** Relative path, slash-separated. */
  path: string;
  kind: 'A' | 'C' | 'D';
  entry?: TarEntry;
  /** The directory is opaque: nothing below it in the lower layers shows through. */
  opaque?: boolean;
}

export interface DiffFs {
  /** xattrs to keep in the layer (security.capability, user.*); trusted.* is overlay's own bookkeeping. */
  xattrs(path: string): Promise<Map<string, Buffer>>;
  opaque(path: string): Promise<boolean>;
}

const keptXattr = (name: string) => name === 'security.capability' || name.startsWith('user.');

export const realDiffFs: DiffFs = {
  async xattrs(path) {
    const out = new Map<string, Buffer>();
    let names: string[];
    try {
      names = await listAttributes(path);
    } catch {
      return out;
    }
    for (const n of names.filter(keptXattr)) {
      try {
        out.set(n, await getAttribute(path, n));
      } catch {
        // removed meanwhile
      }
    }
    return out;
  },
  async opaque(path) {
    try {
      return (await getAttribute(path, 'trusted.overlay.opaque')).toString() === 'y';
    } catch {
      return false;
    }
  },
};

/**
 * Paths the runtime makes inside every container (Docker keeps them in its "init layer" under
 * the rw layer): mount points and bind-mounted /etc files. They never belong in a commit.
 */
const INIT_PATHS = new Set(['dev', 'proc', 'sys', '.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab']);

/** lstat of `rel` in the merged lower layers (top first), or undefined when absent or whited out. */
export async function lowerStat(lowers: readonly string[], rel: string): Promise<Stats | undefined> {
  for (const dir of lowers) {
    try {
      const st = await fsp.lstat(join(dir, rel));
      return isWhiteout(st) ? undefined : st;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
  }
  return undefined;
}

/**
 * Walks `upper` in byte order of names (as Go's filepath.Walk) and returns the changes with
 * their tar entries, parents before children. Directories that only exist in the upper dir as
 * parents of runtime-made paths, with unchanged metadata, are left out.
 */
export async function upperChanges(
  upper: string,
  lowers: readonly string[],
  fs: DiffFs = realDiffFs,
  /**
   * How the lowers' owners read in the upper dir: a remapped container's upper holds host ids
   * (root is 100000) over the image's own layers, so its untouched /etc would otherwise differ.
   */
  lowerIds?: { uid(id: number): number; gid(id: number): number },
): Promise<UpperChange[]> {
  const out: UpperChange[] = [];
  const inodes = new Map<string, string>();

  const walk = async (rel: string): Promise<boolean> => {
    let names: string[];
    try {
      names = await fsp.readdir(join(upper, rel));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    let any = false;
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (INIT_PATHS.has(path)) continue;
      const host = join(upper, path);
      const st = await fsp.lstat(host);
      if (isWhiteout(st)) {
        out.push({ path, kind: 'D', entry: whiteoutEntry(path, st) });
        any = true;
        continue;
      }
      const entry = await tarEntryOf(path, host, st, fs, inodes);
      if (!entry) continue; // sockets: tar has no way to say them, Docker skips them too
      const lower = await lowerStat(lowers, path);
      const change: UpperChange = { path, kind: lower ? 'C' : 'A', entry };
      if (entry.type === 'directory') {
        const opaque = await fs.opaque(host);
        const at = out.length;
        out.push(change);
        if (opaque) {
          change.opaque = true;
          out.push({ path: `${path}/.wh..wh..opq`, kind: 'C', entry: opaqueMarkerEntry(entry) });
        }
        const childChanged = await walk(path);
        const own = !lower || opaque || !lower.isDirectory() || lower.mode !== st.mode || (lowerIds?.uid(lower.uid) ?? lower.uid) !== st.uid || (lowerIds?.gid(lower.gid) ?? lower.gid) !== st.gid;
        if (!childChanged && !own) {
          out.splice(at);
          continue;
        }
        any = true;
        continue;
      }
      out.push(change);
      any = true;
    }
    return any;
  };

  await walk('');
  return out;
}

/** Docker's `GET /containers/{id}/changes` kinds: 0 modified, 1 added, 2 deleted. */
export const CHANGE_KIND = { C: 0, A: 1, D: 2 } as const;

/** The `docker diff` list: one row per changed path, sorted by path, without whiteout markers. */
export function changeList(changes: readonly UpperChange[]): Array<{ Path: string; Kind: number }> {
  return changes
    .filter((c) => !c.path.endsWith('/.wh..wh..opq'))
    .map((c) => ({ Path: `/${c.path}`, Kind: CHANGE_KIND[c.kind] }))
    .sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
