import type { Readable } from 'node:stream';
import type { Digest } from '../../base/digest.js';
import { EngineError } from '../../base/engine-error.js';
import { repositoryScope } from './auth-challenge.js';
import { registryErrorOf } from './registry-error.js';
import type { RegistrySession } from './registry-session.js';

/**
 * The blob half of the distribution API's push: existence checks, cross-repository mounts and
 * uploads (monolithic for small blobs, streamed for layers whose digest is known only at the end).
 */
export interface BlobTarget {
  session: RegistrySession;
  repository: string;
  signal?: AbortSignal;
}

const pushScopes = (repo: string) => [repositoryScope(repo, ['pull', 'push'])];

function uploadUrl(location: string | undefined, base: string): URL {
  if (!location) throw new EngineError('System', 'registry did not return an upload location');
  return new URL(location, base);
}

/** HEAD /v2/<repo>/blobs/<digest>: whether the registry already has it. */
export async function blobExists(t: BlobTarget, digest: Digest): Promise<boolean> {
  const res = await t.session.fetch({
    method: 'HEAD',
    path: `/v2/${t.repository}/blobs/${digest}`,
    scopes: pushScopes(t.repository),
    ...(t.signal ? { signal: t.signal } : {}),
  });
  res.resume();
  if (res.statusCode === 200) return true;
  if (res.statusCode === 404) return false;
  if (res.statusCode === 401 || res.statusCode === 403) throw await registryErrorOf(res);
  return false;
}

export type MountResult = { mounted: true } | { mounted: false; location: string };

/** POST …/uploads/?mount=<digest>&from=<repo>: 201 mounted; 202 means an upload was opened instead. */
export async function mountBlob(t: BlobTarget, digest: Digest, from: string): Promise<MountResult> {
  const res = await t.session.request({
    method: 'POST',
    path: `/v2/${t.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
    scopes: [...pushScopes(t.repository), repositoryScope(from, ['pull'])],
    ...(t.signal ? { signal: t.signal } : {}),
  });
  res.resume();
  if (res.statusCode === 201) return { mounted: true };
  if (res.statusCode === 202) return { mounted: false, location: uploadUrl(res.headers.location, await t.session.baseUrl()).toString() };
  throw await registryErrorOf(res);
}

/** POST …/uploads/: opens an upload session. */
export async function startUpload(t: BlobTarget): Promise<string> {
  const res = await t.session.request({
    method: 'POST',
    path: `/v2/${t.repository}/blobs/uploads/`,
    scopes: pushScopes(t.repository),
    ...(t.signal ? { signal: t.signal } : {}),
  });
  if (res.statusCode !== 202) throw await registryErrorOf(res);
  res.resume();
  return uploadUrl(res.headers.location, await t.session.baseUrl()).toString();
}

function withDigest(location: string, digest: Digest): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** Monolithic upload: the whole blob in the closing PUT. */
export async function uploadBytes(t: BlobTarget, data: Buffer, digest: Digest, location?: string): Promise<void> {
  const loc = location ?? (await startUpload(t));
  const res = await t.session.request({
    method: 'PUT',
    path: withDigest(loc, digest),
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
    scopes: pushScopes(t.repository),
    ...(t.signal ? { signal: t.signal } : {}),
  });
  if (res.statusCode !== 201) throw await registryErrorOf(res);
  res.resume();
}

/**
 * Streamed upload: one PATCH carrying the stream (chunked transfer encoding), then the closing
 * PUT with the digest learnt at the end. With `chunkSize`, the stream is sent as several PATCHes
 * with Content-Range instead (for registries or proxies that cap request sizes).
 */
export async function uploadStream(
  t: BlobTarget,
  data: Readable,
  digestAtEnd: () => Promise<Digest>,
  opts: { location?: string; chunkSize?: number } = {},
): Promise<Digest> {
  let loc = opts.location ?? (await startUpload(t));
  const patch = async (body: Readable | Buffer, range?: string): Promise<void> => {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (range) headers['Content-Range'] = range;
    const res = await t.session.request({
      method: 'PATCH',
      path: loc,
      headers,
      body: Buffer.isBuffer(body) ? body : () => body,
      scopes: pushScopes(t.repository),
      ...(t.signal ? { signal: t.signal } : {}),
    });
    if (res.statusCode !== 202) throw await registryErrorOf(res);
    res.resume();
    loc = uploadUrl(res.headers.location, await t.session.baseUrl()).toString();
  };
  if (opts.chunkSize) {
    let offset = 0;
    let pending: Buffer[] = [];
    let len = 0;
    const flush = async () => {
      if (len === 0) return;
      const buf = Buffer.concat(pending, len);
      await patch(buf, `${offset}-${offset + len - 1}`);
      offset += len;
      pending = [];
      len = 0;
    };
    for await (const c of data) {
      pending.push(c as Buffer);
      len += (c as Buffer).length;
      if (len >= opts.chunkSize) await flush();
    }
    await flush();
  } else {
    await patch(data);
  }
  const digest = await digestAtEnd();
  const res = await t.session.request({
    method: 'PUT',
    path: withDigest(loc, digest),
    scopes: pushScopes(t.repository),
    ...(t.signal ? { signal: t.signal } : {}),
  });
  if (res.statusCode !== 201) throw await registryErrorOf(res);
  res.resume();
  return digest;
}
