import { RegistryError } from './registry-error.js';
import { isSupportedDigest } from './repo-name.js';

/**
 * Validates a pushed manifest and lists what it points at, so the push can be refused when a
 * referenced blob or child manifest is missing, and garbage collection can mark from it.
 * Accepts OCI image manifests and indexes and Docker schema2 manifests and manifest lists.
 */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const IMAGE_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_LIST]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** Blobs that must be present in the repository: the config and every layer not hosted elsewhere. */
  blobs: string[];
  /** Child manifests (of an index) that must be present in the repository. */
  manifests: string[];
  subject?: string;
  /** What the referrers API reports: artifactType, else (image manifests) the config's media type. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

const invalid = (detail: string): RegistryError => new RegistryError('MANIFEST_INVALID', { detail });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === 'string')) throw invalid(`${what} must map strings to strings`);
  return v as Record<string, string>;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v)) throw invalid(`${what} is not an object`);
  const { mediaType, digest, size, artifactType, urls } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${what} has no mediaType`);
  if (typeof digest !== 'string' || !isSupportedDigest(digest)) throw invalid(`${what} has an invalid or unsupported digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${what} has an invalid size`);
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid(`${what} has an invalid artifactType`);
  if (urls !== undefined && !(Array.isArray(urls) && urls.every((u) => typeof u === 'string'))) throw invalid(`${what} has invalid urls`);
  const annotations = stringMap(v['annotations'], `${what} annotations`);
  return {
    mediaType,
    digest,
    size,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
    ...(urls !== undefined ? { urls: urls as string[] } : {}),
  };
}

/**
 * @param contentType the request's Content-Type without parameters, or undefined
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw invalid(`malformed JSON: ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw invalid('manifest is not a JSON object');
  if (doc['schemaVersion'] !== 2) throw invalid('schemaVersion must be 2');
  const declared = doc['mediaType'];
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');
  const ct = contentType === undefined || contentType === '' || contentType === 'application/octet-stream' ? undefined : contentType;
  if (ct !== undefined && declared !== undefined && ct !== declared) throw invalid(`mediaType ${declared} does not match Content-Type ${ct}`);
  const mediaType = ct ?? declared ?? (Array.isArray(doc['manifests']) ? OCI_INDEX : OCI_MANIFEST);
  const subject = doc['subject'] === undefined ? undefined : parseDescriptor(doc['subject'], 'subject').digest;
  const artifactType = doc['artifactType'];
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid('artifactType must be a string');
  const annotations = stringMap(doc['annotations'], 'annotations');
  const common = {
    mediaType,
    ...(subject !== undefined ? { subject } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };

  if (IMAGE_TYPES.has(mediaType)) {
    const config = parseDescriptor(doc['config'], 'config');
    const layersRaw = doc['layers'];
    if (!Array.isArray(layersRaw)) throw invalid('layers must be an array');
    const layers = layersRaw.map((l, i) => parseDescriptor(l, `layers[${i}]`));
    // Foreign (non-distributable) layers with URLs live elsewhere; distribution does not require them.
    const blobs = [config.digest, ...layers.filter((l) => l.urls === undefined || l.urls.length === 0).map((l) => l.digest)];
    const at = typeof artifactType === 'string' ? artifactType : config.mediaType;
    return { ...common, kind: 'image', blobs: [...new Set(blobs)], manifests: [], artifactType: at };
  }
  if (INDEX_TYPES.has(mediaType)) {
    const raw = doc['manifests'];
    if (!Array.isArray(raw)) throw invalid('manifests must be an array');
    const children = raw.map((m, i) => parseDescriptor(m, `manifests[${i}]`));
    return {
      ...common,
      kind: 'index',
      blobs: [],
      manifests: [...new Set(children.map((c) => c.digest))],
      ...(typeof artifactType === 'string' ? { artifactType } : {}),
    };
  }
  throw invalid(`unsupported manifest media type ${mediaType}`);
}
