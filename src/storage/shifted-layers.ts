import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode, invalidParameter } from '../base/engine-error.js';
import { KeyedMutex } from '../base/keyed-mutex.js';

/** Copies one layer's diff dir to a new path with owners shifted (src/sys/shift-tree.ts). */
export type LayerShifter = (src: string, dst: string) => Promise<void>;

const TMP_MARK = '.tmp-';

/**
 * Ownership-shifted copies of image layers for one user-namespace mapping, at
 * `<root>/<mapping key>/<chainID hex>/diff` (root: `<data-root>/remap`, key: `<uid>.<gid>` of
 * the container's root, Docker's naming for its remapped subtree).
 *
 * Why copies: runc 1.1 cannot use idmapped mounts for the root filesystem, so a container whose
 * root is host uid 100000 must see files that are owned by 100000 on disk. Each layer is copied
 * once per mapping, lazily at the first start that needs it, and then shared by every container
 * on that mapping (overlay lower dirs are never written). A copy is made under a temporary name
 * and renamed into place when complete, so a crash leaves no half layer (see `cleanup`).
 */
export class ShiftedLayers {
  private readonly locks = new KeyedMutex();

  constructor(private readonly root: string) {}

  /** Where the copy of the layer whose diff dir is `lowerDir` lives for `key`. */
  pathFor(lowerDir: string, key: string): string {
    const layer = basename(dirname(lowerDir));
    if (!/^[0-9a-f]{64}$/.test(layer) || basename(lowerDir) !== 'diff') throw invalidParameter(`not a layer directory: ${lowerDir}`);
    if (!/^\d+\.\d+$/.test(key) && !/^[0-9a-z-]+$/.test(key)) throw invalidParameter(`invalid mapping key: ${key}`);
    return join(this.root, key, layer, 'diff');
  }

  /** The shifted lower dirs (same order as `lowerDirs`), copying the missing ones. */
  async dirsFor(lowerDirs: readonly string[], key: string, shift: LayerShifter): Promise<string[]> {
    const out: string[] = [];
    for (const lower of lowerDirs) {
      const target = this.pathFor(lower, key);
      await this.locks.run(target, () => this.ensure(lower, target, shift));
      out.push(target);
    }
    return out;
  }

  private async ensure(lower: string, target: string, shift: LayerShifter): Promise<void> {
    if (await exists(target)) return;
    const layerDir = dirname(target);
    const tmp = `${layerDir}${TMP_MARK}${randomBytes(6).toString('hex')}`;
    await fsp.mkdir(tmp, { recursive: true, mode: 0o700 });
    try {
      await shift(lower, join(tmp, 'diff'));
      try {
        await fsp.rename(tmp, layerDir);
      } catch (err) {
        // Another daemon run already completed the same copy: identical content.
        if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
      }
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  /** Drops every copy made for `key` (a --userns=auto container's private mapping, at rm). */
  async removeKey(key: string): Promise<void> {
    if (!/^\d+\.\d+$/.test(key)) throw invalidParameter(`invalid mapping key: ${key}`);
    await fsp.rm(join(this.root, key), { recursive: true, force: true });
  }

  /**
   * At startup: unfinished copies go, and so do copies of layers that no longer exist
   * (`liveLayers`: the chainID hexes the layer store knows) or of mappings not in `liveKeys`.
   */
  async cleanup(liveLayers: ReadonlySet<string>, liveKeys: ReadonlySet<string>): Promise<void> {
    for (const key of await list(this.root)) {
      const keyDir = join(this.root, key);
      if (!liveKeys.has(key)) {
        await fsp.rm(keyDir, { recursive: true, force: true });
        continue;
      }
      for (const name of await list(keyDir)) {
        if (name.includes(TMP_MARK) || !liveLayers.has(name)) await fsp.rm(join(keyDir, name), { recursive: true, force: true });
      }
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}
