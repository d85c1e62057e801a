import { pipeline } from 'node:stream/promises';
import { parseRangeHeader } from './byte-range.js';
import { sendEmpty } from './http-io.js';
import type { Exchange, RegistryDeps } from './registry-deps.js';
import { RegistryError } from './registry-error.js';
import { isSupportedDigest } from './repo-name.js';

/** GET/HEAD /v2/<name>/blobs/<digest>, with single byte ranges; DELETE unlinks it from the repository. */
export async function getBlob(deps: RegistryDeps, x: Exchange, name: string, digest: string): Promise<void> {
  if (!isSupportedDigest(digest)) throw new RegistryError('DIGEST_INVALID', { detail: { digest } });
  const st = deps.db.hasBlobLink(name, digest) ? await deps.blobs.stat(digest) : undefined;
  if (st === undefined) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
  const headers = {
    'Docker-Content-Digest': digest,
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
    'Cache-Control': 'max-age=31536000',
  };
  const range = parseRangeHeader(x.req.headers.range, st.size);
  if (range === 'unsatisfiable') return sendEmpty(x.res, 416, { 'Content-Range': `bytes */${st.size}` });
  if (x.req.method === 'HEAD') {
    // A HEAD is how pushers ask "do you have it?": keep the blob out of a running GC's reach.
    await deps.blobs.touch(digest);
    x.res.writeHead(200, { ...headers, 'Content-Length': st.size });
    x.res.end();
    return;
  }
  if (range === undefined) x.res.writeHead(200, { ...headers, 'Content-Length': st.size });
  else x.res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${st.size}` });
  await pipeline(deps.blobs.read(digest, range), x.res).catch(() => x.res.destroy());
}

export async function deleteBlob(deps: RegistryDeps, x: Exchange, name: string, digest: string): Promise<void> {
  if (!deps.deleteEnabled) throw new RegistryError('UNSUPPORTED', { detail: 'deletion is disabled in the configuration' });
  if (!isSupportedDigest(digest)) throw new RegistryError('DIGEST_INVALID', { detail: { digest } });
  if (!deps.db.unlinkBlob(name, digest)) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
  sendEmpty(x.res, 202, { 'Docker-Content-Digest': digest });
}
