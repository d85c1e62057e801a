import type { Digest } from '../../base/digest.js';
import { EngineError, notFound } from '../../base/engine-error.js';
import type { ImageConfig, ImageRecord } from '../../image/image-config.js';
import type { ImageStore } from '../../image/image-store.js';
import { compressTar, tarLayerDir } from '../../image/layer-blob.js';
import type { LayerBlob, LayerBlobDb } from '../../image/layer-blob-db.js';
import { buildManifest, MEDIA, type ManifestFormat } from '../../image/manifest.js';
import { familiarString, normalizedString, parseNormalizedReference, repositoryName, type ImageRef } from '../../image/reference.js';
import { sha256Of } from '../../base/digest.js';
import { chainIdOf } from '../../storage/layer-store.js';
import { repositoryScope } from './auth-challenge.js';
import { blobExists, mountBlob, uploadBytes, uploadStream, type BlobTarget } from './blob-upload.js';
import { progress, pushAux, pushDigestLine, pushRefersTo, shortId, status, Throttle, type ProgressMessage } from './progress-messages.js';
import { registryErrorOf } from './registry-error.js';
import type { RegistrySession } from './registry-session.js';

export interface PushDeps {
  images: ImageStore;
  blobs: LayerBlobDb;
  /** Layers pushed at once (dockerd: 5). */
  concurrency?: number;
  /** gzip members compressed at once per layer. */
  compressParallel?: number;
}

export interface PushOptions {
  format?: ManifestFormat;
  signal?: AbortSignal;
  emit(msg: ProgressMessage): void;
}

interface PushedLayer {
  diffId: Digest;
  digest: Digest;
  size: number;
  mediaType: string;
}

/** The local images a push of `ref` covers: its tag, or every tag of the repository. */
export function imagesToPush(images: ImageStore, ref: ImageRef): Array<{ tag: string; image: ImageRecord }> {
  if (ref.tag !== undefined) {
    const id = images.records.imageIdOfRef(normalizedString(ref));
    const image = id ? images.records.get(id) : undefined;
    if (!image) throw notFound(`An image does not exist locally with the tag: ${familiarString({ domain: ref.domain, path: ref.path })}`);
    return [{ tag: ref.tag, image }];
  }
  const repo = repositoryName(ref);
  const out: Array<{ tag: string; image: ImageRecord }> = [];
  for (const rec of images.list()) {
    for (const t of rec.repoTags) {
      const r = parseNormalizedReference(t);
      if (repositoryName(r) === repo && r.tag !== undefined) out.push({ tag: r.tag, image: rec });
    }
  }
  if (out.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiarString({ domain: ref.domain, path: ref.path })}`);
  return out.sort((a, b) => (a.tag < b.tag ? -1 : 1));
}

/**
 * Pushes one tagged image: layers (skipped when the registry has them, mounted from another
 * repository of the same registry when we know one, else packed, compressed and streamed),
 * then the config and the manifest. Returns the manifest digest.
 */
export async function pushImage(deps: PushDeps, session: RegistrySession, ref: ImageRef, tag: string, image: ImageRecord, opts: PushOptions): Promise<{ digest: Digest; size: number }> {
  const { images, blobs } = deps;
  const format = opts.format ?? 'docker';
  const target: BlobTarget = { session, repository: ref.path, ...(opts.signal ? { signal: opts.signal } : {}) };
  const diffIds = image.config.rootfs.diff_ids as Digest[];
  const chains: Digest[] = [];
  let chain: Digest | undefined;
  for (const d of diffIds) chains.push((chain = chainIdOf(chain, d)));
  // dockerd lists layers top first.
  for (let i = diffIds.length - 1; i >= 0; i--) opts.emit(status('Preparing', shortId(diffIds[i] as Digest)));
  const concurrency = deps.concurrency ?? 5;
  if (diffIds.length > concurrency) for (let i = diffIds.length - 1 - concurrency; i >= 0; i--) opts.emit(status('Waiting', shortId(diffIds[i] as Digest)));

  const throttle = new Throttle(100);
  const pushed: PushedLayer[] = new Array(diffIds.length);
  const pushLayer = async (i: number): Promise<void> => {
    const localDiffId = diffIds[i] as Digest;
    const id = shortId(localDiffId);
    const known = blobs.blobsFor(localDiffId).filter((b) => b.mediaType !== MEDIA.ociLayerZstd);
    for (const b of known) {
      if (await blobExists(target, b.digest)) {
        opts.emit(status('Layer already exists', id));
        pushed[i] = { diffId: b.diffId, digest: b.digest, size: b.size, mediaType: b.mediaType };
        return;
      }
    }
    let location: string | undefined;
    for (const b of known) {
      const from = blobs.sourcesOf(b.digest, ref.domain).find((r) => r !== ref.path);
      if (from === undefined) continue;
      const r = await mountBlob(target, b.digest, from);
      if (r.mounted) {
        opts.emit(status(`Mounted from ${from}`, id));
        pushed[i] = { diffId: b.diffId, digest: b.digest, size: b.size, mediaType: b.mediaType };
        blobs.addSource(b.digest, { domain: ref.domain, repository: ref.path });
        return;
      }
      location = r.location;
      break;
    }
    const total = images.layers.get(chains[i] as Digest)?.size ?? 0;
    // The layer's original tar when its journal rebuilds it: the pushed diffID is then the local one.
    const chainId = chains[i] as Digest;
    const tar = (await images.layers.originalTar(chainId)) ?? tarLayerDir(images.layers.diffDir(chainId));
    const packed = compressTar(tar, {
      ...(deps.compressParallel ? { parallel: deps.compressParallel } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onTarBytes: (n) => {
        if (throttle.ready(id)) opts.emit(progress('Pushing', id, Math.min(n, total), total));
      },
    });
    await uploadStream(target, packed.stream, async () => (await packed.result).digest, location ? { location } : {});
    const r = await packed.result;
    opts.emit(progress('Pushing', id, total, total));
    opts.emit(status('Pushed', id));
    const mediaType = format === 'docker' ? MEDIA.dockerLayerGzip : MEDIA.ociLayerGzip;
    const rec: LayerBlob = { localDiffId, diffId: r.diffId, digest: r.digest, size: r.size, mediaType };
    blobs.record(rec);
    blobs.addSource(r.digest, { domain: ref.domain, repository: ref.path });
    pushed[i] = { diffId: r.diffId, digest: r.digest, size: r.size, mediaType };
  };

  let next = 0;
  let failed: unknown;
  const runners = Array.from({ length: Math.min(concurrency, diffIds.length) }, async () => {
    while (next < diffIds.length && failed === undefined) {
      const i = diffIds.length - 1 - next++;
      try {
        await pushLayer(i);
      } catch (err) {
        failed ??= err;
      }
    }
  });
  await Promise.all(runners);
  if (failed !== undefined) throw failed;

  // The config: the image's own bytes, unless a layer had to be packed into a different tar.
  let configBytes = await images.content.get(image.id);
  const rewritten = pushed.some((p, i) => p.diffId !== diffIds[i]);
  if (rewritten) {
    const cfg = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    cfg.rootfs = { ...cfg.rootfs, diff_ids: pushed.map((p) => p.diffId) };
    configBytes = Buffer.from(JSON.stringify(cfg));
  }
  const configDigest = sha256Of(configBytes);
  if (!(await blobExists(target, configDigest))) await uploadBytes(target, configBytes, configDigest);

  const layersForManifest = pushed.map((p) => ({
    digest: p.digest,
    size: p.size,
    mediaType: format === 'oci' ? (p.mediaType === MEDIA.dockerLayerGzip ? MEDIA.ociLayerGzip : p.mediaType) : p.mediaType === MEDIA.ociLayerGzip ? MEDIA.dockerLayerGzip : p.mediaType,
  }));
  const manifest = buildManifest(format, { digest: configDigest, size: configBytes.length }, layersForManifest);
  const res = await session.request({
    method: 'PUT',
    path: `/v2/${ref.path}/manifests/${tag}`,
    headers: { 'Content-Type': manifest.mediaType },
    body: manifest.json,
    scopes: [repositoryScope(ref.path, ['pull', 'push'])],
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (res.statusCode !== 201) {
    const err = await registryErrorOf(res);
    throw new EngineError(err.kind, err.message);
  }
  res.resume();
  opts.emit(pushDigestLine(tag, manifest.digest, manifest.size));
  opts.emit(pushAux(tag, manifest.digest, manifest.size));
  // The local image is what the registry now holds only if its config went up unchanged.
  if (!rewritten) images.addRepoDigest(image.id, normalizedString({ domain: ref.domain, path: ref.path, digest: manifest.digest }));
  return { digest: manifest.digest, size: manifest.size };
}

export { pushRefersTo };
