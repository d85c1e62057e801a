import type { Readable } from 'node:stream';
import type { Database } from 'better-sqlite3';
import { isDigest, sha256Of, type Digest } from '../base/digest.js';
import { invalidParameter, notFound } from '../base/engine-error.js';
import { isFullId } from '../base/ids.js';
import { UndoStack } from '../base/undo-stack.js';
import { chainIdOf, type LayerStore } from '../storage/layer-store.js';
import { applyChanges } from './change-instructions.js';
import type { ContentStore } from './content-store.js';
import type { ImageConfig, ImageRecord } from './image-config.js';
import { ImageDb } from './image-db.js';
import { removeImage, type ContainerUsage, type DeleteItem } from './image-delete.js';
import { inspectShape, summaryShape, unixSeconds, type HistoryItem } from './image-shapes.js';
import { familiarize, familiarString, normalizedString, parseNormalizedReference, withDefaultTag } from './reference.js';

export interface ImportOptions {
  ref?: string;
  changes?: string[];
  message?: string;
  /** "linux", "linux/amd64", "linux/arm64/v8"; default the host's. */
  platform?: string;
  signal?: AbortSignal;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/**
 * Image records, tags and the layers they stand on. Images are immutable: the ID is the digest
 * of the config blob. Every record is written in one transaction after its layers and config
 * blob exist, so a crash never leaves a record pointing at missing data.
 */
export class ImageStore {
  readonly records: ImageDb;

  constructor(
    db: Database,
    readonly content: ContentStore,
    readonly layers: LayerStore,
  ) {
    this.records = new ImageDb(db);
  }

  /** `docker import`: one layer from a rootfs tarball (plain or gzip), config from `changes`. */
  async importImage(input: Readable, opts: ImportOptions = {}): Promise<ImageRecord> {
    // Validate everything cheap before reading a possibly huge stream.
    const ref = opts.ref ? this.tagRef(opts.ref) : undefined;
    const config = applyChanges({}, opts.changes ?? []);
    const platform = parsePlatform(opts.platform);
    const undo = new UndoStack();
    try {
      const layer = await this.layers.applyTar(input, undefined, opts.signal);
      undo.push('layer', async () => void (await this.dropLayerIfUnused(layer.chainId)));
      opts.signal?.throwIfAborted();
      const created = new Date().toISOString();
      const comment = opts.message || 'Imported from -';
      const imageConfig: ImageConfig = {
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config,
        created,
        comment,
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        history: [{ created, comment }],
      };
      const rec = await this.createImage(imageConfig, { tags: ref ? [ref] : [], signal: opts.signal });
      undo.commit();
      return rec;
    } catch (err) {
      await undo.rollback();
      throw err;
    }
  }

  /**
   * Records an image whose layers are already in the layer store (import, build, commit, pull).
   * `tags` are normalised tag references; the config blob is written first, then one transaction.
   */
  async createImage(config: ImageConfig, opts: { parentId?: string; tags?: string[]; signal?: AbortSignal } = {}): Promise<ImageRecord> {
    let size = 0;
    let parent: Digest | undefined;
    for (const diffId of config.rootfs.diff_ids) {
      parent = chainIdOf(parent, diffId);
      const layer = this.layers.get(parent);
      if (!layer) throw notFound(`layer ${parent} does not exist`);
      size += layer.size;
    }
    const json = JSON.stringify(config);
    const id = sha256Of(json);
    await this.content.put(json, id, opts.signal);
    opts.signal?.throwIfAborted();
    const now = Date.now();
    this.records.transaction(() => {
      this.records.insertImage({ id, configJson: json, parentId: opts.parentId ?? '', size, createdAt: now });
      for (const t of opts.tags ?? []) this.records.setRef(t, id, now);
    });
    return this.get(id);
  }

  get(id: string): ImageRecord {
    const rec = this.records.get(id);
    if (!rec) throw notFound(`No such image: ${id}`);
    return rec;
  }

  /** By full ID, unique ID prefix, name (default tag latest) or name@digest — in Docker's order. */
  resolve(refOrId: string): ImageRecord {
    const rec = this.tryResolve(refOrId);
    if (rec) return rec;
    throw notFound(`No such image: ${this.displayRef(refOrId)}`);
  }

  list(): ImageRecord[] {
    return this.records.all();
  }

  /** Adds `repoRef` (normalised; default tag latest) to the image `source` names. */
  tag(source: string, repoRef: string): void {
    const rec = this.resolve(source);
    const ref = this.tagRef(repoRef);
    this.records.setRef(ref, rec.id, Date.now());
  }

  /** Records a manifest digest reference ("docker.io/library/x@sha256:…") for a pulled or pushed image. */
  addRepoDigest(imageId: string, digestRef: string): void {
    const ref = parseNormalizedReference(digestRef);
    if (ref.digest === undefined) throw invalidParameter(`not a digest reference: ${digestRef}`);
    this.records.setRef(normalizedString({ domain: ref.domain, path: ref.path, digest: ref.digest }), this.get(imageId).id, Date.now());
  }

  /** Removes one reference; returns its familiar form. */
  untag(ref: string): string {
    const normalized = normalizedString(withDefaultTag(parseNormalizedReference(ref)));
    if (!this.records.deleteRef(normalized)) throw notFound(`No such image: ${familiarize(normalized)}`);
    return familiarize(normalized);
  }

  /** Docker's `/images/{name}/history`, newest first. */
  history(refOrId: string): HistoryItem[] {
    const rec = this.resolve(refOrId);
    const diffIds = rec.config.rootfs.diff_ids;
    const chain = diffIds.length > 0 ? this.layers.chain(this.topChainId(rec) as Digest).reverse() : [];
    let layerIndex = 0;
    const items: HistoryItem[] = [];
    for (const h of rec.config.history ?? []) {
      let size = 0;
      if (!h.empty_layer) size = chain[layerIndex++]?.size ?? 0;
      items.unshift({ Id: '<missing>', Created: unixSeconds(h.created), CreatedBy: h.created_by ?? '', Tags: null, Size: size, Comment: h.comment ?? '' });
    }
    // Walk the parent chain: the top entry is the image itself, each step below its parent (as Docker does).
    let cur: ImageRecord | undefined = rec;
    for (const item of items) {
      if (!cur) break;
      item.Id = cur.id;
      const tags = cur.repoTags.map(familiarize);
      item.Tags = tags.length > 0 ? tags : null;
      cur = cur.parentId ? this.records.get(cur.parentId) : undefined;
    }
    return items;
  }

  /** `docker rmi`, with Docker's untag/delete/conflict rules (see image-delete.ts). */
  async remove(refOrId: string, opts: { force?: boolean; noPrune?: boolean }, usage: ContainerUsage): Promise<DeleteItem[]> {
    const rec = this.resolve(refOrId);
    return removeImage(this, rec, refOrId, { force: opts.force ?? false, prune: !opts.noPrune }, usage);
  }

  /** The image's layer diff dirs, top first (overlay lowerdir order). Empty for an image without layers. */
  layerDirs(imageId: string): string[] {
    const top = this.topChainId(this.get(imageId));
    return top ? this.layers.diffDirs(top) : [];
  }

  topChainId(rec: ImageRecord): Digest | undefined {
    let chain: Digest | undefined;
    for (const d of rec.config.rootfs.diff_ids) chain = chainIdOf(chain, d);
    return chain;
  }

  /** Removes a layer chain from the top down while no image stands on it. */
  async dropLayerIfUnused(top: Digest): Promise<Digest[]> {
    const used = new Set<string>();
    for (const r of this.records.all()) {
      const t = this.topChainId(r);
      if (t) for (const l of this.layers.chain(t)) used.add(l.chainId);
    }
    const removed: Digest[] = [];
    let cur: Digest | undefined = top;
    while (cur !== undefined && !used.has(cur)) {
      const info = this.layers.get(cur);
      if (!info) break;
      // Another layer (of some unfinished import or build) standing on this one keeps it.
      try {
        await this.layers.remove(cur);
      } catch {
        break;
      }
      removed.push(cur);
      cur = info.parent;
    }
    return removed;
  }

  /** Docker's `GET /images/{name}/json` body (GraphDriver paths from the layer store). */
  inspectShape(rec: ImageRecord): Record<string, unknown> {
    return inspectShape(rec, this.layerDirs(rec.id));
  }

  /** One element of Docker's `GET /images/json`. */
  summaryShape(rec: ImageRecord): Record<string, unknown> {
    return summaryShape(rec);
  }

  /** Startup: empties `tmp/`, removes unfinished layer unpacks and layers no image uses. */
  async cleanupTemp(): Promise<void> {
    await this.content.cleanupTemp();
    await this.layers.cleanupTemp();
    await this.pruneOrphanLayers();
  }

  /** At startup, after the layer store's cleanup: layers no image uses (left by a crash) are removed. */
  async pruneOrphanLayers(): Promise<void> {
    const parents = new Set(this.layers.list().map((l) => l.parent).filter((p): p is Digest => p !== undefined));
    for (const l of this.layers.list()) if (!parents.has(l.chainId)) await this.dropLayerIfUnused(l.chainId);
  }

  private tryResolve(refOrId: string): ImageRecord | undefined {
    if (isFullId(refOrId)) return this.records.get(`sha256:${refOrId}`);
    if (isDigest(refOrId)) return this.records.get(refOrId);
    let named;
    try {
      named = parseNormalizedReference(refOrId);
    } catch (err) {
      // Not a name; it may still be an ID prefix such as "sha256:abc".
      if (!/^(sha256:)?[0-9a-f]+$/.test(refOrId)) throw err;
    }
    if (named) {
      const id = this.records.imageIdOfRef(normalizedString(withDefaultTag(named)));
      if (id) return this.records.get(id);
    }
    const prefix = refOrId.replace(/^sha256:/, '');
    if (!/^[0-9a-f]{1,64}$/.test(prefix)) return undefined;
    // An ambiguous prefix finds nothing, like Docker's digest set lookup.
    const ids = this.records.idsWithPrefix(prefix, 2);
    return ids.length === 1 ? this.records.get(ids[0] as string) : undefined;
  }

  /** How Docker names a missing image: the familiar reference with its default tag. */
  private displayRef(refOrId: string): string {
    if (isFullId(refOrId)) return `sha256:${refOrId}`;
    if (isDigest(refOrId)) return refOrId;
    try {
      return familiarString(withDefaultTag(parseNormalizedReference(refOrId)));
    } catch {
      return refOrId;
    }
  }

  /** A reference that may be used as a tag: normalised, default tag "latest", no digest. */
  private tagRef(s: string): string {
    const ref = parseNormalizedReference(s);
    if (ref.digest !== undefined) throw invalidParameter('refusing to create a tag with a digest reference');
    if (ref.domain === 'docker.io' && ref.path === 'library/sha256' && ref.tag !== undefined && /^[0-9a-f]{64}$/.test(ref.tag)) {
      throw invalidParameter('refusing to create an ambiguous tag using digest algorithm as name');
    }
    return normalizedString(withDefaultTag(ref));
  }
}

function parsePlatform(p: string | undefined): { os: string; architecture: string; variant?: string } {
  const host = { os: 'linux', architecture: GO_ARCH[process.arch] ?? process.arch };
  if (!p) return host;
  const [os = '', arch, variant] = p.toLowerCase().split('/');
  if (os !== 'linux') throw invalidParameter(`operating system is not supported: ${os}`);
  const out: { os: string; architecture: string; variant?: string } = { os, architecture: arch || host.architecture };
  if (out.architecture === 'x86_64') out.architecture = 'amd64';
  if (out.architecture === 'aarch64') out.architecture = 'arm64';
  if (variant) out.variant = variant;
  return out;
}

