import { sha256Of, type Digest } from '../../base/digest.js';
import { invalidParameter } from '../../base/engine-error.js';
import { MANIFEST_ACCEPT, parseManifest } from '../../image/manifest.js';
import type { ImageRef } from '../../image/reference.js';
import { repositoryScope } from './auth-challenge.js';
import { readBody, registryErrorOf } from './registry-error.js';
import type { RegistrySession } from './registry-session.js';

/** An OCI platform as moby serialises it (ocispec.Platform, empty fields left out). */
export interface PlatformJson {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** `GET /distribution/{name}/json`'s body (moby's registry.DistributionInspect). */
export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: Digest; size: number };
  Platforms: PlatformJson[] | null;
}

function platformOf(v: unknown): PlatformJson | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const p: PlatformJson = { architecture: str('architecture'), os: str('os') };
  if (str('os.version')) p['os.version'] = str('os.version');
  const feats = o['os.features'];
  if (Array.isArray(feats) && feats.length > 0) p['os.features'] = feats.map(String);
  if (str('variant')) p.variant = str('variant');
  return p;
}

async function get(session: RegistrySession, ref: ImageRef, what: 'manifests' | 'blobs', reference: string, signal?: AbortSignal) {
  const res = await session.fetch({
    method: 'GET',
    path: `/v2/${ref.path}/${what}/${reference}`,
    ...(what === 'manifests' ? { headers: { Accept: MANIFEST_ACCEPT } } : {}),
    scopes: [repositoryScope(ref.path, ['pull'])],
    ...(signal ? { signal } : {}),
  });
  if (res.statusCode !== 200) throw await registryErrorOf(res);
  return { bytes: await readBody(res), contentType: String(res.headers['content-type'] ?? '') };
}

/**
 * What dockerd's distribution inspect reports for a tag or digest: the manifest's descriptor and
 * its platforms — every entry's of an index, or the one the image config names for a single
 * manifest (Docker schema2 or OCI). `ref` must carry a tag or a digest.
 */
export async function registryData(session: RegistrySession, ref: ImageRef, signal?: AbortSignal): Promise<DistributionInspect> {
  const reference = ref.digest ?? ref.tag;
  if (reference === undefined) throw invalidParameter('image reference not tagged');
  const manifest = await get(session, ref, 'manifests', reference, signal);
  const digest = sha256Of(manifest.bytes);
  if (ref.digest !== undefined && digest !== ref.digest) throw invalidParameter(`manifest verification failed for digest ${ref.digest}`);
  const parsed = parseManifest(manifest.bytes, manifest.contentType);
  const out: DistributionInspect = { Descriptor: { mediaType: parsed.mediaType, digest, size: manifest.bytes.length }, Platforms: null };
  if (parsed.kind === 'index') {
    // The raw entries: parseManifest's descriptors keep only os/architecture/variant.
    const raw = JSON.parse(manifest.bytes.toString('utf8')) as { manifests?: Array<{ platform?: unknown }> };
    const platforms = (raw.manifests ?? []).map((m) => platformOf(m.platform ?? {})).filter((p): p is PlatformJson => p !== undefined);
    out.Platforms = platforms.length > 0 ? platforms : null;
    return out;
  }
  // As dockerd: a config that cannot be read or names no platform leaves Platforms empty.
  try {
    const config = await get(session, ref, 'blobs', parsed.config.digest, signal);
    const p = platformOf(JSON.parse(config.bytes.toString('utf8')));
    if (p && (p.os !== '' || p.architecture !== '')) out.Platforms = [p];
  } catch {
    if (signal?.aborted) throw signal.reason;
  }
  return out;
}
