import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sha256Of, type Digest } from '../../base/digest.js';
import { EngineError, invalidParameter, notFound } from '../../base/engine-error.js';
import { UndoStack } from '../../base/undo-stack.js';
import type { ImageConfig } from '../../image/image-config.js';
import type { ImageStore } from '../../image/image-store.js';
import type { LayerBlobDb } from '../../image/layer-blob-db.js';
import { layerCompression, MANIFEST_ACCEPT, parseManifest, parsePlatform, selectPlatform, type Descriptor, type ImageManifest, type Platform } from '../../image/manifest.js';
import { familiarString, normalizedString, withDefaultTag, type ImageRef } from '../../image/reference.js';
import { chainIdOf } from '../../storage/layer-store.js';
import { repositoryScope } from './auth-challenge.js';
import { downloadBlob } from './blob-download.js';
import { progress, pullingFrom, shortId, status, Throttle, type ProgressMessage } from './progress-messages.js';
import { readBody, registryErrorOf } from './registry-error.js';
import type { RegistrySession } from './registry-session.js';

export interface PullDeps {
  images: ImageStore;
  blobs: LayerBlobDb;
  /** Where layers that arrive before their parent is unpacked wait (the data root's tmp/). */
  tmpDir: string;
  hostPlatform: Platform;
  /** Layers downloaded at once (dockerd: 3). */
  concurrency?: number;
}

export interface PullOptions {
  platform?: string;
  signal?: AbortSignal;
  emit(msg: ProgressMessage): void;
}

export interface PullResult {
  imageId: Digest;
  manifestDigest: Digest;
  /** false when the reference already pointed at this image ("Image is up to date"). */
  newer: boolean;
}

/** GETs a manifest by tag or digest and checks its digest when one was asked for. */
async function fetchManifest(session: RegistrySession, ref: ImageRef, reference: string, signal?: AbortSignal): Promise<{ bytes: Buffer; digest: Digest; contentType: string }> {
  const res = await session.fetch({
    method: 'GET',
    path: `/v2/${ref.path}/manifests/${reference}`,
    headers: { Accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(ref.path, ['pull'])],
    ...(signal ? { signal } : {}),
  });
  if (res.statusCode === 404) {
    const err = await registryErrorOf(res);
    throw notFound(`manifest for ${familiarString(ref)} not found: ${err.message}`);
  }
  if (res.statusCode === 401 || res.statusCode === 403) {
    const err = await registryErrorOf(res);
    throw new EngineError(res.statusCode === 401 ? 'Unauthorized' : 'Forbidden', `pull access denied for ${familiarString({ domain: ref.domain, path: ref.path })}, repository does not exist or may require 'docker login': ${err.message}`);
  }
  if (res.statusCode !== 200) throw await registryErrorOf(res);
  const bytes = await readBody(res);
  const digest = sha256Of(bytes);
  if (reference.startsWith('sha256:') && digest !== reference) {
    throw invalidParameter(`manifest verification failed for digest ${reference}`);
  }
  return { bytes, digest, contentType: String(res.headers['content-type'] ?? '') };
}

/** "library/busybox" stays as is in "Pulling from": dockerd prints the path without the domain. */
const familiarPath = (ref: ImageRef): string => ref.path;

async function fetchConfig(session: RegistrySession, ref: ImageRef, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  const res = await session.fetch({
    method: 'GET',
    path: `/v2/${ref.path}/blobs/${desc.digest}`,
    scopes: [repositoryScope(ref.path, ['pull'])],
    ...(signal ? { signal } : {}),
  });
  if (res.statusCode !== 200) throw await registryErrorOf(res);
  const bytes = await readBody(res, 16 * 1024 * 1024);
  if (sha256Of(bytes) !== desc.digest) throw invalidParameter(`image config verification failed for digest ${desc.digest}`);
  return bytes;
}

/**
 * Pulls one image: manifest (through an index when there is one) → config → layers, downloaded
 * in parallel and unpacked in order, each verified as it streams; then one transaction records
 * the image with the registry's exact config bytes, so its ID is the config digest.
 * A failure removes the layers this pull added and records nothing.
 */
export async function pullImage(deps: PullDeps, session: RegistrySession, ref: ImageRef, opts: PullOptions): Promise<PullResult> {
  const { images, blobs } = deps;
  const signal = opts.signal;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let manifest = await fetchManifest(session, ref, reference, signal);
  // After the manifest, as dockerd: a missing image is a plain HTTP 404 before any output.
  opts.emit(pullingFrom(familiarPath(ref), reference));
  const topDigest = manifest.digest;
  let parsed = parseManifest(manifest.bytes, manifest.contentType);
  if (parsed.kind === 'index') {
    const want = parsePlatform(opts.platform, deps.hostPlatform);
    const chosen = selectPlatform(parsed, want);
    manifest = await fetchManifest(session, ref, chosen.digest, signal);
    parsed = parseManifest(manifest.bytes, manifest.contentType);
    if (parsed.kind !== 'manifest') throw invalidParameter('manifest list entry is itself a manifest list');
  }
  const m: ImageManifest = parsed;
  for (const l of m.layers) {
    const c = layerCompression(l.mediaType);
    if (c === undefined) throw invalidParameter(`unsupported layer media type ${l.mediaType} for layer ${l.digest}`);
  }
  const configBytes = await fetchConfig(session, ref, m.config, signal);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== m.layers.length) throw invalidParameter(`image config has ${diffIds.length} diff IDs but the manifest has ${m.layers.length} layers`);

  const imageId = m.config.digest;
  const domainRepo = { domain: ref.domain, repository: ref.path };
  const undo = new UndoStack();
  try {
    await fetchLayers(deps, session, ref, m, diffIds, undo, opts);
    signal?.throwIfAborted();
    // The record, with the registry's own config bytes (its digest is the image ID).
    const tagRef = ref.digest === undefined ? normalizedString(withDefaultTag({ domain: ref.domain, path: ref.path, ...(ref.tag ? { tag: ref.tag } : {}) })) : undefined;
    const before = tagRef ? images.records.imageIdOfRef(tagRef) : undefined;
    const existed = images.records.get(imageId) !== undefined;
    await images.content.put(configBytes, imageId, signal);
    let size = 0;
    let chain: Digest | undefined;
    for (const d of diffIds) {
      chain = chainIdOf(chain, d as Digest);
      size += images.layers.get(chain)?.size ?? 0;
    }
    const now = Date.now();
    images.records.transaction(() => {
      images.records.insertImage({ id: imageId, configJson: configBytes.toString('utf8'), parentId: '', size, createdAt: now });
      if (tagRef) images.records.setRef(tagRef, imageId, now);
      images.records.setRef(normalizedString({ domain: ref.domain, path: ref.path, digest: topDigest }), imageId, now);
    });
    undo.commit();
    m.layers.forEach((l, i) => {
      blobs.record({ localDiffId: diffIds[i] as Digest, diffId: diffIds[i] as Digest, digest: l.digest, size: l.size, mediaType: l.mediaType });
      blobs.addSource(l.digest, domainRepo);
    });
    opts.emit(status(`Digest: ${topDigest}`));
    return { imageId, manifestDigest: topDigest, newer: !(existed && (tagRef === undefined || before === imageId)) };
  } catch (err) {
    await undo.rollback();
    throw err;
  }
}

async function fetchLayers(
  deps: PullDeps,
  session: RegistrySession,
  ref: ImageRef,
  m: ImageManifest,
  diffIds: readonly string[],
  undo: UndoStack,
  opts: PullOptions,
): Promise<void> {
  const { images } = deps;
  const signal = opts.signal;
  const layers = images.layers;
  const chains: Digest[] = [];
  let chain: Digest | undefined;
  for (const d of diffIds) chains.push((chain = chainIdOf(chain, d as Digest)));
  const missing: number[] = [];
  m.layers.forEach((l, i) => {
    if (layers.get(chains[i] as Digest)) opts.emit(status('Already exists', shortId(l.digest)));
    else missing.push(i);
  });
  for (const i of missing) opts.emit(status('Pulling fs layer', shortId((m.layers[i] as Descriptor).digest)));
  if (missing.length === 0) return;

  const throttle = new Throttle(100);
  // Layer i may be unpacked once layer i-1 is: turn[i] resolves then.
  const applied = missing.map(() => deferred());
  const scopes = [repositoryScope(ref.path, ['pull'])];
  const concurrency = deps.concurrency ?? 3;
  let next = 0;
  let firstError: unknown;
  const abort = new AbortController();
  const linked = signal ? AbortSignal.any([signal, abort.signal]) : abort.signal;

  const work = async (k: number): Promise<void> => {
    const i = missing[k] as number;
    const desc = m.layers[i] as Descriptor;
    const id = shortId(desc.digest);
    const parent = i === 0 ? undefined : chains[i - 1];
    const ready = k === 0 ? Promise.resolve() : (applied[k - 1] as Deferred).promise;
    const onProgress = (n: number) => {
      if (throttle.ready(id) || n === desc.size) opts.emit(progress('Downloading', id, n, desc.size));
    };
    const dl = () => downloadBlob({ session, repository: ref.path, digest: desc.digest, size: desc.size, scopes, signal: linked, onProgress });
    let spooled: string | undefined;
    const spool = async () => {
      spooled = join(deps.tmpDir, `pull-${randomBytes(8).toString('hex')}`);
      await fsp.mkdir(deps.tmpDir, { recursive: true });
      await pipeline(dl(), createWriteStream(spooled, { flags: 'wx' }), { signal: linked });
      opts.emit(status('Verifying Checksum', id));
      opts.emit(status('Download complete', id));
    };
    try {
      // Its parent is not unpacked yet: download (verified) to a temp file meanwhile.
      if (!(await isSettled(ready))) await spool();
      await ready;
      let res;
      if (spooled) res = await layers.applyTar(createReadStream(spooled), parent, linked, diffIds[i] as Digest);
      else {
        const direct = dl();
        try {
          res = await layers.applyTar(direct, parent, linked, diffIds[i] as Digest);
        } catch (err) {
          direct.destroy();
          if (linked.aborted) throw err;
          // A corrupt blob usually breaks gunzip before its digest can be checked at the end:
          // fetch it whole and verified, so the error names the real cause (or it was a glitch).
          await spool();
          res = await layers.applyTar(createReadStream(spooled as unknown as string), parent, linked, diffIds[i] as Digest);
        }
      }
      if (!spooled) {
        opts.emit(status('Verifying Checksum', id));
        opts.emit(status('Download complete', id));
      }
      undo.push(`layer ${res.chainId}`, async () => void (await images.dropLayerIfUnused(res.chainId)));
      opts.emit(progress('Extracting', id, desc.size, desc.size));
      opts.emit(status('Pull complete', id));
      (applied[k] as Deferred).resolve();
    } catch (err) {
      firstError ??= err;
      abort.abort(err);
      (applied[k] as Deferred).reject(err);
      throw err;
    } finally {
      if (spooled) await fsp.rm(spooled, { force: true });
    }
  };
  const runners: Array<Promise<void>> = [];
  for (let r = 0; r < Math.min(concurrency, missing.length); r++) {
    runners.push(
      (async () => {
        while (next < missing.length && firstError === undefined) await work(next++);
      })(),
    );
  }
  const results = await Promise.allSettled(runners);
  for (const a of applied) a.promise.catch(() => {});
  if (firstError !== undefined) throw firstError;
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

async function isSettled(p: Promise<void>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await Promise.resolve();
  await Promise.resolve();
  return settled;
}

