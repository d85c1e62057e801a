import { parseContentRange, uploadRangeHeader } from './byte-range.js';
import { contentLengthOf, noBody, sendEmpty } from './http-io.js';
import type { Exchange, RegistryDeps } from './registry-deps.js';
import { RegistryError } from './registry-error.js';
import { isSupportedDigest, isValidRepoName } from './repo-name.js';

/**
 * The push side of blobs: POST starts an upload (or mounts from another repository, or takes a
 * whole blob at once with `?digest=`), PATCH appends chunks, PUT finishes with the digest,
 * GET reports progress (for resuming), DELETE cancels.
 */
const uploadHeaders = (name: string, uuid: string, size: number): Record<string, string | number> => ({
  Location: `/v2/${name}/blobs/uploads/${uuid}`,
  Range: uploadRangeHeader(size),
  'Docker-Upload-UUID': uuid,
});

const blobCreated = (name: string, digest: string): Record<string, string> => ({
  Location: `/v2/${name}/blobs/${digest}`,
  'Docker-Content-Digest': digest,
});

function digestParam(x: Exchange): string {
  const digest = x.query.get('digest');
  if (digest === null || !isSupportedDigest(digest)) throw new RegistryError('DIGEST_INVALID', { detail: digest === null ? 'digest parameter missing' : { digest } });
  return digest;
}

export async function startUpload(deps: RegistryDeps, x: Exchange, name: string): Promise<void> {
  const mount = x.query.get('mount');
  const from = x.query.get('from');
  if (mount !== null && from !== null && isSupportedDigest(mount) && isValidRepoName(from) && x.caller.can(from, 'pull') && deps.db.hasBlobLink(from, mount)) {
    const linked = deps.db.linkBlob(name, mount, () => deps.blobs.statSync(mount) !== undefined);
    if (linked) {
      await deps.blobs.touch(mount);
      return sendEmpty(x.res, 201, blobCreated(name, mount));
    }
  }
  // A mount that cannot be honoured becomes an ordinary upload, as the spec asks.
  if (mount === null && x.query.has('digest')) {
    const digest = digestParam(x);
    const uuid = await deps.uploads.create(name);
    try {
      await deps.uploads.finish(name, uuid, x.req, digest);
    } catch (e) {
      await deps.uploads.drop(uuid);
      throw e;
    }
    return sendEmpty(x.res, 201, blobCreated(name, digest));
  }
  const uuid = await deps.uploads.create(name);
  sendEmpty(x.res, 202, uploadHeaders(name, uuid, 0));
}

export async function patchUpload(deps: RegistryDeps, x: Exchange, name: string, uuid: string): Promise<void> {
  const range = parseContentRange(x.req.headers['content-range']);
  if (range === 'invalid') throw new RegistryError('BLOB_UPLOAD_INVALID', { status: 416, detail: 'malformed Content-Range' });
  try {
    const size = await deps.uploads.append(name, uuid, x.req, range, contentLengthOf(x.req));
    sendEmpty(x.res, 202, uploadHeaders(name, uuid, size));
  } catch (e) {
    if (e instanceof RegistryError && e.status === 416) e.headers['Location'] = `/v2/${name}/blobs/uploads/${uuid}`;
    throw e;
  }
}

export async function putUpload(deps: RegistryDeps, x: Exchange, name: string, uuid: string): Promise<void> {
  const digest = digestParam(x);
  const range = parseContentRange(x.req.headers['content-range']);
  if (range === 'invalid') throw new RegistryError('BLOB_UPLOAD_INVALID', { status: 416, detail: 'malformed Content-Range' });
  if (range !== undefined) {
    // A final chunk with a range must continue where the upload stands.
    await deps.uploads.append(name, uuid, x.req, range, contentLengthOf(x.req));
    await deps.uploads.finish(name, uuid, noBody(), digest);
  } else {
    await deps.uploads.finish(name, uuid, x.req, digest);
  }
  sendEmpty(x.res, 201, blobCreated(name, digest));
}

export async function uploadStatus(deps: RegistryDeps, x: Exchange, name: string, uuid: string): Promise<void> {
  const size = await deps.uploads.status(name, uuid);
  sendEmpty(x.res, 204, uploadHeaders(name, uuid, size));
}

export async function cancelUpload(deps: RegistryDeps, x: Exchange, name: string, uuid: string): Promise<void> {
  await deps.uploads.cancel(name, uuid);
  sendEmpty(x.res, 204);
}
