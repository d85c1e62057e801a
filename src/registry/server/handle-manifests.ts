import { pipeline } from 'node:stream/promises';
import { sha256Of } from '../../base/digest.js';
import { mediaTypeOf, readBody, sendEmpty } from './http-io.js';
import { parseManifest } from './manifest-parse.js';
import type { Exchange, RegistryDeps } from './registry-deps.js';
import { RegistryError } from './registry-error.js';
import { isSupportedDigest, isValidTag, looksLikeDigest } from './repo-name.js';

/** GET/HEAD/PUT/DELETE /v2/<name>/manifests/<tag or digest>. */
function resolve(deps: RegistryDeps, name: string, reference: string): string {
  if (looksLikeDigest(reference)) {
    if (!isSupportedDigest(reference)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: reference } });
    return reference;
  }
  const digest = isValidTag(reference) ? deps.db.resolveTag(name, reference) : undefined;
  if (digest === undefined) throw unknown(deps, name, reference);
  return digest;
}

const unknown = (deps: RegistryDeps, name: string, reference: string): RegistryError =>
  deps.db.repoExists(name) ? new RegistryError('MANIFEST_UNKNOWN', { detail: { reference } }) : new RegistryError('NAME_UNKNOWN', { detail: { name } });

export async function getManifest(deps: RegistryDeps, x: Exchange, name: string, reference: string): Promise<void> {
  const digest = resolve(deps, name, reference);
  const rec = deps.db.getManifest(name, digest);
  if (rec === undefined) throw unknown(deps, name, reference);
  x.res.writeHead(200, {
    'Content-Type': rec.mediaType,
    'Content-Length': rec.size,
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
  });
  if (x.req.method === 'HEAD') return void x.res.end();
  await pipeline(deps.blobs.read(digest), x.res).catch(() => x.res.destroy());
}

export async function putManifest(deps: RegistryDeps, x: Exchange, name: string, reference: string): Promise<void> {
  const digestRef = looksLikeDigest(reference);
  if (digestRef && !isSupportedDigest(reference)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: reference } });
  if (!digestRef && !isValidTag(reference)) throw new RegistryError('MANIFEST_INVALID', { detail: { tag: reference, reason: 'invalid tag' } });
  const body = await readBody(x.req, deps.maxManifestBytes, 'MANIFEST_INVALID');
  const parsed = parseManifest(body, mediaTypeOf(x.req));
  const digest = sha256Of(body);
  if (digestRef && reference !== digest) throw new RegistryError('DIGEST_INVALID', { detail: { expected: reference, actual: digest } });
  await deps.blobs.putBytes(body);
  const missing = deps.db.putManifest(
    { repo: name, digest, mediaType: parsed.mediaType, size: body.length, artifactType: parsed.artifactType, subject: parsed.subject, annotations: parsed.annotations },
    parsed.blobs,
    parsed.manifests,
    digestRef ? undefined : reference,
    (d) => deps.blobs.statSync(d) !== undefined,
  );
  if (missing.length > 0) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { detail: { digest: missing[0], missing } });
  sendEmpty(x.res, 201, {
    Location: `/v2/${name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
    ...(parsed.subject !== undefined ? { 'OCI-Subject': parsed.subject } : {}),
  });
}

export async function deleteManifest(deps: RegistryDeps, x: Exchange, name: string, reference: string): Promise<void> {
  if (!deps.deleteEnabled) throw new RegistryError('UNSUPPORTED', { detail: 'deletion is disabled in the configuration' });
  if (looksLikeDigest(reference)) {
    if (!isSupportedDigest(reference)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: reference } });
    if (!deps.db.deleteManifest(name, reference)) throw unknown(deps, name, reference);
  } else if (!isValidTag(reference) || !deps.db.deleteTag(name, reference)) {
    throw unknown(deps, name, reference);
  }
  sendEmpty(x.res, 202);
}
