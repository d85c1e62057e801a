import { promises as fsp, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { getAttribute } from 'fs-xattr';
import { errnoCode } from '../base/engine-error.js';

/**
 * A read-only merged view of overlay layer dirs (top first), as a container would see them:
 * whiteouts hide what is below, opaque directories hide lower contents. The build context is the
 * one-layer case. Used to pick COPY sources and to look at the image a step builds on.
 */
export interface Found {
  stat: Stats;
  /** Host path of the entry in the layer that provides it. */
  host: string;
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

async function isOpaque(path: string): Promise<boolean> {
  try {
    return (await getAttribute(path, 'trusted.overlay.opaque')).toString() === 'y';
  } catch {
    return false;
  }
}

export class LayeredFs {
  constructor(readonly dirs: readonly string[]) {}

  /** lstat of a relative path (no symlinks followed), or undefined when absent. */
  async lstat(rel: string): Promise<Found | undefined> {
    const clean = cleanRel(rel);
    if (clean === '') {
      const top = this.dirs[0];
      if (top === undefined) return undefined;
      return { stat: await fsp.lstat(top), host: top };
    }
    const parts = clean.split('/');
    for (const dir of this.dirs) {
      const host = join(dir, clean);
      try {
        const st = await fsp.lstat(host);
        return isWhiteout(st) ? undefined : { stat: st, host };
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
      }
      // An opaque parent or a whiteout of a parent in this layer hides the layers below.
      if (await this.hiddenBelow(dir, parts)) return undefined;
    }
    return undefined;
  }

  private async hiddenBelow(dir: string, parts: string[]): Promise<boolean> {
    for (let i = parts.length - 1; i >= 1; i--) {
      const p = join(dir, ...parts.slice(0, i));
      try {
        const st = await fsp.lstat(p);
        if (isWhiteout(st) || !st.isDirectory()) return true;
        if (await isOpaque(p)) return true;
      } catch {
        continue;
      }
    }
    return false;
  }

  /** Names in a directory of the merged view, sorted. */
  async readdir(rel: string): Promise<string[]> {
    const clean = cleanRel(rel);
    const names = new Set<string>();
    const hidden = new Set<string>();
    for (const dir of this.dirs) {
      const host = clean === '' ? dir : join(dir, clean);
      let st: Stats;
      try {
        st = await fsp.lstat(host);
      } catch {
        continue;
      }
      if (!st.isDirectory()) break;
      for (const n of await fsp.readdir(host)) {
        if (names.has(n) || hidden.has(n)) continue;
        const cst = await fsp.lstat(join(host, n));
        if (isWhiteout(cst)) hidden.add(n);
        else names.add(n);
      }
      if (clean !== '' && (await isOpaque(host))) break;
    }
    return [...names].sort();
  }

  /**
   * Resolves symlinks in every component but the last, inside this root (absolute targets are
   * re-rooted, `..` stops at the root), as Docker's FollowSymlinkInScope does for COPY targets.
   */
  async resolveParents(path: string): Promise<string> {
    const parts = cleanRel(path).split('/').filter(Boolean);
    const last = parts.pop();
    let resolved: string[] = [];
    const queue = [...parts];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift() as string;
      if (c === '.' || c === '') continue;
      if (c === '..') {
        resolved.pop();
        continue;
      }
      const found = await this.lstat([...resolved, c].join('/'));
      if (found?.stat.isSymbolicLink() && hops++ < 40) {
        const target = await fsp.readlink(found.host);
        if (target.startsWith('/')) resolved = [];
        queue.unshift(...target.split('/'));
        continue;
      }
      resolved.push(c);
    }
    return [...resolved, ...(last === undefined ? [] : [last])].join('/');
  }
}

/** "/a/./b/" → "a/b"; "" for the root. */
export function cleanRel(p: string): string {
  const n = posix.normalize(`/${p}`);
  return n === '/' ? '' : n.replace(/^\/+/, '').replace(/\/+$/, '');
}
