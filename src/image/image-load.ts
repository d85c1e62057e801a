import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { hasherDigest, isDigest, newHasher, sha256Of, type Digest } from '../base/digest.js';
import { errnoCode, invalidParameter, isEngineError } from '../base/engine-error.js';
import { UndoStack } from '../base/undo-stack.js';
import { cleanEntryName } from '../storage/confined-path.js';
import { chainIdOf, type LayerStore } from '../storage/layer-store.js';
import { openPlainTar } from '../storage/tar-source.js';
import type { ContentStore } from './content-store.js';
import type { ImageConfig, ImageRecord } from './image-config.js';
import type { ImageDb } from './image-db.js';
import { familiarString, normalizedString, parseNormalizedReference, withDefaultTag } from './reference.js';

/**
 * `docker load`: archives from `docker save` of dockerd (legacy layout with manifest.json, or
 * OCI layout) and of skiff, plain or gzip. The archive is unpacked into a private temp dir first
 * (manifest.json usually comes last), every `blobs/sha256/<hex>` file is checked against its
 * name, every layer against the config's diffIDs while it is applied, and the image record is
 * written last in one transaction: a lying archive leaves no layer and no image behind.
 */
export interface LoadDeps {
  images: { records: ImageDb; get(id: string): ImageRecord; dropLayerIfUnused(top: Digest): Promise<Digest[]> };
  layers: LayerStore;
  content: ContentStore;
  tmpDir: string;
}

export type LoadProgress =
  | { kind: 'layer'; id: string; current: number; total: number; done: boolean }
  | { kind: 'loaded'; message: string };

interface ManifestItem {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** Unpacks the archive (regular files, directories and in-archive symlinks) and hashes every file. */
async function unpackArchive(input: Readable, dir: string, signal?: AbortSignal): Promise<Map<string, Digest>> {
  const hashes = new Map<string, Digest>();
  const plain = await openPlainTar(input, () => {}, signal);
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      const e = err instanceof Error ? err : new Error(String(err));
      plain.release(e);
      extract.destroy(e);
      reject(isEngineError(e) ? e : invalidParameter(`invalid archive: ${e.message}`, e));
    };
    extract.on('entry', (h, body, next) => {
      body.on('error', () => {});
      const run = async () => {
        const parts = cleanEntryName(h.name);
        if (parts.length === 0) return body.resume();
        const rel = parts.join('/');
        const path = join(dir, ...parts);
        await fsp.mkdir(dirname(path), { recursive: true });
        if (h.type === 'directory') {
          await fsp.mkdir(path, { recursive: true });
          return body.resume();
        }
        if (h.type === 'symlink') {
          await fsp.symlink(h.linkname ?? '', path);
          return body.resume();
        }
        if (h.type !== 'file' && h.type !== 'contiguous-file') return body.resume();
        const hasher = newHasher();
        const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
        for await (const chunk of body) {
          hasher.update(chunk as Uint8Array);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
        hashes.set(rel, hasherDigest(hasher));
      };
      run().then(() => next(), fail);
    });
    extract.on('finish', () => {
      if (!failed) resolve();
    });
    extract.on('error', fail);
    plain.stream.on('error', fail);
    plain.stream.pipe(extract);
  });
  return hashes;
}

/** A member's host path; symlinks inside the archive are followed but may not leave it. */
async function memberPath(dir: string, name: string): Promise<string> {
  const parts = cleanEntryName(name);
  const real = await fsp.realpath(join(dir, ...parts)).catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT') throw invalidParameter(`invalid archive: ${name} is missing`);
    throw err;
  });
  const base = await fsp.realpath(dir);
  if (!real.startsWith(base + '/')) throw invalidParameter(`invalid archive: ${name} points outside the archive`);
  return real;
}

/** A `blobs/sha256/<hex>` member must hash to its name (what the OCI layout promises). */
async function verifiedMember(dir: string, name: string, hashes: Map<string, Digest>): Promise<string> {
  const path = await memberPath(dir, name);
  const m = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(cleanEntryName(name).join('/'));
  if (m) {
    const rel = path.slice((await fsp.realpath(dir)).length + 1);
    const actual = hashes.get(rel);
    if (actual !== `sha256:${m[1]}`) throw invalidParameter(`invalid archive: ${name} does not match its digest (content is ${actual ?? 'unknown'})`);
  }
  return path;
}

/** manifest.json, or one made from an OCI index.json (archives of other OCI tools). */
async function readManifest(dir: string, hashes: Map<string, Digest>): Promise<ManifestItem[]> {
  try {
    const parsed = JSON.parse(await fsp.readFile(join(dir, 'manifest.json'), 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw invalidParameter('invalid archive: manifest.json is not a list');
    return parsed as ManifestItem[];
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw isEngineError(err) ? err : invalidParameter(`invalid archive: manifest.json: ${(err as Error).message}`);
  }
  let index: { manifests?: Array<{ digest?: string; annotations?: Record<string, string> }> };
  try {
    index = JSON.parse(await fsp.readFile(join(dir, 'index.json'), 'utf8')) as typeof index;
  } catch {
    throw invalidParameter('invalid archive: neither manifest.json nor index.json found');
  }
  const items: ManifestItem[] = [];
  for (const d of index.manifests ?? []) {
    if (!d.digest || !isDigest(d.digest)) throw invalidParameter('invalid archive: bad descriptor in index.json');
    const path = await verifiedMember(dir, `blobs/sha256/${d.digest.slice(7)}`, hashes);
    const man = JSON.parse(await fsp.readFile(path, 'utf8')) as { config?: { digest?: string }; layers?: Array<{ digest?: string }> };
    const name = d.annotations?.['io.containerd.image.name'];
    items.push({
      Config: `blobs/sha256/${(man.config?.digest ?? '').slice(7)}`,
      RepoTags: name ? [name] : null,
      Layers: (man.layers ?? []).map((l) => `blobs/sha256/${(l.digest ?? '').slice(7)}`),
    });
  }
  return items;
}

export async function loadImages(deps: LoadDeps, input: Readable, progress: (p: LoadProgress) => void, signal?: AbortSignal): Promise<string[]> {
  await fsp.mkdir(deps.tmpDir, { recursive: true });
  const dir = join(deps.tmpDir, `load-${randomBytes(8).toString('hex')}`);
  await fsp.mkdir(dir, { mode: 0o700 });
  const loaded: string[] = [];
  try {
    const hashes = await unpackArchive(input, dir, signal);
    const items = await readManifest(dir, hashes);
    // Everything checkable is checked before the first layer is applied.
    const plans: LoadPlan[] = [];
    for (const item of items) {
      if (typeof item.Config !== 'string' || !Array.isArray(item.Layers)) throw invalidParameter('invalid archive: bad manifest.json entry');
      const configBytes = await fsp.readFile(await verifiedMember(dir, item.Config, hashes));
      const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== item.Layers.length) {
        throw invalidParameter(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${item.Layers.length}`);
      }
      const layerPaths = [];
      for (const l of item.Layers) layerPaths.push(await verifiedMember(dir, l, hashes));
      plans.push({ item, configBytes, diffIds, layerPaths });
    }
    // Each image is complete or absent: its new layers go again if it fails.
    for (const plan of plans) {
      const undo = new UndoStack();
      try {
        loaded.push(...(await loadOne(deps, dir, hashes, plan, undo, progress, signal)));
        undo.commit();
      } catch (err) {
        await undo.rollback();
        throw err;
      }
    }
    return loaded;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

interface LoadPlan {
  item: ManifestItem;
  configBytes: Buffer;
  diffIds: Digest[];
  layerPaths: string[];
}

async function loadOne(
  deps: LoadDeps,
  dir: string,
  hashes: Map<string, Digest>,
  plan: LoadPlan,
  undo: UndoStack,
  progress: (p: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<string[]> {
  const realDir = await fsp.realpath(dir);
  let parent: Digest | undefined;
  let size = 0;
  for (let i = 0; i < plan.diffIds.length; i++) {
    const diffId = plan.diffIds[i] as Digest;
    const path = plan.layerPaths[i] as string;
    const chainId = chainIdOf(parent, diffId);
    const total = (await fsp.stat(path)).size;
    const id = diffId.slice(7, 19);
    let info = deps.layers.get(chainId);
    // A layer already in the store is not unpacked again, but the archive's copy must still be what the config says.
    if (info && hashes.get(path.slice(realDir.length + 1)) !== diffId && (await plainDigest(path, signal)) !== diffId) {
      throw invalidParameter(`layer diffID mismatch: ${plan.item.Layers[i] ?? ''} is not ${diffId}`);
    }
    if (!info) {
      progress({ kind: 'layer', id, current: 0, total, done: false });
      await deps.layers.applyTar(createReadStream(path), parent, signal, diffId);
      undo.push('layer', async () => void (await deps.images.dropLayerIfUnused(chainId)));
      // No copy of the tar is kept: the layer's tar-split journal rebuilds it for a later save or push.
      info = deps.layers.get(chainId);
    }
    progress({ kind: 'layer', id, current: total, total, done: true });
    size += info?.size ?? 0;
    parent = chainId;
  }
  // The ID is the digest of the config bytes as they came: never re-serialised.
  const imageId = sha256Of(plan.configBytes);
  await deps.content.put(plan.configBytes, imageId, signal);
  const tags = (plan.item.RepoTags ?? []).map((t) => normalizedString(withDefaultTag(parseNormalizedReference(t))));
  const now = Date.now();
  deps.images.records.transaction(() => {
    if (!deps.images.records.get(imageId)) deps.images.records.insertImage({ id: imageId, configJson: plan.configBytes.toString('utf8'), parentId: '', size, createdAt: now });
    for (const t of tags) deps.images.records.setRef(t, imageId, now);
  });
  if (tags.length === 0) {
    progress({ kind: 'loaded', message: `Loaded image ID: ${imageId}` });
    return [imageId];
  }
  for (const t of tags) progress({ kind: 'loaded', message: `Loaded image: ${familiarString(parseNormalizedReference(t))}` });
  return tags;
}

/** sha256 of a layer file's uncompressed tar bytes. */
async function plainDigest(path: string, signal?: AbortSignal): Promise<Digest> {
  const hasher = newHasher();
  const plain = await openPlainTar(createReadStream(path), (chunk) => hasher.update(chunk), signal);
  for await (const _chunk of plain.stream) {
    // consumed for the hash
  }
  return hasherDigest(hasher);
}
