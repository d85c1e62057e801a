import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Digest } from '../../base/digest.js';
import { EngineError } from '../../base/engine-error.js';
import { streamHasher, type StreamHasher } from '../../sys/hash-thread.js';
import { registryErrorOf } from './registry-error.js';
import type { RegistrySession } from './registry-session.js';

export interface BlobDownloadOptions {
  session: RegistrySession;
  /** Repository path on the registry ("library/busybox"). */
  repository: string;
  digest: Digest;
  /** Size from the descriptor: the download must deliver exactly this many bytes. */
  size: number;
  scopes: readonly string[];
  signal?: AbortSignal;
  /** Bytes received so far (resumed bytes are not counted twice). */
  onProgress?: (received: number) => void;
  /** How many times a cut connection is resumed (default 5). */
  maxResumes?: number;
}

/**
 * A blob as one verified stream: its bytes are hashed as they pass, a connection cut mid-blob is
 * resumed with `Range: bytes=<received>-` (a registry that ignores Range is skipped forward), and
 * the stream fails instead of ending when the size or the digest is wrong — so whatever reads it
 * (gunzip → untar) never commits a corrupt layer.
 */
export function downloadBlob(opts: BlobDownloadOptions): Readable {
  const maxResumes = opts.maxResumes ?? 5;
  async function* bytes(): AsyncGenerator<Buffer> {
    const hasher = streamHasher(opts.size);
    try {
      yield* verified(hasher);
    } finally {
      hasher.release();
    }
  }
  async function* verified(hasher: StreamHasher): AsyncGenerator<Buffer> {
    let received = 0;
    let resumes = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const headers: Record<string, string> = {};
      if (received > 0) headers['Range'] = `bytes=${received}-`;
      let skip = 0;
      try {
        const res = await opts.session.fetch({
          method: 'GET',
          path: `/v2/${opts.repository}/blobs/${opts.digest}`,
          headers,
          scopes: opts.scopes,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        if (res.statusCode === 206) {
          const start = /bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
          if (start !== undefined && Number(start) !== received) {
            res.destroy();
            throw new EngineError('System', `registry resumed blob ${opts.digest} at ${start}, wanted ${received}`);
          }
        } else if (res.statusCode === 200) {
          skip = received; // Range ignored: the body starts at 0 again
        } else {
          throw await registryErrorOf(res);
        }
        for await (const c of res as AsyncIterable<Buffer>) {
          let chunk = c;
          if (skip > 0) {
            const n = Math.min(skip, chunk.length);
            skip -= n;
            chunk = chunk.subarray(n);
            if (chunk.length === 0) continue;
          }
          if (received + chunk.length > opts.size) {
            throw new EngineError('InvalidParameter', `filesystem layer verification failed for digest ${opts.digest}`);
          }
          hasher.update(chunk);
          received += chunk.length;
          opts.onProgress?.(received);
          yield chunk;
        }
        if (received < opts.size) throw new ResumableCut(`blob ${opts.digest} ended early at ${received} of ${opts.size} bytes`);
        break;
      } catch (err) {
        if (opts.signal?.aborted || err instanceof EngineError) throw err;
        // A cut connection (ECONNRESET, "aborted", early end): resume where it stopped.
        if (resumes >= maxResumes) throw new EngineError('Unavailable', `downloading ${opts.digest}: ${(err as Error).message}`, { cause: err });
        resumes++;
        await sleep(Math.min(2000, 100 * 2 ** resumes), undefined, opts.signal ? { signal: opts.signal } : {});
      }
    }
    if ((await hasher.digest()) !== opts.digest) {
      throw new EngineError('InvalidParameter', `filesystem layer verification failed for digest ${opts.digest}`);
    }
  }
  const stream = Readable.from(bytes(), { objectMode: false });
  // Whoever reads it sees its errors; a reader that gave up early (a failed untar that only
  // drains its input) must not turn a late digest error into an unhandled 'error' event.
  stream.on('error', () => {});
  return stream;
}

class ResumableCut extends Error {}
