import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Database } from 'better-sqlite3';
import { setAttribute } from 'fs-xattr';
import { digestHex, isDigest, sha256Of, type Digest } from '../base/digest.js';
import { conflict, errnoCode, invalidParameter, notFound } from '../base/engine-error.js';
import { spawnSpecialFileMaker } from './special-files.js';
import { unpackLayerTar, type UnpackDeps } from './tar-unpack.js';
import { assembleTar, decodeTarSplit, TarSplitRecorder, tarSplitMatches } from './tar-split.js';

export interface LayerInfo {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | undefined;
  /** Bytes of file content in this layer alone. */
  size: number;
}

export interface AppliedLayer {
  diffId: Digest;
  chainId: Digest;
  size: number;
}

/** chainID = diffID for the bottom layer, else sha256(parentChainID + " " + diffID) (OCI image spec). */
export function chainIdOf(parent: Digest | undefined, diffId: Digest): Digest {
  return parent === undefined ? diffId : sha256Of(`${parent} ${diffId}`);
}

interface LayerRow {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  size: number;
}

const TMP_MARK = '.tmp-';
/** Beside a layer's `diff`: what rebuilds the tar it was unpacked from (see tar-split.ts). */
const TAR_SPLIT = 'tar-split.gz';

/**
 * Unpacked layers at `<root>/layers/<chainID hex>/diff`, one directory per chain, shared by every
 * image whose layer stack starts the same way. A layer directory is complete or absent: it is
 * unpacked into `layers/unpack.tmp-<rand>/` and renamed into place once the tar was fully read.
 */
export class LayerStore {
  private readonly layersDir: string;
  private readonly deps: UnpackDeps;

  constructor(
    root: string,
    private readonly db: Database,
    deps: Partial<UnpackDeps> = {},
  ) {
    this.layersDir = join(root, 'layers');
    this.deps = {
      special: deps.special ?? spawnSpecialFileMaker,
      setXattr: deps.setXattr ?? ((p, n, v) => setAttribute(p, n, v)),
    };
    db.exec(`CREATE TABLE IF NOT EXISTS layers (
      chain_id TEXT PRIMARY KEY,
      diff_id TEXT NOT NULL,
      parent TEXT,
      size INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  }

  /** Unpacks a layer tar (plain or gzip) on top of `parentChainId`; an already-present chain is reused. */
  async applyTar(
    input: Readable,
    parentChainId: Digest | undefined,
    signal?: AbortSignal,
    expectedDiffId?: Digest,
  ): Promise<AppliedLayer> {
    if (parentChainId !== undefined && !this.get(parentChainId)) throw notFound(`layer ${parentChainId} does not exist`);
    await fsp.mkdir(this.layersDir, { recursive: true });
    const tmp = join(this.layersDir, `unpack${TMP_MARK}${randomBytes(8).toString('hex')}`);
    await fsp.mkdir(join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    try {
      const recorder = new TarSplitRecorder();
      const { diffId, size } = await unpackLayerTar(input, join(tmp, 'diff'), this.deps, signal, recorder);
      if (expectedDiffId !== undefined && diffId !== expectedDiffId) {
        throw invalidParameter(`layer diffID mismatch: expected ${expectedDiffId}, got ${diffId}`);
      }
      signal?.throwIfAborted();
      const journal = recorder.finish();
      if (journal) await fsp.writeFile(join(tmp, TAR_SPLIT), journal, { mode: 0o600 });
      const chainId = chainIdOf(parentChainId, diffId);
      const existing = this.get(chainId);
      if (existing) {
        // A layer unpacked before journals existed gets one now (rename: complete or absent).
        if (journal) await fsp.rename(join(tmp, TAR_SPLIT), join(this.dir(chainId), TAR_SPLIT)).catch(() => {});
        return { diffId, chainId, size: existing.size };
      }
      try {
        await fsp.rename(tmp, this.dir(chainId));
      } catch (err) {
        // Someone else (or a run before a crash) already put this chain in place: same content.
        if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
      }
      this.db
        .prepare('INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(chainId, diffId, parentChainId ?? null, size, Date.now());
      return { diffId, chainId, size };
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  get(chainId: Digest): LayerInfo | undefined {
    const row = this.db.prepare('SELECT * FROM layers WHERE chain_id = ?').get(chainId) as LayerRow | undefined;
    return row ? toInfo(row) : undefined;
  }

  list(): LayerInfo[] {
    return (this.db.prepare('SELECT * FROM layers').all() as LayerRow[]).map(toInfo);
  }

  /** The chain from `chainId` down to its bottom layer, top first. */
  chain(chainId: Digest): LayerInfo[] {
    const out: LayerInfo[] = [];
    let cur: Digest | undefined = chainId;
    while (cur !== undefined) {
      const info = this.get(cur);
      if (!info) throw notFound(`layer ${cur} does not exist`);
      out.push(info);
      cur = info.parent;
    }
    return out;
  }

  /** The chain's `diff` directories, top first — the order overlayfs wants for lowerdir. */
  diffDirs(chainId: Digest): string[] {
    return this.chain(chainId).map((l) => this.diffDir(l.chainId));
  }

  diffDir(chainId: Digest): string {
    return join(this.dir(chainId), 'diff');
  }

  /**
   * The exact tar the layer was unpacked from, rebuilt from its journal and directory; undefined
   * when it has no usable journal (callers then pack the directory, which gives other bytes).
   */
  async originalTar(chainId: Digest): Promise<Readable | undefined> {
    let journal: Buffer;
    try {
      journal = await fsp.readFile(join(this.dir(chainId), TAR_SPLIT));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    let records;
    try {
      records = decodeTarSplit(journal);
    } catch {
      return undefined;
    }
    const diff = this.diffDir(chainId);
    return (await tarSplitMatches(diff, records)) ? assembleTar(diff, records) : undefined;
  }

  /** Deletes one layer; the caller knows no image uses it. A layer with children cannot go. */
  async remove(chainId: Digest): Promise<void> {
    const child = this.db.prepare('SELECT chain_id FROM layers WHERE parent = ? LIMIT 1').get(chainId) as
      | { chain_id: string }
      | undefined;
    if (child) throw conflict(`layer ${chainId} is the parent of layer ${child.chain_id}`);
    // Row first: a crash before the rm leaves an orphan directory, which cleanupTemp removes.
    this.db.prepare('DELETE FROM layers WHERE chain_id = ?').run(chainId);
    await fsp.rm(this.dir(chainId), { recursive: true, force: true });
  }

  /** At startup: removes unfinished unpacks (`*.tmp-*`) and directories the table does not know. */
  async cleanupTemp(): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.layersDir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    const known = new Set((this.db.prepare('SELECT chain_id FROM layers').all() as Array<{ chain_id: string }>).map((r) => digestHex(r.chain_id)));
    for (const name of names) {
      if (name.includes(TMP_MARK) || !known.has(name)) {
        await fsp.rm(join(this.layersDir, name), { recursive: true, force: true });
      }
    }
  }

  private dir(chainId: Digest): string {
    if (!isDigest(chainId)) throw invalidParameter(`invalid layer chain ID: ${chainId}`);
    return join(this.layersDir, digestHex(chainId));
  }
}

function toInfo(row: LayerRow): LayerInfo {
  return {
    chainId: row.chain_id as Digest,
    diffId: row.diff_id as Digest,
    parent: (row.parent ?? undefined) as Digest | undefined,
    size: row.size,
  };
}
