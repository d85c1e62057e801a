import { Transform } from 'node:stream';
import { Decompress } from 'fzstd';

/**
 * A streaming zstd decoder (Node 20's zlib has none). fzstd is a small, dependency-free decoder
 * in plain JavaScript; layers and imports are streams, so frames are decoded as they arrive and
 * nothing beyond the decoder's window is held in memory.
 */
export function createZstdDecompress(): Transform {
  let out: Transform;
  const decoder = new Decompress((chunk) => {
    // fzstd reuses no buffers it hands out, but copy into a Buffer for Node's stream consumers.
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        decoder.push(chunk);
        cb();
      } catch (err) {
        cb(zstdError(err));
      }
    },
    flush(cb) {
      try {
        decoder.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(zstdError(err));
      }
    },
  });
  return out;
}

function zstdError(err: unknown): Error {
  return new Error(`invalid zstd data: ${err instanceof Error ? err.message : String(err)}`);
}
