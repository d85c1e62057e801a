import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Digest } from '../base/digest.js';
import { errnoCode } from '../base/engine-error.js';
import { compressibleRuns } from './compressible-runs.js';
import { realDiffFs, type DiffFs } from '../storage/layer-diff.js';
import { streamHasher } from '../sys/hash-thread.js';
import { packTar, type TarEntry } from '../storage/layer-diff-tar.js';
import { isWhiteout, opaqueMarkerEntry, tarEntryOf, whiteoutEntry } from '../storage/tar-entry-of.js';

/**
 * Turns an unpacked layer directory (overlay form) back into a layer blob: an OCI tar whose
 * whiteouts are `.wh.` entries and whose opaque directories carry `.wh..wh..opq`, gzip-compressed
 * in independent members so several cores compress one layer at once (a multi-member gzip is
 * one valid gzip stream to every reader: Go's, zlib's, Node's). One pass, nothing kept in
 * memory beyond the chunks being compressed.
 */
const gzipAsync = promisify(gzip);

export interface PackedLayerResult {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** sha256 of the compressed bytes. */
  digest: Digest;
  size: number;
  /** Uncompressed tar bytes. */
  tarSize: number;
}

export interface PackedLayer {
  stream: Readable;
  /** Settles when `stream` has ended (or failed). */
  result: Promise<PackedLayerResult>;
}

export interface CompressOptions {
  /** gzip level; 1 by default: the registry link, not the CPU, should be the bottleneck. */
  level?: number;
  /** Bytes of tar per gzip member. */
  chunkSize?: number;
  /** Members compressed at once (zlib runs them on libuv's thread pool). */
  parallel?: number;
  /** Called with the uncompressed bytes read so far (for progress bars). */
  onTarBytes?: (n: number) => void;
  signal?: AbortSignal;
}

/** The tar entries of a layer directory, parents first, names in byte order (as Go's Walk). */
export async function* layerDirEntries(dir: string, fs: DiffFs = realDiffFs): AsyncGenerator<TarEntry> {
  const inodes = new Map<string, string>();
  async function* walk(rel: string): AsyncGenerator<TarEntry> {
    const names = await fsp.readdir(rel === '' ? dir : join(dir, rel));
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const host = join(dir, path);
      let st: Stats;
      try {
        st = await fsp.lstat(host);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      if (isWhiteout(st)) {
        yield whiteoutEntry(path, st);
        continue;
      }
      const entry = await tarEntryOf(path, host, st, fs, inodes);
      if (!entry) continue;
      yield entry;
      if (entry.type === 'directory') {
        if (await fs.opaque(host)) yield opaqueMarkerEntry(entry);
        yield* walk(path);
      }
    }
  }
  yield* walk('');
}

/** The layer directory as one tar stream. */
export function tarLayerDir(dir: string, fs: DiffFs = realDiffFs): Readable {
  return packTar(layerDirEntries(dir, fs));
}

/** Compresses a tar stream into gzip members in parallel, hashing both sides on the way. */
export function compressTar(tar: Readable, opts: CompressOptions = {}): PackedLayer {
  const level = opts.level ?? 1;
  const chunkSize = opts.chunkSize ?? 4 * 1024 * 1024;
  const parallel = Math.max(1, opts.parallel ?? 4);
  const plainHash = streamHasher();
  const blobHash = streamHasher();
  let tarSize = 0;
  let size = 0;
  let resolve!: (r: PackedLayerResult) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<PackedLayerResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  result.catch(() => {});

  async function* members(): AsyncGenerator<Buffer> {
    // Each slot's gzip members, in order; a slot is several members when its content is mixed.
    const inflight: Array<Promise<Buffer[]>> = [];
    let pending: Buffer[] = [];
    let pendingLen = 0;
    const flushPending = () => {
      if (pendingLen === 0) return;
      const buf = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingLen);
      pending = [];
      pendingLen = 0;
      // One gzip member per run: stored where the bytes will not shrink, deflated elsewhere.
      inflight.push(Promise.all(compressibleRuns(buf, level).map((r) => gzipAsync(buf.subarray(r.start, r.end), { level: r.level, chunkSize: 1024 * 1024 }) as Promise<Buffer>)));
    };
    /** Yields the oldest slots' members until at most `keep` slots are still compressing. */
    async function* settled(keep: number): AsyncGenerator<Buffer> {
      while (inflight.length > keep) {
        for (const out of await (inflight.shift() as Promise<Buffer[]>)) {
          blobHash.update(out);
          size += out.length;
          yield out;
        }
      }
    }
    for await (const c of tar) {
      opts.signal?.throwIfAborted();
      const chunk = c as Buffer;
      plainHash.update(chunk);
      tarSize += chunk.length;
      opts.onTarBytes?.(tarSize);
      // Members end exactly every chunkSize bytes, whatever the input's chunking.
      let rest = chunk;
      while (pendingLen + rest.length >= chunkSize) {
        const take = chunkSize - pendingLen;
        pending.push(rest.subarray(0, take));
        pendingLen += take;
        rest = rest.subarray(take);
        flushPending();
      }
      if (rest.length > 0) {
        pending.push(rest);
        pendingLen += rest.length;
      }
      yield* settled(parallel - 1);
    }
    flushPending();
    yield* settled(0);
    resolve({ diffId: await plainHash.digest(), digest: await blobHash.digest(), size, tarSize });
  }
  const gen = members();
  const stream = Readable.from(
    (async function* () {
      try {
        yield* gen;
      } catch (err) {
        reject(err);
        throw err;
      } finally {
        plainHash.release();
        blobHash.release();
      }
    })(),
    { objectMode: false },
  );
  stream.on('close', () => reject(new Error('layer compression stopped before the end')));
  return { stream, result };
}
