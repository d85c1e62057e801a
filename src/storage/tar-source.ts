import { Readable, Transform, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalidParameter } from '../base/engine-error.js';
import { createZstdDecompress } from './zstd-decompress.js';

/**
 * Turns a possibly gzip- or zstd-compressed tar stream into its plain tar bytes, passing each plain
 * chunk to `onChunk` (for the diffID hash and the PAX tracker) on the way.
 * The compression is sniffed from the magic bytes, as Docker's DecompressStream does.
 */
export interface PlainTar {
  stream: Readable;
  /** Stops reading the input without destroying it (an HTTP request must still get its reply); drains it. */
  release(err: Error): void;
}

const MAGIC = {
  gzip: [0x1f, 0x8b],
  bzip2: [0x42, 0x5a, 0x68],
  xz: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
} as const;

/** A Buffer over the same bytes (no copy). */
const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

const startsWith = (buf: Buffer, magic: readonly number[]) => magic.every((b, i) => buf[i] === b);

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Compressed input is handed to the decompressor in runs of at least this many bytes: every
 * write is a thread-pool round trip, and a socket delivers 64 KiB at a time.
 */
const DECOMPRESS_RUN = 1024 * 1024;

async function* inRuns(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let len = 0;
  for await (const b of chunks) {
    parts.push(b);
    len += b.length;
    if (len >= DECOMPRESS_RUN) {
      yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, len);
      parts = [];
      len = 0;
    }
  }
  if (len > 0) yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, len);
}

/** The bytes already read to sniff the format, then the rest of the input as Buffers (no copy). */
async function* headThenRest(head: Buffer, it: AsyncIterator<unknown> | undefined): AsyncGenerator<Buffer> {
  yield head;
  if (it === undefined) return;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield asBuffer(r.value as Uint8Array);
  }
}

export async function openPlainTar(
  input: Readable,
  onChunk: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<PlainTar> {
  const it = input.iterator({ destroyOnReturn: false });
  let head = Buffer.alloc(0);
  let ended = false;
  // The iterator's listeners go away only once return() has settled; resume() before that is a no-op.
  const release = () => {
    const done = () => void input.resume();
    if (it.return) it.return().then(done, done);
    else done();
  };
  try {
    while (head.length < 6) {
      const r = await abortable(it.next(), signal);
      if (r.done) {
        ended = true;
        break;
      }
      head = Buffer.concat([head, Buffer.from(r.value as Uint8Array)]);
    }
  } catch (err) {
    release();
    throw err;
  }
  if (startsWith(head, MAGIC.bzip2) || startsWith(head, MAGIC.xz)) {
    release();
    throw invalidParameter('unsupported compression format: only plain, gzip and zstd tar archives can be imported');
  }
  const gzip = startsWith(head, MAGIC.gzip);
  const zstd = startsWith(head, MAGIC.zstd);
  const chunks = headThenRest(head, ended ? undefined : it);
  const source = Readable.from(gzip || zstd ? inRuns(chunks) : chunks, { objectMode: false });
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onChunk(chunk);
      cb(null, chunk);
    },
  });
  const stages: NodeJS.ReadWriteStream[] = gzip ? [createGunzip({ chunkSize: 512 * 1024 }), tap] : zstd ? [createZstdDecompress(), tap] : [tap];
  // Errors of any stage surface on `tap` (pipeline destroys the others with it).
  pipeline(source, ...(stages as [NodeJS.ReadWriteStream]), (err) => {
    if (err) tap.destroy(err);
  });
  return {
    stream: tap,
    release: (err: Error) => {
      source.destroy(err);
      release();
    },
  };
}
