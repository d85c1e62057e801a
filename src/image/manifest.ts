import { sha256Of, type Digest } from '../base/digest.js';
import { invalidParameter, notFound } from '../base/engine-error.js';

/**
 * Image manifests and indexes in both dialects (Docker schema2 and OCI), as pushed and pulled.
 * Pure: building, parsing, and choosing a platform out of an index.
 */
export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** The Accept header of a manifest GET: every kind we can read, as dockerd sends. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  urls?: string[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type ParsedManifest = ImageManifest | ImageIndex;

export type ManifestFormat = 'docker' | 'oci';

export interface BuiltManifest {
  json: string;
  digest: Digest;
  size: number;
  mediaType: string;
}

/** A manifest for a config and its layers, in dockerd's field order (schema2 by default). */
export function buildManifest(format: ManifestFormat, config: { digest: Digest; size: number }, layers: ReadonlyArray<{ digest: Digest; size: number; mediaType?: string }>): BuiltManifest {
  const docker = format === 'docker';
  const mediaType = docker ? MEDIA.dockerManifest : MEDIA.ociManifest;
  const body = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? MEDIA.dockerConfig : MEDIA.ociConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({
      mediaType: l.mediaType ?? (docker ? MEDIA.dockerLayerGzip : MEDIA.ociLayerGzip),
      size: l.size,
      digest: l.digest,
    })),
  };
  // dockerd indents pushed manifests with three spaces; registries keep the bytes as sent.
  const json = JSON.stringify(body, null, 3);
  return { json, digest: sha256Of(json), size: Buffer.byteLength(json), mediaType };
}

function descriptorOf(v: unknown, what: string): Descriptor {
  const d = v as Partial<Descriptor> | null;
  if (!d || typeof d.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d.digest) || typeof d.size !== 'number') {
    throw invalidParameter(`invalid ${what} descriptor in manifest`);
  }
  const out: Descriptor = { mediaType: typeof d.mediaType === 'string' ? d.mediaType : '', digest: d.digest, size: d.size };
  if (d.platform && typeof d.platform === 'object') out.platform = d.platform;
  if (Array.isArray(d.urls)) out.urls = d.urls;
  return out;
}

/** Reads a manifest or index; the media type comes from the body, else from Content-Type. */
export function parseManifest(bytes: Buffer | string, contentType = ''): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString()) as Record<string, unknown>;
  } catch (err) {
    throw invalidParameter(`invalid manifest: ${(err as Error).message}`, err);
  }
  const mediaType = (typeof doc['mediaType'] === 'string' ? doc['mediaType'] : '') || contentType.split(';')[0]?.trim() || '';
  if (doc['schemaVersion'] === 1 || mediaType === MEDIA.dockerSchema1 || mediaType === MEDIA.dockerSchema1Signed) {
    throw invalidParameter('support for Docker Image Format v1 and Docker Image manifest version 2, schema 1 has been removed');
  }
  if (Array.isArray(doc['manifests']) || mediaType === MEDIA.dockerList || mediaType === MEDIA.ociIndex) {
    const list = (doc['manifests'] ?? []) as unknown[];
    return { kind: 'index', mediaType: mediaType || MEDIA.ociIndex, manifests: list.map((m) => descriptorOf(m, 'manifest')) };
  }
  if (doc['config'] === undefined || !Array.isArray(doc['layers'])) throw invalidParameter(`unsupported manifest media type ${mediaType || '(none)'}`);
  return {
    kind: 'manifest',
    mediaType: mediaType || MEDIA.ociManifest,
    config: descriptorOf(doc['config'], 'config'),
    layers: (doc['layers'] as unknown[]).map((l) => descriptorOf(l, 'layer')),
  };
}

const normArch = (a: string): string => ({ x86_64: 'amd64', aarch64: 'arm64' })[a] ?? a;

/** `linux`, `linux/amd64`, `linux/arm64/v8` → Platform; empty means the host's. */
export function parsePlatform(s: string | undefined, host: Platform): Platform {
  if (!s) return host;
  const [os = '', arch, variant] = s.toLowerCase().split('/');
  const p: Platform = { os, architecture: normArch(arch || host.architecture) };
  if (variant) p.variant = variant;
  return p;
}

export const platformString = (p: Platform): string => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/**
 * Picks the manifest for `want` out of an index, as containerd's platform matcher does: os and
 * architecture must match; a variant asked for must match; arm64 without variant means v8.
 * Attestation manifests (unknown/unknown) never match.
 */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor {
  const wantVariant = want.variant ?? (want.architecture === 'arm64' ? 'v8' : undefined);
  const candidates = index.manifests.filter((m) => {
    const p = m.platform;
    if (!p) return false;
    if (p.os !== want.os || normArch(p.architecture) !== want.architecture) return false;
    const v = p.variant ?? (normArch(p.architecture) === 'arm64' ? 'v8' : undefined);
    return wantVariant === undefined || v === wantVariant;
  });
  // With no variant asked, prefer an exact variant-less entry, then the first.
  const best = candidates.find((m) => !m.platform?.variant) ?? candidates[0];
  if (!best) throw notFound(`no matching manifest for ${platformString(want)} in the manifest list entries`);
  return best;
}

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** How a layer blob is compressed, from its media type; undefined for what is not a layer. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  switch (mediaType) {
    case MEDIA.dockerLayerGzip:
    case MEDIA.dockerForeignLayer:
    case MEDIA.ociLayerGzip:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
      return 'gzip';
    case MEDIA.ociLayerZstd:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd':
      return 'zstd';
    case MEDIA.ociLayer:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar':
      return 'none';
    default:
      return undefined;
  }
}
