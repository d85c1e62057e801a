import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { digestHex, sha256Of, type Digest } from '../base/digest.js';
import { packTar, type TarEntry } from '../storage/layer-diff-tar.js';
import { chainIdOf, type LayerStore } from '../storage/layer-store.js';
import type { ContentStore } from './content-store.js';
import type { ImageConfig, ImageRecord } from './image-config.js';
import { tarLayerDir } from './layer-blob.js';
import { writeLayerFile } from './layer-tar-file.js';
import { familiarize, familiarString, normalizedString, parseNormalizedReference, withDefaultTag } from './reference.js';

/**
 * `docker save`: one tar holding an OCI image layout (index.json, oci-layout, blobs/sha256/…)
 * plus Docker's manifest.json and repositories, as dockerd 25+ writes it. dockerd 20.10 loads it
 * through manifest.json (it only follows the paths), skopeo through either.
 *
 * Layers are kept unpacked, so each is packed again. When the repacked bytes differ from the
 * layer's diffID (layers that came from someone else's tar), the saved config names the repacked
 * digests, which gives the saved image another ID; layers loaded from an archive keep their
 * original tar in the content store and come out byte for byte.
 */
export interface SaveDeps {
  images: { resolve(ref: string): ImageRecord };
  layers: LayerStore;
  content: ContentStore;
  tmpDir: string;
}

interface LayerFile {
  path: string;
  digest: Digest;
  size: number;
  temp: boolean;
}

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

/** The tag a save argument names, or undefined when it is an ID (Docker then writes no RepoTags). */
function tagOf(ref: string, rec: ImageRecord): string | undefined {
  if (rec.id === ref || rec.id.startsWith(`sha256:${ref}`) || rec.id.startsWith(ref)) return undefined;
  try {
    const normalized = normalizedString(withDefaultTag(parseNormalizedReference(ref)));
    return rec.repoTags.includes(normalized) ? normalized : undefined;
  } catch {
    return undefined;
  }
}

export async function saveImages(deps: SaveDeps, refs: readonly string[]): Promise<{ stream: Readable; cleanup(): Promise<void> }> {
  const wanted = new Map<Digest, { rec: ImageRecord; tags: string[] }>();
  for (const ref of refs) {
    const rec = deps.images.resolve(ref);
    const item = wanted.get(rec.id) ?? { rec, tags: [] };
    const tag = tagOf(ref, rec);
    if (tag && !item.tags.includes(tag)) item.tags.push(tag);
    wanted.set(rec.id, item);
  }
  const layerFiles = new Map<Digest, LayerFile>(); // by chainID
  const blobs = new Map<string, TarEntry>();
  const now = Math.floor(Date.now() / 1000);
  const blob = (digest: Digest, source: string | Buffer, size: number) => {
    const name = `blobs/sha256/${digestHex(digest)}`;
    if (!blobs.has(name)) blobs.set(name, { name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: now, size, source });
  };
  const cleanup = async () => {
    for (const f of layerFiles.values()) if (f.temp) await fsp.rm(f.path, { force: true });
  };

  const manifestJson: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  const indexManifests: Array<Record<string, unknown>> = [];
  try {
    for (const { rec, tags } of wanted.values()) {
      let chain: Digest | undefined;
      const layerDigests: Digest[] = [];
      const layerDescs: Array<{ mediaType: string; digest: Digest; size: number }> = [];
      for (const diffId of rec.config.rootfs.diff_ids) {
        chain = chainIdOf(chain, diffId);
        let f = layerFiles.get(chain);
        if (!f) {
          if (await deps.content.has(diffId)) {
            const path = deps.content.path(diffId);
            f = { path, digest: diffId, size: (await fsp.stat(path)).size, temp: false };
          } else {
            const tar = (await deps.layers.originalTar(chain)) ?? tarLayerDir(deps.layers.diffDir(chain));
            const packed = await writeLayerFile(tar, deps.tmpDir);
            f = { ...packed, temp: true };
          }
          layerFiles.set(chain, f);
        }
        layerDigests.push(f.digest);
        layerDescs.push({ mediaType: MT.layer, digest: f.digest, size: f.size });
        blob(f.digest, f.path, f.size);
      }
      // The original config bytes when the layers came out identical; a config naming the repacked layers otherwise.
      let configBytes: Buffer;
      if (layerDigests.every((d, i) => d === rec.config.rootfs.diff_ids[i])) {
        configBytes = await fsp.readFile(deps.content.path(rec.id));
      } else {
        const config: ImageConfig = { ...rec.config, rootfs: { type: 'layers', diff_ids: layerDigests } };
        configBytes = Buffer.from(JSON.stringify(config));
      }
      const configDigest = sha256Of(configBytes);
      blob(configDigest, configBytes, configBytes.length);
      const manifest = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: MT.manifest, config: { mediaType: MT.config, digest: configDigest, size: configBytes.length }, layers: layerDescs }),
      );
      const manifestDigest = sha256Of(manifest);
      blob(manifestDigest, manifest, manifest.length);
      const desc = { mediaType: MT.manifest, digest: manifestDigest, size: manifest.length };
      if (tags.length === 0) indexManifests.push(desc);
      for (const t of tags) {
        const ref = parseNormalizedReference(t);
        indexManifests.push({ ...desc, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' } });
        const repo = familiarize(t).replace(/:[^:/]+$/, '');
        (repositories[repo] ??= {})[ref.tag ?? 'latest'] = digestHex(layerDigests[layerDigests.length - 1] ?? configDigest);
      }
      manifestJson.push({
        Config: `blobs/sha256/${digestHex(configDigest)}`,
        RepoTags: tags.length > 0 ? tags.map((t) => familiarString(withDefaultTag(parseNormalizedReference(t)))) : null,
        Layers: layerDigests.map((d) => `blobs/sha256/${digestHex(d)}`),
      });
    }
  } catch (err) {
    await cleanup();
    throw err;
  }

  const file = (name: string, data: string): TarEntry => {
    const b = Buffer.from(data);
    return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: now, size: b.length, source: b };
  };
  const dir = (name: string): TarEntry => ({ name, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: now });
  const entries: TarEntry[] = [
    dir('blobs'),
    dir('blobs/sha256'),
    ...[...blobs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    file('index.json', JSON.stringify({ schemaVersion: 2, mediaType: MT.index, manifests: indexManifests })),
    file('manifest.json', JSON.stringify(manifestJson)),
    file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' })),
  ];
  if (Object.keys(repositories).length > 0) entries.push(file('repositories', JSON.stringify(repositories)));
  return { stream: packTar(entries), cleanup };
}
