import type { Readable } from 'node:stream';

/** Stream ids of the 8-byte framing used by attach, exec and logs on non-TTY containers. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

/** The daemon reported an error inside the stream (frame id 3). */
export class StreamSystemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamSystemError';
  }
}

/** One frame: [stream, 0, 0, 0, size uint32 big-endian] + payload. */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * Incremental decoder: feed it chunks in any split; it calls `onFrame` per complete frame.
 * Kept separate from the stream plumbing so it is testable with arbitrary chunk boundaries.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = this.pending[0] ?? 0;
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      this.onFrame(stream, payload);
    }
  }

  /** Bytes of an incomplete trailing frame. */
  get leftover(): number {
    return this.pending.length;
  }
}

/**
 * Splits a framed stream into stdout and stderr. Resolves when the stream ends; rejects with
 * StreamSystemError on a frame with id 3, and on an unknown id (the Go client does the same).
 */
export function demuxStream(
  readable: Readable,
  onStdout: (chunk: Buffer) => void,
  onStderr: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      readable.removeListener('data', onData);
      readable.resume();
      reject(err);
    };
    const decoder = new FrameDecoder((stream, payload) => {
      if (failed) return;
      if (stream === STDOUT || stream === STDIN) onStdout(payload);
      else if (stream === STDERR) onStderr(payload);
      else if (stream === SYSTEMERR) fail(new StreamSystemError(payload.toString('utf8')));
      else fail(new Error(`Unrecognized input header: ${stream}`));
    });
    const onData = (chunk: Buffer) => decoder.push(chunk);
    readable.on('data', onData);
    readable.once('error', (err: Error) => fail(err));
    readable.once('end', () => {
      if (!failed) resolve();
    });
    readable.once('close', () => {
      if (!failed) resolve();
    });
  });
}
